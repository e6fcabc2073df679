"""Walk a parsed page into text blocks: one block per paragraph-like element, in document order.

One pass over the tree: each block knows its kind, link text and element path; each element that
looks like chrome or like an article container is recorded as a region over the blocks it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.normalize import clean_whitespace
from cleaners.structure import (
    PROSE_CHARS,
    PROSE_MAX_LINK_SHARE,
    PROSE_PARAGRAPH_CHARS,
    PROSE_PARAGRAPHS,
    SIGNAL_ATTRS,
    SKIP_TAGS,
    class_info,
    element_info,
    holds_prose,
    is_weak_reason,
)

INLINE_TAGS = frozenset(
    "a abbr b bdi bdo big cite code data del dfn em font i ins kbd label mark nobr q s samp small "
    "span strike strong sub sup time tt u var wbr".split()
)
BLOCK_KINDS = {
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "p": "paragraph",
    "li": "list_item",
    "dt": "paragraph",
    "dd": "paragraph",
    "blockquote": "quote",
    "figcaption": "caption",
    "caption": "caption",
    "td": "table_cell",
    "th": "table_cell",
    "pre": "preformatted",
}
#: Marks a paragraph break inside a container's direct text ("<div>text<br><br>text</div>").
_PARAGRAPH_BREAK = "\u2029"
#: Deeper element nesting than this is read as flat text (bounded recursion on pathological pages).
MAX_DEPTH = 200
#: An inline chrome candidate (a "sr-only" span, a share link) longer than this is walked as text.
_INLINE_CHROME_MAX = 400


@dataclass(slots=True)
class Block:
    """A run of text owned by one element."""

    text: str
    kind: str
    link_chars: int
    path: tuple[int, ...]  # mem_ids of the element ancestors, body first, owner last
    own_tag: bool  # the owner is a paragraph-like tag (p, h2, li...), not a bare container
    tag: str


@dataclass(slots=True)
class Region:
    """An element of interest and the blocks it holds: `blocks[start:end]`."""

    mem_id: int
    start: int
    end: int
    chrome: str | None  # candidate chrome reason
    rank: int | None  # content hint rank (structure.RANK_*), lower is more specific
    positive: bool  # class/id says "content", "article"...
    tag: str


@dataclass(slots=True)
class Walked:
    """The result of a walk: blocks, regions (pre-order) and the chrome dropped on the way (inline
    chrome, and with `collapse` whole chrome subtrees), one count per dropped element."""

    blocks: list[Block]
    regions: list[Region]
    inline_dropped: dict[str, int]
    #: Tag and class attribute of each element that holds blocks (by mem_id): what tells the parts
    #: of one article (alike wrappers) from a different box beside it.
    shapes: dict[int, tuple[str, str | None]]


_NO_INFO: tuple[str | None, int | None, bool] = (None, None, False)
#: Tags that carry a meaning without attributes (chrome tags, article containers).
_TAG_HINTS = frozenset("nav header footer aside form menu article main".split())
#: lexbor's tag id of text nodes (what `.tag` calls "-text"); an int compare is cheaper.
_TEXT_ID: int = LexborHTMLParser("<p>x</p>").css_first("p").first_child.tag_id  # type: ignore[union-attr]
# How an element is left when its children are done (see walk_blocks).
_LEAVE_INLINE, _LEAVE_LINK, _LEAVE_BLOCK = 0, 1, 2
# What the walk does with a node, by tag, in one dict lookup; any other tag is a container.
_SKIP, _BR, _INLINE, _LINK, _CONTAINER = 0, 1, 2, 3, 4
_TAG_ACTION: dict[str | None, int] = {
    None: _SKIP,
    "-comment": _SKIP,
    "-doctype": _SKIP,
    "-document": _SKIP,
    "-text": _SKIP,  # never asked: text nodes are told apart by tag id first
    **dict.fromkeys(SKIP_TAGS, _SKIP),
    **dict.fromkeys(INLINE_TAGS, _INLINE),
    "a": _LINK,
    "br": _BR,
}


def _tag_ids() -> dict[int, tuple[int, str]]:
    """lexbor's fixed tag ids of the tags the walk knows, with each one's action and name.

    Known HTML, SVG and MathML tags have ids fixed at build time; only custom elements get ids per
    document (and those stay containers, read by name). Dispatching on the int id saves the walk
    a string per element. The table is checked against a second page that names the tags in
    another order after custom ones; if ids ever varied, the walk would read every name instead.
    """
    names = sorted(n for n in _TAG_ACTION if n and n[0] != "-") + sorted(
        set(BLOCK_KINDS)
        | _TAG_HINTS
        | set(
            "div section span ul ol dl table tbody thead tfoot tr img figure picture source hr center".split()
        )
    )

    def read(markup: str) -> dict[str, int]:
        tree = LexborHTMLParser(markup)
        found: dict[str, int] = {}
        for node in tree.root.traverse(include_text=True) if tree.root is not None else ():
            if node.tag and node.tag != "-text":
                found.setdefault(node.tag, node.tag_id)
        return found

    def page(order: list[str]) -> str:
        cells = "<table><caption>c</caption><tr><td>d</td><th>h</th></tr></table>"
        inner = "".join(f"<{n}>x</{n}>" for n in order if n not in ("td", "th", "caption"))
        return (
            f"<html><head></head><body><x-a><y-b><!--c-->{inner}{cells}</y-b></x-a></body></html>"
        )

    first, second = read(page(names)), read(page(names[::-1]))
    table: dict[int, tuple[int, str]] = {}
    for name, tid in first.items():
        if name in names or name in ("html", "head", "body", "-comment"):
            if second.get(name) != tid:
                return {}
            table[tid] = (_TAG_ACTION.get(name, _CONTAINER), name)
    return table


_ID_INFO = _tag_ids()


def walk_blocks(root: LexborNode, *, collapse: bool = False) -> Walked:
    """Walk `root` into text blocks and regions, in document order, in one pass.

    The hot loop of the cleaner: an explicit stack instead of recursion and locals instead of
    attributes, since per-node Python work is most of its cost. With `collapse`, a chrome candidate
    that `resolve_chrome` would surely drop is skipped without descending into it (half of a news
    page's nodes sit in menus, footers and sidebars) and counted as one drop with its reason; the
    guards that need the whole page (a candidate holding most of its text) are checked after the
    walk, and if one fires the page is walked again without collapsing.
    """
    blocks: list[Block] = []
    collapsed: list[tuple[LexborNode, str, int]] = []  # skipped chrome: (node, reason, chars)
    regions: list[Region] = []
    inline_dropped: dict[str, int] = {}
    shapes: dict[int, tuple[str, str | None]] = {}
    parts: list[str] = []  # text of the block being built
    link_chars = 0
    in_link = 0
    # mem_ids of the non-inline elements open now, root first: a block's path is a snapshot,
    # taken only when a block is made (most elements make none).
    path: list[int] = [root.mem_id]
    # One frame per open element: (its next sibling, how to leave it[, the context to restore]).
    frames: list[tuple[Any, ...]] = []
    text_id, id_info, tag_action, block_kinds = _TEXT_ID, _ID_INFO, _TAG_ACTION, BLOCK_KINDS
    tag_hints, signal_attrs = _TAG_HINTS, SIGNAL_ATTRS
    append_part = parts.append
    kind, own, tag = "paragraph", False, root.tag or "body"
    child = root.first_child
    while True:
        if child is None:
            if not frames:
                break
            frame = frames.pop()
            child = frame[0]
            leave = frame[1]
            if leave == _LEAVE_BLOCK:
                if parts:
                    _flush(blocks, parts, link_chars, kind, own, tag, tuple(path))
                    link_chars = 0
                path.pop()
                region = frame[5]
                if region is not None:
                    region.end = len(blocks)
                kind, own, tag = frame[2], frame[3], frame[4]
            elif leave == _LEAVE_LINK:
                in_link -= 1
            continue
        tid = child.tag_id
        if tid == text_id:
            t = child.text_content
            # Whitespace before a block's first text is indentation, never a word gap.
            if t and (parts or not t.isspace()):
                append_part(t)
                if in_link:
                    link_chars += len(t.strip())
            child = child.next
            continue
        info = id_info.get(tid)
        if info is None:
            ctag = child.tag
            if ctag is None or ctag[0] == "-":
                child = child.next
                continue
            action = tag_action.get(ctag, _CONTAINER)
        else:
            action, ctag = info
        if action == _SKIP:
            child = child.next
            continue
        if action == _BR:
            # Two <br> in a row end a paragraph; one is a line break inside it.
            if parts and (
                parts[-1] == "\n" or (parts[-1].isspace() and len(parts) > 1 and parts[-2] == "\n")
            ):
                parts[-1] = _PARAGRAPH_BREAK
            else:
                append_part("\n")
            child = child.next
            continue
        first = child.first_child
        if first is None:
            # An empty element holds no text: an inline one is nothing, any other one only ends
            # the block before it (as walking into it would).
            if action == _CONTAINER and parts:
                _flush(blocks, parts, link_chars, kind, own, tag, tuple(path))
                link_chars = 0
            child = child.next
            continue
        attrs = child.attributes
        if attrs:
            if ctag in tag_hints or not signal_attrs.isdisjoint(attrs):
                chrome, rank, positive = element_info(ctag, attrs)
            else:
                # Only class and id can say anything: the memoised classifier decides.
                cls = attrs.get("class")
                ident = attrs.get("id")
                if cls or ident:
                    chrome, rank, positive = class_info(cls or "", ident or "")
                else:
                    chrome, rank, positive = _NO_INFO
        elif ctag in tag_hints:
            chrome, rank, positive = element_info(ctag, attrs)
        else:
            chrome, rank, positive = _NO_INFO
        if action != _CONTAINER:
            if chrome is not None and _drop_inline(child, chrome, inline_dropped):
                child = child.next
                continue
            if first.tag_id == text_id and first.next is None:
                # One text child (a plain link, <em>, <b>): read it here, no frame needed.
                t = first.text_content
                if t and (parts or not t.isspace()):
                    append_part(t)
                    if in_link or action == _LINK:
                        link_chars += len(t.strip())
                child = child.next
                continue
            if action == _LINK:
                in_link += 1
                frames.append((child.next, _LEAVE_LINK))
            else:
                frames.append((child.next, _LEAVE_INLINE))
        else:
            if chrome is not None and collapse:
                n = _collapsed_chars(child, chrome)
                if n >= 0:
                    # The skipped subtree still ends the block before it, as walking it would.
                    if parts:
                        _flush(blocks, parts, link_chars, kind, own, tag, tuple(path))
                        link_chars = 0
                    if n:
                        collapsed.append((child, chrome, n))
                    child = child.next
                    continue
            if parts:
                _flush(blocks, parts, link_chars, kind, own, tag, tuple(path))
                link_chars = 0
            mid = child.mem_id
            region = None
            if chrome is not None or rank is not None or positive:
                region = Region(mid, len(blocks), 0, chrome, rank, positive, ctag)
                regions.append(region)
            shapes[mid] = (ctag, attrs.get("class") if attrs else None)
            path.append(mid)
            frames.append((child.next, _LEAVE_BLOCK, kind, own, tag, region))
            ckind = block_kinds.get(ctag)
            if ckind is None:
                if not own:
                    kind, tag = "paragraph", ctag
            else:
                # A <p> inside <li>/<blockquote>/<td> keeps the outer, more telling kind.
                if not (own and ckind == "paragraph" and kind != "heading"):
                    kind = ckind
                own, tag = True, ctag
        if len(frames) >= MAX_DEPTH:
            # Deeper nesting is read as flat text (bounded work on pathological pages).
            parts.append(child.text(deep=True, separator=" "))
            child = None
        else:
            child = first
    if parts:
        _flush(blocks, parts, link_chars, kind, own, tag, tuple(path))
    if collapsed and _skipped_most(blocks, collapsed):
        return walk_blocks(root, collapse=False)
    for _node, reason, _n in collapsed:
        inline_dropped[reason] = inline_dropped.get(reason, 0) + 1
    return Walked(blocks, regions, inline_dropped, shapes)


#: Shares of the page's text above which a skipped chrome subtree sends the page to the exact walk
#: (resolve_chrome's own limits are 0.5 and 0.9; skipped sizes are estimates, hence a margin).
_COLLAPSE_GUARD, _COLLAPSE_GUARD_HIDDEN = 0.45, 0.85
#: Skipped size estimates miss the spaces between text nodes: the prose tests start this much lower.
_ESTIMATE_MARGIN = 0.8
#: The common explicit article containers (content rank <= RANK_ARTICLE): a wrapper-like candidate
#: holding one is walked, so that `_holds_article` can keep it. A short list, since a selector costs
#: time per entry; the whole-page guard covers a wrapper of the article that it misses.
_ARTICLE_HINT_SELECTOR = (
    "article, [itemprop~=articleBody], .entry-content, .post-content, .post-body, .article-body,"
    " .article-content, .story-body, .td-post-content, #article-body"
)
#: Text the walk never reads but `node.text()` includes (SKIP_TAGS that can hold text).
_UNREAD_SELECTOR = ", ".join(sorted(SKIP_TAGS - {"head", "link", "meta", "input", "area"}))


def _skipped_most(blocks: list[Block], collapsed: list[tuple[LexborNode, str, int]]) -> bool:
    """Whether a skipped chrome subtree may hold most of the page's text (resolve_chrome's guard).

    A skipped size counts script text too, so it bounds the real size from above: a subtree whose
    bound is under its limit against the walked text alone cannot reach the limit. Otherwise all
    skipped subtrees are measured again without script text (which also inflates the total).
    """
    walked = sum(len(b.text) for b in blocks)

    def limit(reason: str) -> float:
        return _COLLAPSE_GUARD_HIDDEN if reason == "hidden" else _COLLAPSE_GUARD

    # n >= g * (walked + n + others) needs n >= g / (1 - g) * walked.
    if all(n < limit(reason) / (1 - limit(reason)) * walked for _node, reason, n in collapsed):
        return False
    sizes = []
    for node, _reason, n in collapsed:
        unread = sum(len(s.text(deep=True, skip_empty=True)) for s in node.css(_UNREAD_SELECTOR))
        sizes.append(max(0, n - unread))
    total = walked + sum(sizes)
    return any(
        size >= limit(reason) * total
        for size, (_node, reason, _n) in zip(sizes, collapsed, strict=True)
    )


def _collapsed_chars(node: LexborNode, reason: str) -> int:
    """The characters of a chrome candidate that can be skipped, or -1 when it must be walked.

    Hidden and specific chrome (share bars, ads, related links) is dropped whatever it holds,
    save the whole-page guard checked after the walk. Wrapper-like chrome (nav, header, footer,
    aside, form, "widget"...) is kept by `resolve_chrome` when it holds prose or an article
    container, so it is skipped only when C-side measures (an estimate of its text, its long
    paragraphs, its link text) rule both out; otherwise the walk decides exactly. The size is an
    estimate: whitespace-only text nodes are left out (they are half a page's nodes).
    """
    n = len(node.text(deep=True, skip_empty=True))
    if reason == "hidden" or not n or not is_weak_reason(reason):
        return n
    if n >= _ESTIMATE_MARGIN * PROSE_PARAGRAPHS * PROSE_PARAGRAPH_CHARS:
        long_paras = 0
        for p in node.css("p"):
            if len(p.text(deep=True).strip()) >= PROSE_PARAGRAPH_CHARS:
                long_paras += 1
                if long_paras >= PROSE_PARAGRAPHS:
                    return -1
        if n >= _ESTIMATE_MARGIN * PROSE_CHARS:
            links = sum(len(a.text(deep=True).strip()) for a in node.css("a"))
            # A margin over PROSE_MAX_LINK_SHARE: anchors the walk skips (in <noscript>) count here.
            if links < (PROSE_MAX_LINK_SHARE + 0.05) * n:
                return -1
        # Small candidates skip the article check (a selector is costly): an article container in
        # one would hold too little to matter, or the whole-page guard catches it.
        if node.css_first(_ARTICLE_HINT_SELECTOR) is not None:
            return -1
    return n


def _flush(
    blocks: list[Block],
    parts: list[str],
    link: int,
    kind: str,
    own_tag: bool,
    tag: str,
    path: tuple[int, ...],
) -> None:
    """Make the block(s) of the text gathered in `parts` (then emptied)."""
    raw = parts[0] if len(parts) == 1 else "".join(parts)
    parts.clear()
    if _PARAGRAPH_BREAK in raw:
        pieces = raw.split(_PARAGRAPH_BREAK)
        texts = [t for t in map(clean_whitespace, pieces) if t]
        total = sum(map(len, texts)) or 1
        for text in texts:
            # Link text is spread over the pieces in proportion: which piece held it is unknown.
            share = min(len(text), round(link * len(text) / total))
            blocks.append(Block(text, kind, share, path, own_tag, tag))
        return
    text = clean_whitespace(raw)
    if text:
        blocks.append(Block(text, kind, min(link, len(text)), path, own_tag, tag))


def _drop_inline(node: LexborNode, reason: str, dropped: dict[str, int]) -> bool:
    """Inline chrome ("sr-only" text, share links) is dropped whole unless it is long."""
    text = node.text(deep=True)
    if len(text) > _INLINE_CHROME_MAX and reason != "hidden":
        return False
    if text.strip():
        dropped[reason] = dropped.get(reason, 0) + 1
    return True


def resolve_chrome(walked: Walked) -> list[str | None]:
    """The drop reason of each block (None: kept), from the chrome candidates that hold it.

    A candidate is dropped unless it holds most of the page's text (a wrapper whose class says
    "has-sidebar") or, for a wrapper-like reason (`is_weak_reason`), it holds real prose. Hidden
    regions are dropped whatever they hold, except a hidden wrapper of nearly all the page's text
    (a "reveal after load" trick: dropping it would leave nothing). Candidates are taken outermost first; a dropped region's inner
    candidates need no decision.
    """
    blocks = walked.blocks
    reasons: list[str | None] = [None] * len(blocks)
    if not blocks:
        return reasons
    # Prefix sums of characters and link characters over the blocks.
    chars = [0]
    links = [0]
    for b in blocks:
        chars.append(chars[-1] + len(b.text))
        links.append(links[-1] + b.link_chars)
    total = chars[-1] or 1
    covered_to = -1
    for r in walked.regions:
        if r.chrome is None or r.start >= r.end or r.start < covered_to:
            continue
        n = chars[r.end] - chars[r.start]
        if n >= (0.9 if r.chrome == "hidden" else 0.5) * total:
            continue
        if r.chrome != "hidden" and is_weak_reason(r.chrome):
            paras = [len(b.text) for b in blocks[r.start : r.end] if b.tag == "p"]
            if holds_prose(paras, n, links[r.end] - links[r.start]) or _holds_article(walked, r):
                continue
        for i in range(r.start, r.end):
            reasons[i] = r.chrome
        covered_to = r.end
    return reasons


def _holds_article(walked: Walked, outer: Region) -> bool:
    """Whether a region contains an explicit article container (ASP.NET wraps pages in a <form>)."""
    for r in walked.regions:
        if r.start >= outer.end:
            break
        if (
            r.start >= outer.start
            and r.end <= outer.end
            and r is not outer
            and r.rank is not None
            and r.rank <= 2
        ):
            return True
    return False
