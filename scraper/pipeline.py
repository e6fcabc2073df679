"""The one place that wires scraper -> cleaners -> output: a fetched page becomes a stored Document.

`process_page` is the crawl's per-page CPU work (links + cleaning), run in worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scraper.config import Config, SiteConfig
from scraper.discovery import PageLinks, page_links
from scraper.fetch import Page

if TYPE_CHECKING:  # imported where cleaning happens: a fetch-only crawl never loads the cleaners
    from cleaners import Document, PhraseRules, SiteProfile


@lru_cache(maxsize=64)
def _rules(extra: tuple[str, ...]) -> PhraseRules:
    from cleaners import PhraseRules

    return PhraseRules.build(extra)


def site_phrases(cfg: Config, site: SiteConfig | None) -> tuple[str, ...]:
    """The configured extra boilerplate phrases: global ones, then the site's."""
    return tuple(cfg.cleaner.boilerplate) + (tuple(site.boilerplate) if site else ())


def rules_for(cfg: Config, site: SiteConfig | None) -> PhraseRules:
    """Built-in phrase rules plus the global and the site's configured boilerplate phrases."""
    return _rules(site_phrases(cfg, site))


def site_label(url: str, site: SiteConfig | None) -> str:
    """The `site` column value: the configured site name, else the URL's host."""
    if site is not None:
        return site.name
    return (urlsplit(url).hostname or "unknown").lower()


def clean_page(
    page: Page, cfg: Config, site: SiteConfig | None, profile: SiteProfile | None = None
) -> Document:
    """Clean a fetched page with the site's languages, rules and profile."""
    from cleaners import clean

    languages = tuple(site.languages) if site else ("ar", "en")
    return clean(
        page.text,
        page.final_url,
        languages=languages,
        rules=rules_for(cfg, site),
        profile=profile,
        min_letters=cfg.cleaner.min_letters,
    )


# ---- the crawl's per-page work, run in worker processes (plain picklable values) ----


@dataclass(slots=True, frozen=True)
class PageWork:
    """What the crawl needs done on one fetched HTML page."""

    html: str
    url: str
    want_article: bool  # the frontier already says this URL is an article
    languages: tuple[str, ...]
    phrases: tuple[str, ...]
    profile_json: str | None
    #: False skips cleaning (links and article-ness only): the crawl benchmark's fetch-only mode.
    clean: bool = True
    min_letters: int = 3


@dataclass(slots=True, frozen=True)
class PageResult:
    """Links of the page; its Document when it is an article; profile keys for learning."""

    links: PageLinks
    is_article: bool
    doc: Document | None
    keys: frozenset[str]


@lru_cache(maxsize=32)
def _profile(raw: str) -> SiteProfile:
    from cleaners import SiteProfile

    return SiteProfile.from_json(raw)


def process_page(work: PageWork) -> PageResult:
    """Extract links, decide article-ness, and clean articles (one parse for links, one for cleaning)."""
    links = page_links(work.html)
    # The page's own word (og:type, JSON-LD type) wins over the URL pattern when it says "not article".
    is_article = links.is_article if links.is_article is not None else work.want_article
    if not is_article or not work.clean:
        return PageResult(links, is_article, None, frozenset())
    from cleaners import clean_with_keys

    profile = _profile(work.profile_json) if work.profile_json else None
    doc, keys = clean_with_keys(
        work.html,
        work.url,
        languages=work.languages,
        rules=_rules(work.phrases),
        profile=profile,
        min_letters=work.min_letters,
    )
    return PageResult(links, True, doc, keys)


def document_json(
    doc: Document, *, fetched_at: datetime | None = None, status: int | None = None
) -> dict:
    """The JSON object `scraper fetch --json` prints (a stable public shape)."""
    meta = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in doc.metadata().items()}
    return {
        "url": doc.url,
        **meta,
        "lang_chars": dict(doc.lang_chars),
        "fetched_at": fetched_at.isoformat() if fetched_at else None,
        "status": status,
        "content_hash": doc.content_hash,
        "cleaner_version": doc.cleaner_version,
        "dropped": dict(doc.dropped),
        "empty_reason": doc.empty_reason,
        "text": doc.text,
        "segments": [
            {
                "text": s.text,
                "kind": s.kind,
                "lang": s.lang,
                "confidence": s.confidence,
                "script": s.script,
            }
            for s in doc.segments
        ],
    }


@dataclass(slots=True)
class RecleanSummary:
    """What `reclean` did."""

    records: int = 0
    documents: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)


def reclean(cfg: Config, out: Path) -> RecleanSummary:
    """Rebuild a dataset at `out` from the WARC archive under the data path, with today's cleaner.

    Records are replayed in archive order with their original fetch times, so versions and
    partitions match the original dataset wherever the cleaner's output did not change.
    """
    from cleaners import clean
    from output import DatasetWriter
    from scraper.archive import iter_archive
    from scraper.decode import decode_html

    summary = RecleanSummary()
    by_name = {s.name: s for s in cfg.sites}
    with DatasetWriter(out) as writer:
        for item in iter_archive(cfg.data_path):
            if isinstance(item, str):
                summary.problems.append(item)
                continue
            summary.records += 1
            site = by_name.get(item.site)
            text, _ = decode_html(item.body, item.headers.get("content-type"))
            languages = tuple(site.languages) if site else ("ar", "en")
            doc = clean(
                text,
                item.url,
                languages=languages,
                rules=rules_for(cfg, site),
                min_letters=cfg.cleaner.min_letters,
            )
            doc_id = writer.add(
                doc,
                site=item.site or site_label(item.url, None),
                fetched_at=item.fetched_at,
                status=item.status,
                final_url=item.url,
                warc_ref=item.ref,
            )
            if doc_id:
                summary.documents += 1
            else:
                summary.duplicates += 1
    return summary
