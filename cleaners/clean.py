"""`clean()`: one page's HTML in, a `Document` out.

Parse, mark chrome, walk blocks, locate the article, apply phrase rules and the site profile,
split mixed-script blocks, tag languages, attach metadata. Pure: no network, no disk.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser

from cleaners.blocks import Block, resolve_chrome, walk_blocks
from cleaners.boilerplate import PhraseRules, SiteProfile, segment_key
from cleaners.content import locate_content
from cleaners.document import Document, Segment
from cleaners.language import document_languages, tag_texts_with_scripts
from cleaners.metadata import PageMetadata, extract_metadata
from cleaners.normalize import clean_whitespace, normalize_for_match
from cleaners.script import split_scripts, strip_direction_marks

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
    min_letters: int = 3,
) -> Document:
    """Extract the article of one page as a `Document` of language-tagged segments.

    Never raises on bad input: an empty, binary or unparsable page gives an empty `Document` whose
    `empty_reason` says why. `rules` defaults to the built-in phrase lists; `profile` is the site's
    learned template (see `SiteProfile`); a segment with fewer than `min_letters` letters is `und`.
    """
    return _clean_checked(html, url, languages, rules, profile, min_letters, want_keys=False)[0]


def clean_with_keys(
    html: str,
    url: str | None = None,
    *,
    languages: Sequence[str] = ("ar", "en"),
    rules: PhraseRules | None = None,
    profile: SiteProfile | None = None,
    min_letters: int = 3,
) -> tuple[Document, frozenset[str]]:
    """`clean()` plus the site-profile keys of the page's segments before the profile applied:
    what a `ProfileLearner` counts, from the same single parse."""
    return _clean_checked(html, url, languages, rules, profile, min_letters, want_keys=True)


def _clean_checked(
    html: str,
    url: str | None,
    languages: Sequence[str],
    rules: PhraseRules | None,
    profile: SiteProfile | None,
    min_letters: int,
    *,
    want_keys: bool,
) -> tuple[Document, frozenset[str]]:
    reason = _unusable(html)
    if reason is not None:
        return Document(url=url, empty_reason=reason), frozenset()
    try:
        return _clean(
            html, url, tuple(languages), rules or _builtin_rules(), profile, min_letters, want_keys
        )
    except Exception as exc:  # noqa: BLE001 - the edge of the cleaner: record why, never raise
        return Document(url=url, empty_reason=f"error:{type(exc).__name__}"), frozenset()


@lru_cache(maxsize=1)
def _builtin_rules() -> PhraseRules:
    # An immutable value built once from the shipped phrase files.
    return PhraseRules.build()


#: Control characters other than tab, newline, form feed and carriage return, and U+FFFD.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _unusable(html: object) -> str | None:
    if isinstance(html, bytes | bytearray):
        return "bytes_input"
    if not isinstance(html, str):
        return "not_text"
    head = html[:4096]
    if not head.strip():
        return "empty_input"
    if len(_NOT_TEXT.findall(head)) > 0.05 * len(head):
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
    walked = walk_blocks(body, collapse=True)
    counts.update(walked.inline_dropped)
    reasons = resolve_chrome(walked)
    blocks: list[Block] = []
    for b, why in zip(walked.blocks, reasons, strict=True):
        if why is None:
            blocks.append(b)
        else:
            counts[why] += 1
    chosen, _how = locate_content(blocks, walked.regions, meta.json_ld_body, walked.shapes)
    title_key = normalize_for_match(meta.title) if meta.title else None
    inside = [b for b in blocks if not chosen.isdisjoint(b.path)]
    if len(inside) < len(blocks):
        counts["outside_content"] += len(blocks) - len(inside)
    # Pages that wrap their whole text in links (script-replaced anchors) keep it: the link-density
    # rule only applies when link-heavy blocks are a minority of the article's text.
    heavy = sum(len(b.text) for b in inside if _link_heavy(b))
    check_links = heavy < 0.5 * max(1, sum(len(b.text) for b in inside))
    kept: list[tuple[str, str]] = []
    for b in inside:
        if check_links and _link_heavy(b):
            counts["link_density"] += 1
            continue
        if b.kind != "table_cell" and not _has_letter(b.text):
            # Datelines, counters and separators ("2024-03-05", "12", "|"); numeric table cells stay.
            counts["no_letters"] += 1
            continue
        if b.kind == "heading" and title_key and normalize_for_match(b.text) == title_key:
            counts["title"] += 1
            continue
        for part in _script_parts(b.text):
            reason, text = rules.match(part)
            if reason == "phrase":
                counts["phrase"] += 1
                continue
            if reason is not None:
                counts[reason] += 1
            kept.append((text, b.kind))
    return kept


#: JSON-LD articleBody replaces the extraction when the page's own markup gave less than this share.
JSON_LD_FALLBACK_SHARE = 0.3


def _json_ld_fallback(
    kept: list[tuple[str, str]], body: str | None, counts: Counter[str]
) -> list[tuple[str, str]]:
    """Use JSON-LD articleBody when extraction found little of it (script-rendered or paywalled
    markup); the replaced blocks are counted as "replaced_by_json_ld"."""
    if not body or len(body) < 200:
        return kept
    if sum(len(t) for t, _ in kept) >= JSON_LD_FALLBACK_SHARE * len(body):
        return kept
    paras = [clean_whitespace(p) for p in strip_direction_marks(body).splitlines()]
    paras = [p for p in paras if p]
    if not paras:
        return kept
    if kept:
        counts["replaced_by_json_ld"] += len(kept)
    return [(p, "paragraph") for p in paras]


def _script_parts(text: str) -> list[str]:
    # ASCII text holds no Arabic letters and no direction marks: the split is the text itself.
    if text.isascii():
        return [text] if text else []
    return split_scripts(strip_direction_marks(text))


def _has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _link_heavy(b: Block) -> bool:
    n = len(b.text)
    return b.link_chars > MAX_LINK_SHARE * n and not (b.kind == "paragraph" and n > 200)


def _clean(
    html: str,
    url: str | None,
    languages: tuple[str, ...],
    rules: PhraseRules,
    profile: SiteProfile | None,
    min_letters: int,
    want_keys: bool,
) -> tuple[Document, frozenset[str]]:
    tree = LexborHTMLParser(html)
    meta = extract_metadata(tree, url)
    counts: Counter[str] = Counter()
    kept = _kept_texts(tree, meta, rules, counts)
    kept = _json_ld_fallback(kept, meta.json_ld_body, counts)
    # A profile key hashes the whole normalised segment: only computed when the caller learns.
    keys = (
        frozenset(k for k in (segment_key(t) for t, _ in kept) if k) if want_keys else frozenset()
    )
    if profile is not None and profile.applies:
        before = len(kept)
        kept = [(t, k) for t, k in kept if not profile.is_template(t)]
        if before != len(kept):
            counts["profile"] += before - len(kept)
    # One letter count per segment gives both its language and its script.
    tags = tag_texts_with_scripts([t for t, _ in kept], languages, min_letters=min_letters)
    segments = tuple(
        Segment(text=t, kind=k, lang=lang, confidence=round(conf, 4), script=script)
        for (t, k), (lang, conf, script) in zip(kept, tags, strict=True)
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
