"""Discovery: URLs from robots.txt, sitemaps (index, news, gzipped), RSS/Atom feeds and hub pages.

XML is parsed with entity declarations refused; every parser returns plain values, never raises on junk.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field

from protego import Protego
from selectolax.lexbor import LexborHTMLParser

_ENTITY = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/rdf+xml",
)
_ARTICLE_TYPES = frozenset(
    "article newsarticle reportagenewsarticle analysisnewsarticle opinionnewsarticle blogposting "
    "backgroundnewsarticle reviewnewsarticle liveblogposting socialmediaposting".split()
)
_JSONLD_TYPE = re.compile(r'"@type"\s*:\s*\[?\s*"([A-Za-z]+)"')


@dataclass(slots=True)
class XmlLinks:
    """URLs found in a sitemap or feed."""

    pages: list[tuple[str, str | None]] = field(default_factory=list)  # (url, lastmod/published)
    sitemaps: list[str] = field(default_factory=list)  # child sitemaps of an index
    error: str | None = None


def parse_robots(text: str) -> Protego:
    """A robots.txt parser (an empty one allows everything)."""
    return Protego.parse(text or "")


def maybe_gunzip(body: bytes) -> bytes:
    """Gunzip a body that is gzip data (sitemap.xml.gz), else return it as is; bounded to 50 MB."""
    if body[:2] == b"\x1f\x8b":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(body, 50_000_000)
        if d.unconsumed_tail:
            raise ValueError("gzipped body expands beyond 50 MB")
        return out
    return body


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def parse_xml_links(body: bytes) -> XmlLinks:
    """Parse a sitemap, sitemap index, Google News sitemap, RSS 2.0 or Atom feed."""
    out = XmlLinks()
    try:
        data = maybe_gunzip(body)
    except (OSError, ValueError, zlib.error, EOFError) as exc:
        out.error = f"bad gzip: {exc}"
        return out
    if _ENTITY.search(data[:4096]):
        out.error = "XML with a DOCTYPE/ENTITY declaration is refused"
        return out
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        out.error = f"not well-formed XML: {exc}"
        return out
    kind = _local(root.tag)
    if kind == "sitemapindex":
        for sm in root:
            loc = _child_text(sm, "loc")
            if loc:
                out.sitemaps.append(loc)
    elif kind == "urlset":
        for u in root:
            loc = _child_text(u, "loc")
            if loc:
                out.pages.append(
                    (loc, _child_text(u, "lastmod") or _deep_text(u, "publication_date"))
                )
    elif kind in ("rss", "rdf"):
        for item in root.iter():
            if _local(item.tag) == "item":
                link = _child_text(item, "link") or (
                    item.attrib.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
                )
                if link:
                    out.pages.append(
                        (link, _child_text(item, "pubdate") or _child_text(item, "date"))
                    )
    elif kind == "feed":
        for entry in root:
            if _local(entry.tag) != "entry":
                continue
            href = None
            for ch in entry:
                if _local(ch.tag) == "link" and ch.attrib.get("rel", "alternate") == "alternate":
                    href = ch.attrib.get("href")
                    break
            if href:
                out.pages.append(
                    (href, _child_text(entry, "updated") or _child_text(entry, "published"))
                )
    else:
        out.error = f"unknown XML document <{kind}>"
    return out


def _child_text(node: ET.Element, name: str) -> str | None:
    for ch in node:
        if _local(ch.tag) == name and ch.text and ch.text.strip():
            return ch.text.strip()
    return None


def _deep_text(node: ET.Element, name: str) -> str | None:
    for ch in node.iter():
        if _local(ch.tag) == name and ch.text and ch.text.strip():
            return ch.text.strip()
    return None


@dataclass(slots=True)
class PageLinks:
    """What a fetched HTML page says about other URLs and about itself."""

    links: list[str]
    feeds: list[str]
    canonical: str | None
    is_article: bool | None  # None: the page does not say
    nofollow: bool


_ONE_PASS = (
    "a[href], area[href], link[href], meta[name=robots], meta[name=ROBOTS], meta[property='og:type'],"
    ' script[type="application/ld+json"]'
)


def page_links(html: str) -> PageLinks:
    """Links, feed links, canonical URL and article-ness of an HTML page (raw hrefs, unresolved).

    One selector pass over the page (each css() call walks the whole tree in C).
    """
    tree = LexborHTMLParser(html)
    links: list[str] = []
    feeds: list[str] = []
    canonical = None
    nofollow = False
    is_article: bool | None = None
    for node in tree.css(_ONE_PASS):
        tag = node.tag
        attrs = node.attrs
        if tag == "a" or tag == "area":
            # rel=nofollow is a ranking hint, not a crawl rule (robots.txt is): such links are followed.
            href = attrs.get("href")
            if href:
                links.append(href)
        elif tag == "link":
            rel = (attrs.get("rel") or "").lower().split()
            if "alternate" in rel and (attrs.get("type") or "").lower() in _FEED_TYPES:
                if attrs.get("href"):
                    feeds.append(attrs.get("href") or "")
            elif "canonical" in rel and canonical is None:
                canonical = attrs.get("href")
        elif tag == "meta":
            content = (attrs.get("content") or "").lower()
            if attrs.get("property") == "og:type":
                is_article = content == "article"
            elif "nofollow" in content:
                nofollow = True
        elif tag == "script":
            for t in _JSONLD_TYPE.findall(node.text() or ""):
                if t.lower() in _ARTICLE_TYPES:
                    is_article = True
    return PageLinks(links, feeds, canonical, is_article, nofollow)
