"""The one place that wires scraper -> cleaners -> output: a fetched page becomes a stored Document."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from cleaners import Document, PhraseRules, SiteProfile, clean
from scraper.config import Config, SiteConfig
from scraper.fetch import Page


@lru_cache(maxsize=64)
def _rules(extra: tuple[str, ...]) -> PhraseRules:
    return PhraseRules.build(extra)


def rules_for(cfg: Config, site: SiteConfig | None) -> PhraseRules:
    """Built-in phrase rules plus the global and the site's configured boilerplate phrases."""
    extra = tuple(cfg.cleaner.boilerplate) + (tuple(site.boilerplate) if site else ())
    return _rules(extra)


def site_label(url: str, site: SiteConfig | None) -> str:
    """The `site` column value: the configured site name, else the URL's host."""
    if site is not None:
        return site.name
    return (urlsplit(url).hostname or "unknown").lower()


def clean_page(
    page: Page, cfg: Config, site: SiteConfig | None, profile: SiteProfile | None = None
) -> Document:
    """Clean a fetched page with the site's languages, rules and profile."""
    languages = tuple(site.languages) if site else ("ar", "en")
    return clean(
        page.text, page.final_url, languages=languages, rules=rules_for(cfg, site), profile=profile
    )


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
