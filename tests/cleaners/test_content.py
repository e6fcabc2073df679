"""Main-content location and block kinds: known markup, the density path without class names,
several <article> teasers, tables, <br>-separated text, captions, lists and quotes in order."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from cleaners import clean
from cleaners.blocks import resolve_chrome, walk_blocks
from cleaners.content import locate_content

PROSE = [
    "The council approved the new budget on Tuesday after a long debate, with most members in favour.",
    "Critics said the plan, which raises fees for parking, would hurt small shops in the old town.",
    "The mayor answered that the money, about two million, would go to schools, roads and parks.",
    "A final vote on the details is expected next month, once the committees have reported back.",
]
TEASERS = "".join(
    f"<div class='item'><a href='/story/{i}'>Other headline number {i} about something else</a></div>"
    for i in range(12)
)


def _locate(html: str) -> tuple[list[str], str]:
    tree = LexborHTMLParser(html)
    assert tree.body is not None
    walked = walk_blocks(tree.body)
    kept = [b for b, r in zip(walked.blocks, resolve_chrome(walked), strict=True) if r is None]
    chosen, how = locate_content(kept, walked.regions, None, walked.shapes)
    return [b.text for b in kept if not chosen.isdisjoint(b.path)], how


def test_known_markup_is_preferred() -> None:
    paras = "".join(f"<p>{p}</p>" for p in PROSE)
    html = f"<body><div class='col'>{TEASERS}</div><div class='entry-content'>{paras}</div></body>"
    texts, how = _locate(html)
    assert how == "markup:1"
    assert texts == PROSE


def test_density_path_without_class_names() -> None:
    paras = "".join(f"<p>{p}</p>" for p in PROSE)
    html = f"<body><div><div>{TEASERS}</div><div><h2>Budget passes</h2>{paras}</div><div>{TEASERS}</div></div></body>"
    texts, how = _locate(html)
    assert how == "density"
    assert texts == ["Budget passes", *PROSE]


def test_one_article_among_teaser_articles() -> None:
    teasers = "".join(
        f"<article><h3><a href='/t{i}'>Teaser title {i}</a></h3><p>Short teaser line {i}.</p></article>"
        for i in range(5)
    )
    main = "<article>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</article>"
    doc = clean(f"<html><body>{teasers}{main}{teasers}</body></html>")
    assert [s.text for s in doc.segments] == PROSE
    assert dict(doc.dropped)["outside_content"] >= 10


def test_br_separated_text_becomes_paragraphs() -> None:
    body = "<br><br>".join(PROSE)
    doc = clean(
        f"<html><body><div class='nav'><a href='/'>Home</a></div><div>{body}</div></body></html>"
    )
    assert [s.text for s in doc.segments] == PROSE
    # One <br> is a line break inside a paragraph, not a new one.
    doc = clean(
        f"<html><body><div><p>{PROSE[0]}<br>{PROSE[1]}</p><p>{PROSE[2]}</p></div></body></html>"
    )
    assert len(doc.segments) == 2


def test_content_in_table_cells() -> None:
    rows = "".join(f"<tr><td>{p} {p}</td></tr>" for p in PROSE)
    doc = clean(
        f"<html><body><table><tr><td><a href='/'>Home</a> <a href='/x'>News</a></td></tr>{rows}</table></body></html>"
    )
    assert len(doc.segments) == 4
    assert all(s.kind == "table_cell" for s in doc.segments)


def test_kinds_in_document_order() -> None:
    html = (
        "<html><body><article class='post'>"
        "<h1>Budget passes</h1>"
        f"<p>{PROSE[0]}</p>"
        "<h2>What changes</h2>"
        f"<ul><li>{PROSE[1]}</li><li>Fees rise for parking in the centre.</li></ul>"
        f"<blockquote><p>{PROSE[2]}</p></blockquote>"
        "<figure><img src='x.jpg'><figcaption>The council chamber on Tuesday.</figcaption></figure>"
        "<table><tr><th>Item</th><td>Schools and roads, two million</td></tr></table>"
        f"<p>{PROSE[3]}</p>"
        "</article></body></html>"
    )
    doc = clean(html)
    # The <h1> repeats the title (metadata) and is dropped as such.
    assert dict(doc.dropped) == {"title": 1}
    assert [(s.kind, s.text[:14]) for s in doc.segments] == [
        ("paragraph", PROSE[0][:14]),
        ("heading", "What changes"),
        ("list_item", PROSE[1][:14]),
        ("list_item", "Fees rise for "),
        ("quote", PROSE[2][:14]),
        ("caption", "The council ch"),
        ("table_cell", "Item"),
        ("table_cell", "Schools and ro"),
        ("paragraph", PROSE[3][:14]),
    ]


def test_link_list_inside_article_is_dropped_but_prose_with_links_kept() -> None:
    links = (
        "<ul>"
        + "".join(f"<li><a href='/r{i}'>Related story {i} title</a></li>" for i in range(4))
        + "</ul>"
    )
    linked = f"<p>{PROSE[0]} See <a href='/budget'>the budget</a>.</p>"
    paras = "".join(f"<p>{p}</p>" for p in PROSE[1:])
    doc = clean(f"<html><body><div class='article-body'>{linked}{paras}{links}</div></body></html>")
    assert "Related story" not in doc.text
    assert "See the budget." in doc.text
    assert dict(doc.dropped)["link_density"] == 4


def test_json_ld_body_is_a_fallback_when_markup_has_little() -> None:
    body = "\\n".join(PROSE)
    ld = f'<script type="application/ld+json">{{"@type":"NewsArticle","headline":"Budget","articleBody":"{body}"}}</script>'
    doc = clean(f"<html><head>{ld}</head><body><div id='app'><p>Loading…</p></div></body></html>")
    assert doc.text.split() == " ".join(PROSE).split()
    assert dict(doc.dropped).get("replaced_by_json_ld") == 1


def test_article_in_parts_under_separate_wrappers_is_joined() -> None:
    # A how-to page: each step's text sits in its own wrapper (step > body > text), so the parts
    # are cousins, not siblings; the teaser column scores far lower and stays out.
    def part(paras: list[str]) -> str:
        inner = "".join(f"<p>{p}</p>" for p in paras)
        return f"<div class='s'><div class='b'><div class='t'>{inner}</div></div></div>"

    steps = [PROSE[1:], PROSE[:3], PROSE[2:] + PROSE[:1]]
    html = (
        f"<body><div class='col'>{part(PROSE)}{''.join(part(s) for s in steps)}</div>"
        f"<div class='side'>{TEASERS}</div></body>"
    )
    texts, how = _locate(html)
    assert how == "density"
    assert texts == PROSE + [p for s in steps for p in s]


def test_short_article_beside_a_list_of_teasers_with_excerpts() -> None:
    # Ten linked titles each followed by a long excerpt read like prose by length and commas;
    # the three-paragraph article still wins, however the two are nested.
    article = "<div class='a'><h1>Budget passes</h1>" + "".join(f"<p>{p}</p>" for p in PROSE[:3])
    article += "</div>"
    excerpt = (
        "Excerpt {i}: a long teaser text that runs on, about the town, the port, the council and"
        " the weather, for a while longer than a line."
    )
    items = [  # a title then an excerpt, in a wrapper per item, written three common ways
        "<div class='t'><h3><a href='/s{i}'>Other story {i}</a></h3><p>" + excerpt + "</p></div>",
        "<div class='t'><a href='/s{i}'>Other story {i}</a><p>" + excerpt + "</p></div>",
        "<article class='t'><h2><a href='/s{i}'>Other story {i}</a></h2>"
        "<div class='entry-summary'><p>" + excerpt + "</p></div></article>",
    ]
    for item in items:
        teasers = "".join(item.format(i=i) for i in range(10))
        layouts = [
            f"<div class='w'>{article}<div class='l'>{teasers}</div></div>",
            f"{article}<div class='l'>{teasers}</div>",
            f"<div class='w'><div class='x'>{article}</div><div class='y'><div class='l'>{teasers}</div></div></div>",
        ]
        for layout in layouts:
            texts, how = _locate(f"<body>{layout}</body>")
            assert texts == ["Budget passes", *PROSE[:3]], layout


def test_article_with_linked_subheads_is_not_a_teaser_list() -> None:
    # Anchors as section titles (<h2><a name>) or a listicle's linked item titles sit beside their
    # paragraphs in one container: no item wrappers, so no teaser penalty.
    para = (
        "<p>Part {i} of the report: the council met on Monday, and the mayor, the treasurer and"
        " the planners agreed on the budget for roads, schools and parks.</p>"
    )
    side = (
        "<div class='about'>"
        + 3
        * (
            "<p>About the author: she has covered the city hall, the courts and the schools for many"
            " years, and lives nearby, with her family, two dogs and a cat.</p>"
        )
        + "</div>"
    )
    for title in (
        "<h2><a name='s{i}'>Section {i}</a></h2>",
        "<h2><a href='/i{i}'>Item {i}</a></h2>",
    ):
        parts = "".join(title.format(i=i) + para.format(i=i) for i in range(4))
        story = f"<div class='main'><div class='story'><h1>Budget</h1>{parts}</div></div>"
        texts, how = _locate(f"<body>{story}<div class='col'>{side}</div></body>")
        assert how == "density"
        assert sum(t.startswith("Part ") for t in texts) == 4, title
        assert not any(t.startswith("About the author") for t in texts)


def test_json_ld_body_without_arabic_diacritics_still_confirms_the_article() -> None:
    # Pages often vowel their text (harakat) or spell alef/ya variants differently from their
    # JSON-LD copy: the cover check folds both, so the article container is confirmed.
    sentence = (
        "قالَ الرئيسُ إنَّ المحادثاتِ ستُستأنفُ غداً في العاصمةِ، وفقاً لمصادرَ مطلعةٍ على"
        " الملفِّ الاقتصاديِّ والأمنيِّ رقم {i} وأضافَ أنَّ الوفدَ سيزورُ المدينةَ"
    )
    paras = [sentence.format(i=i) for i in range(5)]
    article = "<article>" + "".join(f"<p>{p}</p>" for p in paras) + "</article>"
    side = "<div class='x'>" + "".join(f"<p>{p} إضافي</p>" for p in paras[:4]) + "</div>"
    bare = " ".join(re.sub("[\u064b-\u065f]", "", p) for p in paras).replace("أ", "ا")
    tree = LexborHTMLParser(f"<html><body>{article}{side}</body></html>")
    assert tree.body is not None
    walked = walk_blocks(tree.body)
    chosen, how = locate_content(walked.blocks, walked.regions, bare)
    assert how == "markup:2"
    article_node = tree.css_first("article")
    assert article_node is not None and chosen == {article_node.mem_id}
