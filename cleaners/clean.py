"""`clean()`: one page's HTML in, a `Document` out.

Parse, mark chrome, walk blocks, locate the article, apply phrase rules and the site profile,
split mixed-script blocks, tag languages, attach metadata. Pure: no network, no disk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser

from cleaners.blocks import Block, walk_blocks
from cleaners.boilerplate import PhraseRules, SiteProfile, segment_key
from cleaners.content import locate_content
from cleaners.document import Document, Segment
from cleaners.language import document_languages, tag_texts
from cleaners.metadata import PageMetadata, extract_metadata
from cleaners.normalize import normalize_for_match
from cleaners.script import dominant_script, split_scripts, strip_direction_marks
from cleaners.structure import mark_chrome

#: A block whose text is mostly link text is navigation, unless it is long prose.
MAX_LINK_SHARE = 0.5


def default_rules() -> PhraseRules:
    """The built-in phrase rules (no site additions)."""
    return _builtin_rules()


def clean(
    html: str,
    url: str | None = None,
    *,
    languages: Sequence[str] = ("ar", "en"),
    rules: PhraseRules | None = None,
    profile: SiteProfile | None = None,
) -> Document:
    """Extract the article of one page as a `Document` of language-tagged segments.

    Never raises on bad input: an empty, binary or unparsable page gives an empty `Document` whose
    `empty_reason` says why. `rules` defaults to the built-in phrase lists; `profile` is the site's
    learned template (see `SiteProfile`).
    """
    return clean_with_keys(html, url, languages=languages, rules=rules, profile=profile)[0]


def clean_with_keys(
    html: str,
    url: str | None = None,
    *,
    languages: Sequence[str] = ("ar", "en"),
    rules: PhraseRules | None = None,
    profile: SiteProfile | None = None,
) -> tuple[Document, frozenset[str]]:
    """`clean()` plus the site-profile keys of the page's segments before the profile applied:
    what a `ProfileLearner` counts, from the same single parse."""
    reason = _unusable(html)
    if reason is not None:
        return Document(url=url, empty_reason=reason), frozenset()
    try:
        return _clean(html, url, tuple(languages), rules or _builtin_rules(), profile)
    except Exception as exc:  # noqa: BLE001 - the edge of the cleaner: record why, never raise
        return Document(url=url, empty_reason=f"error:{type(exc).__name__}"), frozenset()


@lru_cache(maxsize=1)
def _builtin_rules() -> PhraseRules:
    # An immutable value built once from the shipped phrase files.
    return PhraseRules.build()


def _unusable(html: object) -> str | None:
    if isinstance(html, bytes | bytearray):
        return "bytes_input"
    if not isinstance(html, str):
        return "not_text"
    head = html[:4096]
    if not head.strip():
        return "empty_input"
    bad = sum(1 for c in head if (c < " " and c not in "\t\n\r\f") or c == "\ufffd")
    if bad > 0.05 * len(head):
        return "binary_input"
    return None


def _kept_texts(
    tree: LexborHTMLParser,
    meta: PageMetadata,
    rules: PhraseRules,
    counts: Counter[str],
) -> list[tuple[str, str]]:
    body = tree.body
    if body is None:
        return []
    marks = mark_chrome(tree)
    blocks, dropped = walk_blocks(body, marks)
    counts.update(d.reason for d in dropped)
    chosen, _how = locate_content(tree, blocks, meta.json_ld_body)
    title_key = normalize_for_match(meta.title) if meta.title else None
    kept: list[tuple[str, str]] = []
    for b in blocks:
        if not chosen.intersection(b.path):
            counts["outside_content"] += 1
            continue
        if _link_heavy(b):
            counts["link_density"] += 1
            continue
        if b.kind == "heading" and title_key and normalize_for_match(b.text) == title_key:
            counts["title"] += 1
            continue
        for part in split_scripts(strip_direction_marks(b.text)):
            reason, text = rules.match(part)
            if reason == "phrase":
                counts["phrase"] += 1
                continue
            if reason is not None:
                counts[reason] += 1
            kept.append((text, b.kind))
    return kept


def _link_heavy(b: Block) -> bool:
    n = len(b.text)
    return b.link_chars > MAX_LINK_SHARE * n and not (b.kind == "paragraph" and n > 200)


def _clean(
    html: str,
    url: str | None,
    languages: tuple[str, ...],
    rules: PhraseRules,
    profile: SiteProfile | None,
) -> tuple[Document, frozenset[str]]:
    tree = LexborHTMLParser(html)
    meta = extract_metadata(tree, url)
    counts: Counter[str] = Counter()
    kept = _kept_texts(tree, meta, rules, counts)
    keys = frozenset(k for k in (segment_key(t) for t, _ in kept) if k)
    if profile is not None and profile.applies:
        before = len(kept)
        kept = [(t, k) for t, k in kept if not profile.is_template(t)]
        if before != len(kept):
            counts["profile"] += before - len(kept)
    tags = tag_texts([t for t, _ in kept], languages)
    segments = tuple(
        Segment(text=t, kind=k, lang=lang, confidence=round(conf, 4), script=dominant_script(t))
        for (t, k), (lang, conf) in zip(kept, tags, strict=True)
    )
    main_lang, lang_chars = document_languages((s.text, s.lang) for s in segments)
    doc = Document(
        url=url,
        title=meta.title,
        authors=meta.authors,
        published_at=meta.published_at,
        modified_at=meta.modified_at,
        section=meta.section,
        tags=meta.tags,
        description=meta.description,
        canonical_url=meta.canonical_url,
        site_name=meta.site_name,
        page_lang=meta.page_lang,
        dir=meta.dir,
        image_url=meta.image_url,
        main_lang=main_lang,
        segments=segments,
        dropped=tuple(sorted(counts.items())),
        empty_reason=None if segments else "no_content",
        lang_chars=lang_chars,
    )
    return doc, keys
