"""Walk a parsed page into text blocks: one block per paragraph-like element, in document order.

Each block knows its kind, its link text share and its element path, which content location scores.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from cleaners.normalize import clean_whitespace
from cleaners.structure import CHROME_TAGS, SKIP_TAGS

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
#: Containers whose direct text is a paragraph of its own ("<div>text<br><br>text</div>").
_PARAGRAPH_BREAK = "\u2029"


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
class Dropped:
    """A subtree skipped as chrome, with its reason and the text it held (for counting)."""

    reason: str
    path: tuple[int, ...]


class _Walk:
    __slots__ = ("marks", "blocks", "dropped", "parts", "link_chars", "in_link")

    def __init__(self, marks: dict[int, str]) -> None:
        self.marks = marks
        self.blocks: list[Block] = []
        self.dropped: list[Dropped] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.in_link = 0

    def flush(self, kind: str, path: tuple[int, ...], own_tag: bool, tag: str) -> None:
        if not self.parts:
            return
        raw = "".join(self.parts)
        link = self.link_chars
        self.parts = []
        self.link_chars = 0
        pieces = raw.split(_PARAGRAPH_BREAK) if _PARAGRAPH_BREAK in raw else (raw,)
        for piece in pieces:
            text = clean_whitespace(piece)
            if text:
                share = min(link, len(text)) if len(pieces) == 1 else 0
                self.blocks.append(Block(text, kind, share, path, own_tag, tag))

    def visit(self, node: LexborNode, kind: str, path: tuple[int, ...], own: bool, tag: str) -> None:
        child = node.first_child
        while child is not None:
            ctag = child.tag
            if ctag == "-text":
                t = child.text_content
                if t:
                    self.parts.append(t)
                    if self.in_link:
                        self.link_chars += len(t.strip())
            elif ctag is None or ctag.startswith("-") or ctag in SKIP_TAGS:
                pass
            elif ctag == "br":
                # Two <br> in a row end a paragraph; one is a line break inside it.
                if self.parts and self.parts[-1] == "\n":
                    self.parts[-1] = _PARAGRAPH_BREAK
                else:
                    self.parts.append("\n")
            else:
                mid = child.mem_id
                reason = self.marks.get(mid)
                if reason is None and ctag in CHROME_TAGS and not _holds_article(child):
                    reason = "tag:" + ctag
                if reason is not None:
                    self.dropped.append(Dropped(reason, path))
                elif ctag in INLINE_TAGS:
                    is_link = ctag == "a"
                    self.in_link += is_link
                    self.visit(child, kind, path, own, tag)
                    self.in_link -= is_link
                else:
                    self.flush(kind, path, own, tag)
                    ckind = BLOCK_KINDS.get(ctag)
                    cpath = (*path, mid)
                    if ckind is None:
                        self.visit(child, kind if own else "paragraph", cpath, own, tag if own else ctag)
                        self.flush(kind if own else "paragraph", cpath, own, tag if own else ctag)
                    else:
                        # A <p> inside <li>/<blockquote>/<td> keeps the outer, more telling kind.
                        if own and ckind == "paragraph" and kind != "heading":
                            ckind = kind
                        self.visit(child, ckind, cpath, True, ctag)
                        self.flush(ckind, cpath, True, ctag)
            child = child.next


def _holds_article(node: LexborNode) -> bool:
    """A <form>/<header> that wraps the article (ASP.NET pages wrap everything in a form)."""
    if node.tag not in ("form", "header"):
        return False
    return node.css_first("article, [itemprop=articleBody]") is not None or len(node.css("p")) >= 5


def walk_blocks(root: LexborNode, marks: dict[int, str]) -> tuple[list[Block], list[Dropped]]:
    """Walk `root` into text blocks, skipping `marks` and chrome tags, in document order."""
    w = _Walk(marks)
    path = (root.mem_id,)
    w.visit(root, "paragraph", path, False, root.tag or "body")
    w.flush("paragraph", path, False, root.tag or "body")
    return w.blocks, w.dropped
