"""Main-content location: which blocks of a page are the article.

Known markup first (itemprop=articleBody, common CMS containers, <article>, <main>), checked against
JSON-LD articleBody when the page has one, then a text-density / link-density score over containers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from cleaners.blocks import Block, Region
from cleaners.normalize import fold_for_overlap
from cleaners.structure import RANK_ARTICLE

#: Block kinds that count as prose when scoring containers.
_PROSE_KINDS = frozenset(("paragraph", "quote", "preformatted"))


def _score_text(text: str) -> float:
    return 1.0 + text.count(",") + text.count("،") + min(len(text) / 100.0, 3.0)


def locate_content(
    blocks: Sequence[Block],
    regions: Sequence[Region],
    json_ld_body: str | None = None,
    shapes: Mapping[int, tuple[str, str | None]] | None = None,
) -> tuple[set[int], str]:
    """Choose the element(s) holding the article among the kept (non-chrome) blocks.

    Returns the mem_ids of the chosen elements (a block belongs to the article when its path
    contains one) and how they were found ("markup:<rank>", "density", "all" or "empty").
    `shapes` (the walk's tag and class per element) lets the density path join an article's
    parts that sit in separate, alike wrappers; without it only siblings join.
    """
    if not blocks:
        return set(), "empty"
    chars: dict[int, int] = defaultdict(int)
    links: dict[int, int] = defaultdict(int)
    score: dict[int, float] = defaultdict(float)
    prose: dict[int, int] = defaultdict(int)  # characters of prose blocks under each element
    parent: dict[int, int | None] = {}
    depth: dict[int, int] = {}
    # Teasers: an excerpt right after a linked title, the two close under a small wrapper of their
    # own (<li|div|article><h3><a>Title</a></h3><p>Excerpt</p>). Candidate wrappers are collected
    # here and kept when they hold at most TEASER_ITEM_BLOCKS blocks: an article whose subheads
    # are links (anchors, a listicle's item titles) meets in one big container instead.
    scored_paras: dict[int, int] = defaultdict(int)
    nblocks: dict[int, int] = defaultdict(int)
    item_candidates: set[int] = set()
    before: Block | None = None
    # Sums per owner element first, then carried up the tree once: blocks share their ancestors,
    # so adding each block to every element of its path repeats the same work many times.
    for b in blocks:
        n = len(b.text)
        path = b.path
        last = path[-1]
        if last not in parent:
            prev: int | None = None
            for level, mid in enumerate(path):
                if mid not in parent:
                    parent[mid] = prev
                    depth[mid] = level
                prev = mid
        chars[last] += n
        links[last] += b.link_chars
        if (b.kind in _PROSE_KINDS and n >= 25) or (b.kind == "table_cell" and n >= 100):
            prose[last] += n
            owners = path[:-1] if b.own_tag else path
            s = _score_text(b.text)
            if before is not None and before.link_chars >= TEASER_TITLE_LINK_SHARE * len(
                before.text
            ):
                item = _item_wrapper(before.path, path)
                if item is not None:
                    item_candidates.add(item)
            for level, mid in enumerate(reversed(owners[-3:])):
                score[mid] += s / (1 + level)
                scored_paras[mid] += 1
        nblocks[last] += 1
        before = b
    for mid in sorted(parent, key=depth.__getitem__, reverse=True):
        up = parent[mid]
        if up is not None:
            chars[up] += chars[mid]
            links[up] += links[mid]
            nblocks[up] += nblocks[mid]
            if mid in prose:
                prose[up] += prose[mid]
    root = blocks[0].path[0]
    total = max(chars[root], 1)
    total_prose = prose.get(root, 0)

    # 1. Known markup: the most specific kind of container that holds a fair share of the text.
    want: set[str] | None = None  # the words of JSON-LD articleBody, read once
    by_rank: dict[int, list[int]] = defaultdict(list)
    for r in regions:
        if r.rank is not None and chars.get(r.mem_id, 0) > 0:
            by_rank[r.rank].append(r.mem_id)
    for rank in sorted(by_rank):
        found = by_rank[rank]
        best = max(found, key=lambda m: (prose.get(m, 0), chars[m]))
        dens = links[best] / max(chars[best], 1)
        # Prose is counted over the whole subtree: a <main> far above the paragraphs still holds them.
        if (
            prose.get(best, 0) < max(150, 0.3 * total_prose)
            or chars[best] < 0.15 * total
            or dens >= 0.5
        ):
            continue
        if json_ld_body:
            if want is None:
                want = set(fold_for_overlap(json_ld_body).split())
            if not _covers_body(blocks, {best}, want):
                continue
        chosen = {best}
        # Several sibling containers (two .entry-content parts) are one article; several <article>
        # teasers are not, so those join only when they score like the best one.
        need = 0.5 if rank < RANK_ARTICLE else 0.8
        for other in found:
            if other != best and prose.get(other, 0) >= need * prose[best]:
                chosen.add(other)
        return _outermost(chosen, parent), f"markup:{rank}"

    # 2. Density: the best-scoring container, weighted by its link density and class names.
    if not score:
        return {blocks[0].path[0]}, "all"
    bonus: dict[int, float] = {}
    for r in regions:
        if r.mem_id in score:
            w = (25.0 if r.positive else 0.0) + (25.0 if r.tag in ("article", "main") else 0.0)
            if w:
                bonus[r.mem_id] = w
    weighted: dict[int, float] = {}
    for mid, s in score.items():
        dens = links[mid] / max(chars[mid], 1)
        weighted[mid] = (s + bonus.get(mid, 0.0)) * (1.0 - dens)
    for mid in _teaser_elements(blocks, item_candidates, nblocks, scored_paras, parent):
        # A list of teasers (linked title, then an excerpt, again and again), or a part of one,
        # reads like prose by its length and commas, but it is not an article.
        if mid in weighted:
            weighted[mid] *= TEASER_PENALTY
    top = max(weighted, key=lambda m: (weighted[m], chars[m]))
    chosen = {top}
    top_parent = parent.get(top)
    if top_parent is not None:
        # Siblings of the top candidate that score well are parts of the same article.
        threshold = max(10.0, 0.2 * weighted[top])
        for mid, w in weighted.items():
            if mid != top and w >= threshold and parent.get(mid) == top_parent:
                chosen.add(mid)
    if shapes is not None and prose.get(top, 0) < SPLIT_ARTICLE_SHARE * total_prose:
        # The best container holds a minority of the page's prose: an article cut into parts
        # (steps, sections) that sit in separate wrappers. Other containers shaped like it (same
        # tag, same first class name) that score like it join, best first, each one not inside
        # or around one already chosen; a box of another shape (an author bio) does not.
        need = max(10.0, SPLIT_PART_SCORE * weighted[top])
        shape = _shape(shapes.get(top))
        for mid in sorted(weighted, key=lambda m: (-weighted[m], depth[m], m)) if shape else ():
            if weighted[mid] < need:
                break
            if (
                mid not in chosen
                and _shape(shapes.get(mid)) == shape
                and not _overlaps(mid, chosen, parent)
            ):
                chosen.add(mid)
    return _outermost(chosen, parent), "density"


#: A prose block right after a block whose text is at least this share link, the two close under a
#: wrapper of at most TEASER_ITEM_BLOCKS blocks, is a teaser excerpt. The wrapper, what is inside it,
#: and an element holding at least TEASER_MIN_PARAS such wrappers for TEASER_SHARE or more of its
#: prose blocks have their density score cut to TEASER_PENALTY of itself.
TEASER_TITLE_LINK_SHARE, TEASER_SHARE, TEASER_MIN_PARAS, TEASER_PENALTY = 0.8, 0.5, 3, 0.2
TEASER_ITEM_BLOCKS = 3

#: A density pick holding less than this share of the page's prose looks for the article's other
#: parts: containers scoring at least SPLIT_PART_SCORE of the best one.
SPLIT_ARTICLE_SHARE, SPLIT_PART_SCORE = 0.7, 0.3


def _teaser_elements(
    blocks: Sequence[Block],
    candidates: set[int],
    nblocks: Mapping[int, int],
    scored_paras: Mapping[int, int],
    parent: Mapping[int, int | None],
) -> set[int]:
    """The elements that are teaser items or inside one, and the lists holding at least
    TEASER_MIN_PARAS items for TEASER_SHARE or more of their scored prose blocks."""
    items = {m for m in candidates if nblocks.get(m, 0) <= TEASER_ITEM_BLOCKS}
    if not items:
        return set()
    out: set[int] = set()
    for b in blocks:
        for i, mid in enumerate(b.path):
            if mid in items:
                out.update(b.path[i:])
                break
    held: dict[int, int] = defaultdict(int)  # items below each element
    for item in items:
        up = parent.get(item)
        while up is not None:
            held[up] += 1
            up = parent.get(up)
    for mid, n in held.items():
        if n >= TEASER_MIN_PARAS and n >= TEASER_SHARE * scored_paras.get(mid, 0):
            out.add(mid)
    return out


def _item_wrapper(title: tuple[int, ...], excerpt: tuple[int, ...]) -> int | None:
    """The element holding a linked title and the excerpt after it, when both sit close under it
    (a teaser: <div><h3><a/></h3><div class=summary><p/></div></div>, or a bare <a> then <p>);
    None when they only meet higher up."""
    common = 0
    for a, b in zip(title, excerpt, strict=False):
        if a != b:
            break
        common += 1
    if common < 2 or len(title) - common > 2 or len(excerpt) - common > 2:
        return None
    return excerpt[common - 1]


def _shape(info: tuple[str, str | None] | None) -> tuple[str, str] | None:
    """An element's tag and first class name; None for an element without a class (a bare <div>
    says nothing about what it holds) or one the walk did not see."""
    if info is None:
        return None
    tag, cls = info
    names = cls.split() if cls else ()
    return (tag, names[0]) if names else None


def _overlaps(mid: int, chosen: set[int], parent: dict[int, int | None]) -> bool:
    """Whether `mid` is inside one of `chosen` or holds one of them."""
    up = parent.get(mid)
    while up is not None:
        if up in chosen:
            return True
        up = parent.get(up)
    for other in chosen:
        up = parent.get(other)
        while up is not None:
            if up == mid:
                return True
            up = parent.get(up)
    return False


#: A JSON-LD articleBody with fewer distinct words than this is too short to check against.
_MIN_BODY_WORDS = 20
_WORD_CHAR = re.compile(r"\w").search


def _covers_body(blocks: Sequence[Block], chosen: set[int], want: set[str]) -> bool:
    """Whether the chosen container holds at least half the distinct words (`want`) of JSON-LD
    articleBody; with fewer than 20 words the check is not asked.

    Words are whitespace tokens of `fold_for_overlap` (case, Arabic marks and letter variants, which
    differ between a page and its JSON-LD copy): both sides keep the same punctuation, so the full
    match normalisation, costly on a whole article, is not needed.
    """
    # Tokens of punctuation alone ("—") are not words; they are only counted near the cut-off.
    if len(want) < 2 * _MIN_BODY_WORDS and sum(1 for w in want if _WORD_CHAR(w)) < _MIN_BODY_WORDS:
        return True
    inside = " ".join(b.text for b in blocks if not chosen.isdisjoint(b.path))
    have = set(fold_for_overlap(inside).split())
    return len(want & have) >= 0.5 * len(want)


def _outermost(chosen: set[int], parent: dict[int, int | None]) -> set[int]:
    """Drop chosen elements nested inside another chosen element."""
    out = set()
    for mid in chosen:
        up = parent.get(mid)
        while up is not None and up not in chosen:
            up = parent.get(up)
        if up is None:
            out.add(mid)
    return out
