"""Structural chrome detection: which element subtrees are not article text, and why.

Elements are classified from their tag and attributes during the one block walk; the decision to
drop a candidate is taken after it, from the text its blocks hold, and each drop carries a reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

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
#: Class names (matched whole, casefolded) of article bodies in common CMS themes.
CONTENT_CLASSES = frozenset(
    """
    entry-content post-content article-content article-body articlebody article__body story-body
    story-content td-post-content post-body news-content single-content the-content content-body
    article-text news-text post-entry entry-body field-name-body c-entry-content article__content
    article-details post-text story-text tdb-block-inner td-post-text-content jeg_post_content
    entry post-content-area single-post-content articletext story__body rich-text
    """.split()
)
#: Class names that hide an element in the common CSS frameworks (matched whole, casefolded).
HIDDEN_CLASSES = frozenset(
    "hidden hide is-hidden d-none visually-hidden invisible u-hidden".split()
)
#: Element ids of article bodies.
CONTENT_IDS = frozenset(
    "article-body articlebody story-body article-content post-content content-body".split()
)
#: ARIA roles of page chrome.
CHROME_ROLES = frozenset(
    "navigation banner contentinfo complementary search dialog alertdialog menu menubar".split()
)
#: Content hint ranks, most specific first: the walker records them, content location prefers them.
RANK_ITEMPROP, RANK_CLASS, RANK_ARTICLE, RANK_MAIN = 0, 1, 2, 3


#: Tokens that name a whole page region or a container kind rather than a kind of chrome; a node
#: carrying one is kept when it holds real prose (Blogger's post sits in "widget Blog").
WEAK_TOKENS = frozenset(
    "widget widgets modal popup overlay lightbox sidebar menu menubar nav navbar navigation "
    "footer masthead header skip print popular trending promo".split()
)
#: Reasons whose region is kept when it holds real prose (besides WEAK_TOKENS' class reasons).
_WEAK_REASONS = frozenset(
    ["tag:form", "tag:nav", "tag:header", "tag:aside", "tag:menu", "tag:footer"]
    + ["class:" + t for t in WEAK_TOKENS]
    + ["role:" + r for r in CHROME_ROLES]
    # "Read more" / "show more" name a button, or the container the button reveals: a container
    # holding real prose is the rest of the article (collapsed behind the button), not chrome.
    # "Load more" stays chrome whatever it holds: it is the next page of a list of posts.
    + ["class:read-more", "class:show-more"]
)


def _tokens(raw: str) -> list[str]:
    return [t.lower() for t in _SPLIT.split(raw) if t]


def chrome_reason_for_tokens(tokens: Sequence[str]) -> str | None:
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


#: What an element's class and id say: (chrome reason, content rank, positive content class).
AttrInfo = tuple[str | None, int | None, bool]


#: First tokens of CHROME_RUNS: a token list without any needs no run check.
_RUN_FIRSTS = frozenset(run[0] for run in CHROME_RUNS)
_SEPARATORS = str.maketrans("-_:", "   ")


#: An id of this many words or more, one of them a function word, reads like a sentence (see
#: class_info).
SLUG_ID_TOKENS = 4
_SLUG_WORDS = frozenset(
    "a an the of with to in on and for as at by from is are how what why when who vs".split()
)


def _split_name(raw: str) -> list[str]:
    # camelCase needs the regex split; most class strings are lower-case and split on separators.
    return _tokens(raw) if not raw.islower() else raw.translate(_SEPARATORS).split()


@lru_cache(maxsize=32768)
def class_info(cls: str, ident: str) -> AttrInfo:
    """Classify one class/id pair (memoised: a pure function of its two strings; pages share them)."""
    tokens = _split_name(f"{cls} {ident}")
    chrome = None
    names = cls.casefold().split()
    if not HIDDEN_CLASSES.isdisjoint(names):
        chrome = "hidden"
    elif not CHROME_TOKENS.isdisjoint(tokens) or not _RUN_FIRSTS.isdisjoint(tokens):
        chrome = chrome_reason_for_tokens(tokens)
        id_tokens = _split_name(ident) if ident else []
        if (
            chrome is not None
            and len(id_tokens) >= SLUG_ID_TOKENS
            and not _SLUG_WORDS.isdisjoint(id_tokens)
            and chrome_reason_for_tokens(_split_name(cls)) is None
        ):
            # Only an id that reads like a sentence ("sharing-with-a-single-developer", an
            # anchor made from a heading) names the chrome. It may be a docs section or a table
            # of contents target, or a component ("sign-up-for-newsletter"): it yields to real
            # prose, as a wrapper does ("slug:" reasons are weak), and drops anything less.
            chrome = "slug:" + chrome.removeprefix("class:")
    rank = None
    if not CONTENT_CLASSES.isdisjoint(names) or ident.casefold() in CONTENT_IDS:
        rank = RANK_CLASS
    positive = not CONTENT_TOKENS.isdisjoint(tokens)
    return (chrome, rank, positive)


#: Attributes besides class and id that can make an element chrome or content.
SIGNAL_ATTRS = frozenset(("hidden", "aria-hidden", "style", "role", "aria-modal", "itemprop"))


def element_info(tag: str, attrs: dict[str, str | None]) -> AttrInfo:
    """(chrome reason candidate, content rank, positive class) of one element.

    A candidate is not yet a drop: `blocks.resolve_chrome` decides from the text the element holds.
    """
    chrome: str | None = None
    rank: int | None = None
    positive = False
    if attrs:
        get = attrs.get
        if not SIGNAL_ATTRS.isdisjoint(attrs):
            chrome, rank = _signal_info(attrs)
        cls = get("class") or ""
        ident = get("id") or ""
        if cls or ident:
            c_chrome, c_rank, positive = class_info(cls, ident)
            if chrome is None:
                chrome = c_chrome
            if c_rank is not None and (rank is None or c_rank < rank):
                rank = c_rank
    if tag in CHROME_TAGS and (chrome is None or chrome.startswith("class:")):
        chrome = "tag:" + tag
    if tag == "article" and (rank is None or rank > RANK_ARTICLE):
        rank = RANK_ARTICLE
    elif tag == "main" and rank is None:
        rank = RANK_MAIN
    return chrome, rank, positive


def _signal_info(attrs: dict[str, str | None]) -> tuple[str | None, int | None]:
    """Chrome reason and content rank from hidden/style/role/aria/itemprop attributes."""
    get = attrs.get
    chrome: str | None = None
    rank: int | None = None
    if "hidden" in attrs or get("aria-hidden") == "true":
        chrome = "hidden"
    else:
        style = get("style")
        if style and ("none" in style or "hidden" in style) and _HIDDEN_STYLE.search(style):
            chrome = "hidden"
    role = get("role")
    if chrome is None and role:
        role = role.strip().lower()
        if role in CHROME_ROLES:
            chrome = "role:" + role
        elif role == "main":
            rank = RANK_MAIN
    if chrome is None and get("aria-modal") == "true":
        chrome = "role:dialog"
    if (get("itemprop") or "").strip() == "articleBody":
        rank = RANK_ITEMPROP
    return chrome, rank


#: Prose is PROSE_PARAGRAPHS paragraphs of PROSE_PARAGRAPH_CHARS, or PROSE_CHARS of text with at
#: most PROSE_MAX_LINK_SHARE of it in links.
PROSE_PARAGRAPHS, PROSE_PARAGRAPH_CHARS, PROSE_CHARS, PROSE_MAX_LINK_SHARE = 3, 120, 1500, 0.25


def holds_prose(paragraph_lengths: Sequence[int], chars: int, link_chars: int) -> bool:
    """Whether a region holds article-like prose: long paragraphs, little link text."""
    if sum(1 for n in paragraph_lengths if n >= PROSE_PARAGRAPH_CHARS) >= PROSE_PARAGRAPHS:
        return True
    return chars >= PROSE_CHARS and link_chars < PROSE_MAX_LINK_SHARE * chars


def is_weak_reason(reason: str) -> bool:
    """Whether a chrome reason yields to real prose inside the region (a wrapper, not a widget)."""
    return reason in _WEAK_REASONS or reason.startswith("slug:")
