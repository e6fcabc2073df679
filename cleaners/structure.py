"""Structural chrome detection: which element subtrees are not article text, and why.

Nothing is removed from the tree; the walker skips the marked subtrees (mutating lexbor trees
while holding node handles is unsafe), and each mark carries a named reason.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

#: Tags whose subtree never holds article text.
SKIP_TAGS = frozenset(
    "script style noscript template svg math iframe object embed canvas video audio map area "
    "input select option textarea button head link meta title dialog".split()
)
#: Tags that are page chrome wherever they are (reason "tag:<name>").
CHROME_TAGS = frozenset("nav header footer aside form menu".split())

#: Class/id tokens of chrome, matched whole (after splitting on "-", "_" and camelCase).
CHROME_TOKENS = frozenset(
    """
    share sharing sharer shares social socials sociallinks addthis sharethis a2a
    related relatedposts yarpp jp-relatedposts recommended recommendations recirculation
    comment comments disqus respond
    newsletter subscribe subscription signup
    cookie cookies consent gdpr
    breadcrumb breadcrumbs crumbs pagination pager paging
    nav navbar navigation menu menubar megamenu topbar toolbar
    sidebar widget widgets
    ad ads advert adverts advertisement advertising adsbygoogle dfp sponsor sponsored promo promoted
    popup modal overlay lightbox
    backtotop scrolltop gotop totop
    skip skiplink screenreader sronly
    tags tagcloud taglist keywords
    footer masthead
    outbrain taboola mgid
    trending mostread mostpopular popular
    print rating ratings
    """.split()
)
#: Multi-token runs of chrome ("back-to-top", "read-more", "sr-only").
CHROME_RUNS = frozenset(
    {
        ("back", "to", "top"),
        ("scroll", "top"),
        ("go", "top"),
        ("read", "more"),
        ("more", "link"),
        ("load", "more"),
        ("show", "more"),
        ("sr", "only"),
        ("screen", "reader"),
        ("visually", "hidden"),
        ("most", "read"),
        ("most", "popular"),
        ("post", "meta"),
        ("entry", "meta"),
        ("article", "meta"),
        ("author", "box"),
        ("author", "bio"),
        ("about", "author"),
        ("you", "may", "like"),
        ("also", "read"),
        ("site", "header"),
        ("site", "footer"),
    }
)
_SPLIT = re.compile(r"[-_\s:]+|(?<=[a-z])(?=[A-Z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
#: Positive class tokens (a small weight in content scoring).
CONTENT_TOKENS = frozenset(
    "article body content entry main post story text news blog single detail details".split()
)


def class_tokens(node: LexborNode) -> list[str]:
    """Lower-cased tokens of the element's class and id."""
    attrs = node.attributes
    raw = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return [t.lower() for t in _SPLIT.split(raw) if t]


def chrome_reason_for_tokens(tokens: list[str]) -> str | None:
    """The chrome reason ("class:<token>") for these class/id tokens, or None."""
    for t in tokens:
        if t in CHROME_TOKENS:
            return f"class:{t}"
    for i in range(len(tokens) - 1):
        for n in (2, 3):
            run = tuple(tokens[i : i + n])
            if run in CHROME_RUNS:
                return "class:" + "-".join(run)
    return None


def mark_chrome(tree: LexborHTMLParser) -> dict[int, str]:
    """Mark hidden and class/id/role-chrome elements: `mem_id -> reason`.

    An element that holds most of the page's text is never marked by class (it is a wrapper whose
    class happens to say "menu-open" or "has-sidebar"), only by hidden-ness.
    """
    marks: dict[int, str] = {}
    body = tree.body
    if body is None:
        return marks
    for node in body.css(
        '[hidden], [aria-hidden="true"], [style*="none"], [style*="hidden"], [aria-modal="true"]'
    ):
        attrs = node.attributes
        if "hidden" in attrs or attrs.get("aria-hidden") == "true":
            marks[node.mem_id] = "hidden"
        elif _HIDDEN_STYLE.search(attrs.get("style") or ""):
            marks[node.mem_id] = "hidden"
        elif attrs.get("aria-modal") == "true":
            marks[node.mem_id] = "role:dialog"
    total = max(len(body.text(deep=True)), 1)
    for node in body.css(
        '[role="navigation"], [role="banner"], [role="contentinfo"], [role="complementary"],'
        '[role="search"], [role="dialog"], [role="alertdialog"], [role="menu"], [role="menubar"]'
    ):
        if node.mem_id not in marks and len(node.text(deep=True)) < 0.5 * total:
            marks[node.mem_id] = "role:" + (node.attributes.get("role") or "")
    for node in body.css("[class], [id]"):
        if node.mem_id in marks or node.tag in ("body", "html"):
            continue
        reason = chrome_reason_for_tokens(class_tokens(node))
        if reason and len(node.text(deep=True)) < 0.5 * total:
            marks[node.mem_id] = reason
    return marks
