"""Structural chrome rules: each rule drops its subtree with its named reason, and the guards
(wrappers holding most of the text, prose inside wrapper-like chrome) keep the article."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from cleaners import clean
from cleaners.blocks import resolve_chrome, walk_blocks
from cleaners.structure import class_info, element_info, is_weak_reason

ARTICLE = "".join(
    f"<p>Paragraph {i} of the article tells the reader about the harbour, the ships, the weather and"
    f" the people who work there every day of the year, in some detail.</p>"
    for i in range(6)
)


def _page(chrome: str, *, article: str = ARTICLE) -> str:
    return f"<html><body><div class='wrap'>{chrome}<div class='story'>{article}</div></div></body></html>"


def _reasons(html: str) -> dict[str, str | None]:
    """Block text -> drop reason (None: kept by the structure pass)."""
    tree = LexborHTMLParser(html)
    assert tree.body is not None
    walked = walk_blocks(tree.body)
    return {b.text: r for b, r in zip(walked.blocks, resolve_chrome(walked), strict=True)}


@pytest.mark.parametrize(
    ("chrome", "reason"),
    [
        ("<nav><a href='/'>Home page link</a></nav>", "tag:nav"),
        ("<header><p>Site masthead words</p></header>", "tag:header"),
        ("<footer><p>Copyright words here</p></footer>", "tag:footer"),
        ("<aside><p>Side box words here</p></aside>", "tag:aside"),
        ("<form><p>Search the site words</p></form>", "tag:form"),
        ("<div hidden><p>Hidden attribute words</p></div>", "hidden"),
        ("<div aria-hidden='true'><p>Aria hidden words</p></div>", "hidden"),
        ("<div style='display: none'><p>Display none words</p></div>", "hidden"),
        ("<div style='visibility:hidden'><p>Visibility hidden words</p></div>", "hidden"),
        ("<div class='d-none'><p>Framework hidden words</p></div>", "hidden"),
        ("<div role='navigation'><p>Role navigation words</p></div>", "role:navigation"),
        ("<div role='contentinfo'><p>Role contentinfo words</p></div>", "role:contentinfo"),
        ("<div aria-modal='true'><p>Modal dialog words</p></div>", "role:dialog"),
        ("<div class='share-buttons'><p>Facebook Twitter words</p></div>", "class:share"),
        ("<div class='relatedPosts'><p>Another story title words</p></div>", "class:related"),
        ("<div id='comments'><p>A reader comment words</p></div>", "class:comments"),
        ("<div class='newsletter-signup'><p>Sign up now words</p></div>", "class:newsletter"),
        ("<div class='back-to-top'><p>Up arrow words</p></div>", "class:back-to-top"),
        ("<div class='cookie-banner'><p>We use cookies words</p></div>", "class:cookie"),
    ],
)
def test_each_structural_rule_drops_with_its_reason(chrome: str, reason: str) -> None:
    reasons = _reasons(_page(chrome))
    chrome_text = LexborHTMLParser(chrome).body.text(deep=True).strip()  # type: ignore[union-attr]
    assert reasons[chrome_text] == reason
    assert all(reasons[t] is None for t in reasons if t.startswith("Paragraph"))
    doc = clean(_page(chrome))
    assert dict(doc.dropped).get(reason, 0) >= 1
    assert chrome_text not in doc.text
    assert doc.text.count("Paragraph") == 6


def test_inline_chrome_is_dropped_and_counted() -> None:
    html = _page(
        "",
        article=ARTICLE
        + "<p>Final words <span class='sr-only'>opens in a new tab</span> here.</p>",
    )
    doc = clean(html)
    assert "opens in a new tab" not in doc.text
    assert "Final words here." in doc.text
    assert dict(doc.dropped)["class:sr-only"] == 1


def test_wrapper_with_chrome_class_holding_the_article_is_kept() -> None:
    # A theme that puts "has-sidebar" / "menu-open" on the page wrapper must not lose the article.
    html = f"<html><body><div class='has-sidebar menu-open'>{ARTICLE}</div></body></html>"
    assert clean(html).text.count("Paragraph") == 6


def test_wrapper_like_chrome_holding_prose_is_kept() -> None:
    # Blogger puts the post inside "widget Blog"; ASP.NET pages wrap everything in a <form>.
    sidebar = "<div class='sidebar'><ul><li><a href='/a'>Link one</a></li><li><a href='/b'>Two</a></li></ul></div>"
    for wrapper in ("div class='widget Blog'", "form"):
        tag = wrapper.split()[0]
        html = f"<html><body>{sidebar * 3}<{wrapper}>{ARTICLE}</{tag}>{sidebar * 3}</body></html>"
        doc = clean(html)
        assert doc.text.count("Paragraph") == 6, wrapper
        assert "Link one" not in doc.text


def test_specific_chrome_inside_kept_wrapper_is_still_dropped() -> None:
    html = f"<html><body><form>{ARTICLE}<div class='share'><p>Share on Facebook now</p></div></form></body></html>"
    doc = clean(html)
    assert "Facebook" not in doc.text
    assert dict(doc.dropped)["class:share"] == 1


def test_hidden_wrapper_of_nearly_everything_is_kept() -> None:
    # "Reveal after load" pages hide the whole page; dropping it would leave nothing.
    html = f"<html><body><div style='display:none'>{ARTICLE}</div></body></html>"
    assert clean(html).text.count("Paragraph") == 6


def test_class_tokens_split_on_separators_and_camel_case() -> None:
    assert class_info("postShareBar", "")[0] == "class:share"
    assert class_info("td_block_related_posts", "")[0] == "class:related"
    assert class_info("sharedresources", "")[0] is None  # a substring is not a token
    assert class_info("entry-content clearfix", "")[1] == 1
    assert class_info("", "article-body")[1] == 1
    assert class_info("post-content", "")[2] is True


def test_element_info_ranks_article_markup() -> None:
    assert element_info("div", {"itemprop": "articleBody"})[1] == 0
    assert element_info("article", {})[1] == 2
    assert element_info("main", {})[1] == 3
    assert element_info("div", {"role": "main"})[1] == 3
    assert element_info("nav", {"class": "share"})[0] == "tag:nav"


def test_read_more_container_holding_the_rest_of_the_article_is_kept() -> None:
    # News themes put the second half of a story in the box a "Read more" button reveals; the
    # button itself, and a "read more" box of teaser links, are still chrome.
    rest = "".join(
        f"<p>Later paragraph {i} goes on with the harbour story, the ships and the weather, at some"
        f" length and with the detail the first half promised the reader.</p>"
        for i in range(4)
    )
    teasers = (
        "<div class='read-more'><a href='/a'>Another story</a> <a href='/b'>And one more</a></div>"
    )
    html = (
        "<html><body><div class='story-body'>"
        f"{ARTICLE}<div class='read-more-content'>{rest}</div>"
        "<button class='show-more'>Show more</button></div>"
        f"{teasers}</body></html>"
    )
    doc = clean(html)
    assert doc.text.count("Paragraph") == 6
    assert doc.text.count("Later paragraph") == 4
    assert "Another story" not in doc.text
    assert "Show more" not in doc.text
    # Without the prose, the same class is chrome and says so.
    short = html.replace(rest, "<p>Read the full story</p>")
    assert "Read the full story" not in clean(short).text
    assert dict(clean(short).dropped).get("class:read-more") == 2  # the box and the teasers


def test_load_more_list_of_post_excerpts_stays_chrome() -> None:
    excerpts = "".join(
        f"<p>Excerpt {i} of another post, long enough to read like prose: the harbour, the ships,"
        f" the weather and the people who work there every day, in some detail.</p>"
        for i in range(4)
    )
    html = (
        f"<html><body><article>{ARTICLE}<div class='load-more-posts'>{excerpts}</div></article>"
        "</body></html>"
    )
    doc = clean(html)
    assert doc.text.count("Paragraph") == 6
    assert "Excerpt" not in doc.text
    assert dict(doc.dropped)["class:load-more"] == 1


def test_sentence_like_ids_yield_to_prose() -> None:
    # Docs and TOC anchors name sections after their headings: "sharing-with-a-single-developer"
    # reads like a sentence; such an id names weak chrome, kept when it holds the article's prose,
    # while a component with such an id ("sign-up-for-newsletter") holding a blurb is dropped.
    for ident in ("sharing-with-a-single-developer", "related-work-in-the-field"):
        html = (
            f"<html><body><div class='doc'><div class='section' id='{ident}'>{ARTICLE}</div>"
            f"<div class='section' id='next'>{ARTICLE.replace('Paragraph', 'Second part')}</div>"
            "</div></body></html>"
        )
        doc = clean(html)
        assert doc.text.count("Paragraph") == 6, ident
    reason = class_info("section", "sharing-with-a-single-developer")[0]
    assert reason == "slug:sharing" and is_weak_reason(reason)
    box = (
        "<div id='sign-up-for-newsletter' class='box'><p>Get the best of our journalism delivered"
        " to your inbox every morning.</p></div>"
    )
    half = len(ARTICLE) // 2
    cut = ARTICLE.index("<p>", half)
    html = f"<html><body><article>{ARTICLE[:cut]}{box}{ARTICLE[cut:]}</article></body></html>"
    doc = clean(html)
    assert "journalism" not in doc.text
    assert dict(doc.dropped)["slug:newsletter"] == 1
    # Names that are not sentences, or a class that says chrome, keep their specific meaning.
    assert class_info("", "site-index-subscribe-label")[0] == "class:subscribe"
    assert class_info("", "share-on-facebook")[0] == "class:share"
    assert class_info("share-bar", "share-this-story-with-friends")[0] == "class:share"
