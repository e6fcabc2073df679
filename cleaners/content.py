"""Main-content location: which blocks of a page are the article.

Known markup first (itemprop=articleBody, <article>, common CMS containers, JSON-LD articleBody as a
cross-check), then a text-density / link-density score over containers for pages with none of these.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser

from cleaners.blocks import Block
from cleaners.normalize import normalize_for_match
from cleaners.structure import CONTENT_TOKENS, class_tokens

#: Known article containers, most specific first.
CONTENT_SELECTORS = (
    '[itemprop="articleBody"]',
    ".entry-content, .post-content, .article-content, .article-body, .articleBody, .article__body,"
    " .story-body, .story-content, .td-post-content, .post-body, .news-content, .single-content,"
    " .the-content, .content-body, .article-text, .news-text, .post-entry, .entry-body,"
    " #article-body, #articleBody, #story-body, .field-name-body, .c-entry-content",
    "article",
    '[role="main"], main',
)


def _score_text(text: str) -> float:
    return 1.0 + text.count(",") + text.count("،") + min(len(text) / 100.0, 3.0)


def locate_content(
    tree: LexborHTMLParser, blocks: Sequence[Block], json_ld_body: str | None = None
) -> tuple[set[int], str]:
    """Choose the element(s) holding the article.

    Returns the mem_ids of the chosen elements (a block belongs to the article when its path
    contains one) and how they were found ("markup:<selector>", "density" or "all").
    """
    if not blocks:
        return set(), "empty"
    chars: dict[int, int] = defaultdict(int)
    links: dict[int, int] = defaultdict(int)
    score: dict[int, float] = defaultdict(float)
    for b in blocks:
        n = len(b.text)
        for mid in b.path:
            chars[mid] += n
            links[mid] += b.link_chars
        if b.kind in ("paragraph", "quote", "preformatted") and n >= 25:
            owners = b.path[:-1] if b.own_tag else b.path
            s = _score_text(b.text)
            for level, mid in enumerate(reversed(owners[-3:])):
                score[mid] += s / (1 + level)
    total = max(chars[blocks[0].path[0]], 1)

    # 1. Known markup: the most specific container that holds a fair share of the page's text.
    body = tree.body
    if body is not None:
        for sel in CONTENT_SELECTORS:
            found = [n for n in body.css(sel) if chars.get(n.mem_id, 0) > 0]
            if not found:
                continue
            best = max(found, key=lambda n: score.get(n.mem_id, 0.0) + chars[n.mem_id] / 1000)
            mid = best.mem_id
            dens = links[mid] / max(chars[mid], 1)
            if score.get(mid, 0.0) >= 5 and chars[mid] >= 0.15 * total and dens < 0.5:
                if json_ld_body and not _covers_body(blocks, {mid}, json_ld_body):
                    continue
                chosen = {mid}
                # Several sibling containers (e.g. two .entry-content parts, or <article> pages).
                for other in found:
                    if other.mem_id != mid and score.get(other.mem_id, 0.0) >= 0.5 * score[mid]:
                        chosen.add(other.mem_id)
                return _outermost(chosen, blocks), "markup:" + sel.split(",")[0]

    # 2. Density: the best-scoring container, weighted by its link density and class names.
    if not score:
        return {blocks[0].path[0]}, "all"
    weighted: dict[int, float] = {}
    token_weight = _class_weights(tree, score.keys())
    for mid, s in score.items():
        dens = links[mid] / max(chars[mid], 1)
        weighted[mid] = (s + token_weight.get(mid, 0.0)) * (1.0 - dens)
    top = max(weighted, key=lambda m: (weighted[m], chars[m]))
    top_score = weighted[top]
    chosen = {top}
    parent = _parent_of(top, blocks)
    if parent is not None:
        # Siblings of the top candidate that score well are parts of the same article.
        threshold = max(10.0, 0.2 * top_score)
        for mid, w in weighted.items():
            if mid != top and w >= threshold and _parent_of(mid, blocks) == parent:
                chosen.add(mid)
    return chosen, "density"


def _covers_body(blocks: Sequence[Block], chosen: set[int], body: str) -> bool:
    """Whether the chosen container holds at least half the words of JSON-LD articleBody."""
    want = set(normalize_for_match(body).split())
    if len(want) < 20:
        return True
    have: set[str] = set()
    for b in blocks:
        if chosen.intersection(b.path):
            have.update(normalize_for_match(b.text).split())
    return len(want & have) >= 0.5 * len(want)


def _parent_of(mid: int, blocks: Sequence[Block]) -> int | None:
    for b in blocks:
        if mid in b.path:
            i = b.path.index(mid)
            return b.path[i - 1] if i > 0 else None
    return None


def _outermost(chosen: set[int], blocks: Sequence[Block]) -> set[int]:
    """Drop chosen elements nested inside another chosen element."""
    out = set(chosen)
    for b in blocks:
        hit = [m for m in b.path if m in chosen]
        for inner in hit[1:]:
            out.discard(inner)
    return out


def _class_weights(tree: LexborHTMLParser, mids: object) -> dict[int, float]:
    wanted = set(mids)  # type: ignore[call-overload]
    weights: dict[int, float] = {}
    body = tree.body
    if body is None:
        return weights
    for node in body.css("[class], [id]"):
        mid = node.mem_id
        if mid in wanted and any(t in CONTENT_TOKENS for t in class_tokens(node)):
            weights[mid] = 25.0
    for node in body.css("article, main"):
        if node.mem_id in wanted:
            weights[node.mem_id] = weights.get(node.mem_id, 0.0) + 25.0
    return weights
