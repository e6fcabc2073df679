"""The walk's chrome skipping (`walk_blocks(collapse=True)`) keeps what the exact walk keeps:
skipped subtrees are counted once with their reason, and the guards (a wrapper holding most of the
page, wrapper-like chrome holding prose or an article container) still keep the article."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from cleaners import clean
from cleaners.blocks import resolve_chrome, walk_blocks

ARTICLE = "".join(
    f"<p>Paragraph {i} of the article tells the reader about the harbour, the ships, the weather and"
    f" the people who work there every day of the year, in some detail.</p>"
    for i in range(6)
)
MENU = (
    "<ul>"
    + "".join(f"<li><a href='/s/{i}'>Section number {i}</a></li>" for i in range(30))
    + "</ul>"
)
SCRIPT = (
    "<script>var config = {"
    + ", ".join(f"'key{i}': 'value {i}'" for i in range(400))
    + "};</script>"
)


def _kept(html: str, *, collapse: bool) -> tuple[list[str], dict[str, int]]:
    tree = LexborHTMLParser(html)
    assert tree.body is not None
    walked = walk_blocks(tree.body, collapse=collapse)
    reasons = resolve_chrome(walked)
    return [b.text for b, r in zip(walked.blocks, reasons, strict=True) if r is None], dict(
        walked.inline_dropped
    )


PAGES = {
    "menus and footer": f"<body><nav>{MENU}</nav><header><p>Site name</p></header>"
    f"<div class='story'>{ARTICLE}</div><footer>{MENU}<p>Copyright words</p></footer></body>",
    "share, related, hidden": "<body><div class='story'>"
    + ARTICLE
    + "<div class='share-bar'><a href='/f'>Facebook</a><a href='/t'>Twitter</a></div>"
    + f"<div class='related-posts'>{MENU}</div><div hidden><p>Hidden words</p></div></div></body>",
    "chrome-class wrapper of the article": f"<body><div class='has-sidebar'>{ARTICLE}</div>"
    f"<aside>{MENU}</aside></body>",
    "chrome-class main full of script": f"<body><nav>{MENU}</nav>"
    f"<main class='container js-social-anchor'>{SCRIPT}{ARTICLE}</main>"
    f"<div class='modal' hidden>{SCRIPT}</div><div class='popup' hidden>{SCRIPT}</div></body>",
    "hidden wrapper of everything": f"<body><div style='display:none'>{ARTICLE}</div></body>",
    "form holding prose": f"<body><div class='sidebar'>{MENU}</div><form>{ARTICLE}</form></body>",
    "widget holding a short article": "<body><div class='widget Blog'><article>"
    + "<p>A short post of two paragraphs, each long enough to read but not three of them, so that"
    " only the article element inside can keep the widget that holds it.</p>"
    * 2
    + f"</article></div><div class='sidebar'>{MENU}</div>"
    + "<div class='col'>"
    + "".join(
        f"<div><a href='/o/{i}'>Other headline number {i} about the town</a></div>"
        for i in range(15)
    )
    + "</div></body>",
    "big link footer": f"<body><div class='story'>{ARTICLE}</div><footer>{MENU * 4}</footer></body>",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_skipping_chrome_keeps_what_the_exact_walk_keeps(name: str) -> None:
    html = PAGES[name]
    fast, _ = _kept(html, collapse=True)
    exact, _ = _kept(html, collapse=False)
    assert fast == exact
    assert fast  # every page here has an article to keep


def test_a_skipped_subtree_is_one_drop_with_its_reason() -> None:
    _, dropped = _kept(PAGES["menus and footer"], collapse=True)
    assert dropped == {"tag:nav": 1, "tag:header": 1, "tag:footer": 1}
    doc = clean(PAGES["share, related, hidden"])
    counts = dict(doc.dropped)
    assert counts["class:share"] == 1 and counts["class:related"] == 1 and counts["hidden"] == 1
    assert "Facebook" not in doc.text and "Section number" not in doc.text
    assert doc.text.count("Paragraph") == 6


def test_wrappers_of_the_article_with_chrome_marks_keep_it() -> None:
    for name in ("chrome-class wrapper of the article", "chrome-class main full of script"):
        doc = clean(PAGES[name])
        assert doc.text.count("Paragraph") == 6, name
        assert "Section number" not in doc.text, name


def test_wrapper_like_chrome_with_an_article_container_is_walked() -> None:
    # Two long paragraphs are not "prose" by count, but the <article> inside keeps the widget.
    kept, dropped = _kept(PAGES["widget holding a short article"], collapse=True)
    assert any(t.startswith("A short post") for t in kept)
    assert "class:widget" not in dropped
    assert "A short post" in clean(PAGES["widget holding a short article"]).text
