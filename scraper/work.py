"""CPU work of a crawl, run in worker processes: parse a fetched page for links and clean it.

Plain functions of picklable values, so a process pool (or a Dask worker) can run them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cleaners import Document, PhraseRules, SiteProfile, clean_with_keys
from scraper.discovery import PageLinks, page_links


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


@dataclass(slots=True, frozen=True)
class PageResult:
    """Links of the page; its Document when it is an article; profile keys for learning."""

    links: PageLinks
    is_article: bool
    doc: Document | None
    keys: frozenset[str]


@lru_cache(maxsize=32)
def _rules(phrases: tuple[str, ...]) -> PhraseRules:
    return PhraseRules.build(phrases)


@lru_cache(maxsize=32)
def _profile(raw: str) -> SiteProfile:
    return SiteProfile.from_json(raw)


def process_page(work: PageWork) -> PageResult:
    """Extract links, decide article-ness, and clean articles (one parse for links, one for cleaning)."""
    links = page_links(work.html)
    # The page's own word (og:type, JSON-LD type) wins over the URL pattern when it says "not article".
    is_article = links.is_article if links.is_article is not None else work.want_article
    if not is_article or not work.clean:
        return PageResult(links, is_article, None, frozenset())
    profile = _profile(work.profile_json) if work.profile_json else None
    doc, keys = clean_with_keys(
        work.html, work.url, languages=work.languages, rules=_rules(work.phrases), profile=profile
    )
    return PageResult(links, True, doc, keys)
