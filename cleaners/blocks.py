"""Walk a parsed page into text blocks: one block per paragraph-like element, in document order.

One pass over the tree: each block knows its kind, link text and element path; each element that
looks like chrome or like an article container is recorded as a region over the blocks it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from cleaners.normalize import clean_whitespace
from cleaners.structure import SKIP_TAGS, element_info, holds_prose, is_weak_reason

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
    """The result of a walk: blocks, regions (pre-order) and inline chrome dropped on the way."""

    blocks: list[Block]
    regions: list[Region]
    inline_dropped: dict[str, int]


class _Walk:
    __slots__ = ("blocks", "regions", "inline_dropped", "parts", "link_chars", "in_link", "depth")

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.regions: list[Region] = []
        self.inline_dropped: dict[str, int] = {}
        self.parts: list[str] = []
        self.link_chars = 0
        self.in_link = 0
        self.depth = 0

    def flush(self, kind: str, path: tuple[int, ...], own_tag: bool, tag: str) -> None:
        if not self.parts:
            return
        raw = "".join(self.parts)
        link = self.link_chars
        self.parts = []
        self.link_chars = 0
        if raw.isspace():
            return
        if _PARAGRAPH_BREAK in raw:
            pieces = raw.split(_PARAGRAPH_BREAK)
            texts = [t for t in map(clean_whitespace, pieces) if t]
            total = sum(map(len, texts)) or 1
            for text in texts:
                # Link text is spread over the pieces in proportion: which piece held it is unknown.
                share = min(len(text), round(link * len(text) / total))
                self.blocks.append(Block(text, kind, share, path, own_tag, tag))
            return
        text = clean_whitespace(raw)
        if text:
            self.blocks.append(Block(text, kind, min(link, len(text)), path, own_tag, tag))

    def visit(
        self, node: LexborNode, kind: str, path: tuple[int, ...], own: bool, tag: str
    ) -> None:
        if self.depth >= MAX_DEPTH:
            self.parts.append(node.text(deep=True, separator=" "))
            return
        # No try/finally: an exception abandons the whole walk, so the counter needs no repair.
        self.depth += 1
        self._visit_children(node, kind, path, own, tag)
        self.depth -= 1

    def _visit_children(
        self, node: LexborNode, kind: str, path: tuple[int, ...], own: bool, tag: str
    ) -> None:
        child = node.first_child
        while child is not None:
            ctag = child.tag
            if ctag == "-text":
                t = child.text_content
                # Whitespace before a block's first text is indentation, never a word gap.
                if t and (self.parts or not t.isspace()):
                    self.parts.append(t)
                    if self.in_link:
                        self.link_chars += len(t.strip())
            elif ctag is None or ctag[0] == "-" or ctag in SKIP_TAGS:
                pass
            elif ctag == "br":
                # Two <br> in a row end a paragraph; one is a line break inside it.
                parts = self.parts
                if parts and (
                    parts[-1] == "\n"
                    or (parts[-1].isspace() and len(parts) > 1 and parts[-2] == "\n")
                ):
                    parts[-1] = _PARAGRAPH_BREAK
                else:
                    parts.append("\n")
            else:
                attrs = child.attributes
                chrome, rank, positive = (
                    element_info(ctag, attrs) if attrs or ctag in _TAG_HINTS else _NO_INFO
                )
                if ctag in INLINE_TAGS:
                    if chrome is not None and self._drop_inline(child, chrome):
                        child = child.next
                        continue
                    is_link = ctag == "a"
                    self.in_link += is_link
                    self.visit(child, kind, path, own, tag)
                    self.in_link -= is_link
                else:
                    if self.parts:
                        self.flush(kind, path, own, tag)
                    mid = child.mem_id
                    region = None
                    if chrome is not None or rank is not None or positive:
                        region = Region(mid, len(self.blocks), 0, chrome, rank, positive, ctag)
                        self.regions.append(region)
                    ckind = BLOCK_KINDS.get(ctag)
                    cpath = (*path, mid)
                    if ckind is None:
                        self.visit(
                            child, kind if own else "paragraph", cpath, own, tag if own else ctag
                        )
                        self.flush(kind if own else "paragraph", cpath, own, tag if own else ctag)
                    else:
                        # A <p> inside <li>/<blockquote>/<td> keeps the outer, more telling kind.
                        if own and ckind == "paragraph" and kind != "heading":
                            ckind = kind
                        self.visit(child, ckind, cpath, True, ctag)
                        self.flush(ckind, cpath, True, ctag)
                    if region is not None:
                        region.end = len(self.blocks)
            child = child.next

    def _drop_inline(self, node: LexborNode, reason: str) -> bool:
        """Inline chrome ("sr-only" text, share links) is dropped whole unless it is long."""
        text = node.text(deep=True)
        if len(text) > _INLINE_CHROME_MAX and reason != "hidden":
            return False
        if text.strip():
            self.inline_dropped[reason] = self.inline_dropped.get(reason, 0) + 1
        return True


_NO_INFO: tuple[str | None, int | None, bool] = (None, None, False)
#: Tags that carry a meaning without attributes (chrome tags, article containers).
_TAG_HINTS = frozenset("nav header footer aside form menu article main".split())


def walk_blocks(root: LexborNode) -> Walked:
    """Walk `root` into text blocks and regions, in document order, in one pass."""
    w = _Walk()
    path = (root.mem_id,)
    w.visit(root, "paragraph", path, False, root.tag or "body")
    w.flush("paragraph", path, False, root.tag or "body")
    return Walked(w.blocks, w.regions, w.inline_dropped)


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
