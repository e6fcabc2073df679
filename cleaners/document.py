"""The values the cleaner produces: a `Document` made of typed `Segment`s.

Frozen, slotted dataclasses (datatrove's model): cheap to create, safe to pass between processes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

CLEANER_VERSION = "0.1.0"

#: Segment kinds, in the vocabulary of the `segments.kind` column.
SEGMENT_KINDS = (
    "heading",
    "paragraph",
    "list_item",
    "quote",
    "caption",
    "table_cell",
    "preformatted",
)


@dataclass(slots=True, frozen=True)
class Segment:
    """One kept block of article text with its language tag."""

    text: str
    kind: str = "paragraph"
    lang: str = "und"
    confidence: float = 0.0
    script: str = "other"  # "arabic", "latin", "mixed" (a short run of the other script kept inline), or "other"


@dataclass(slots=True, frozen=True)
class Document:
    """A cleaned article: metadata plus the kept segments in document order."""

    url: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None  # timezone-aware UTC
    modified_at: datetime | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    description: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    page_lang: str | None = None  # <html lang>, as written
    dir: str | None = None  # <html dir>: "rtl", "ltr" or None
    image_url: str | None = None
    main_lang: str = "und"
    segments: tuple[Segment, ...] = ()
    #: Why blocks were dropped: (reason, count) pairs, sorted by reason.
    dropped: tuple[tuple[str, int], ...] = ()
    #: Why the whole document is empty, when it is (e.g. "empty_input", "binary_input").
    empty_reason: str | None = None
    cleaner_version: str = CLEANER_VERSION
    lang_chars: tuple[tuple[str, int], ...] = field(default=())

    def metadata(self) -> dict[str, object]:
        """The page metadata as a plain dict (lists for list values), as the dataset and JSON carry it."""
        return {
            "canonical_url": self.canonical_url,
            "published_at": self.published_at,
            "modified_at": self.modified_at,
            "title": self.title,
            "authors": list(self.authors),
            "section": self.section,
            "tags": list(self.tags),
            "description": self.description,
            "site_name": self.site_name,
            "page_lang": self.page_lang,
            "dir": self.dir,
            "image_url": self.image_url,
            "main_lang": self.main_lang,
        }

    @property
    def text(self) -> str:
        """The kept segments joined by a blank line, in document order."""
        return "\n\n".join(s.text for s in self.segments)

    @property
    def content_hash(self) -> str:
        """SHA-256 (hex) of the title and text: the change detector between versions."""
        h = hashlib.sha256()
        h.update((self.title or "").encode("utf-8"))
        h.update(b"\x00")
        h.update(self.text.encode("utf-8"))
        return h.hexdigest()
