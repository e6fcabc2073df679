"""Page metadata (title, authors, dates, section, tags, language...) from one parsed page.

Reads JSON-LD, OpenGraph/Twitter/Dublin Core/Parse.ly metas, microdata, <time>, bylines and the URL.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.normalize import normalize_for_match


@dataclass(slots=True, frozen=True)
class PageMetadata:
    """What a page says about itself; every field is optional (None or empty tuple)."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None  # timezone-aware UTC
    modified_at: datetime | None = None  # timezone-aware UTC
    section: str | None = None
    tags: tuple[str, ...] = ()
    description: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    page_lang: str | None = None
    dir: str | None = None  # "rtl", "ltr" or None
    image_url: str | None = None
    og_type: str | None = None
    json_ld_types: tuple[str, ...] = ()
    json_ld_body: str | None = None  # articleBody, when the page ships one


# --------------------------------------------------------------------------- text helpers

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\u00ad]")
_TAGS = re.compile(r"<[^>]{0,500}>")


def _clean_text(value: object) -> str | None:
    """Unescape entities, drop invisible marks and stray tags, collapse whitespace; None if empty.

    Entities are unescaped once more because JSON-LD (script text) is never decoded by the parser
    and many CMSs double-escape attribute values.
    """
    if not isinstance(value, str):
        return None
    text = html.unescape(value)
    if "<" in text and ">" in text:
        text = _TAGS.sub(" ", text)
    if not text.isascii():  # the invisible marks are all outside ASCII
        text = _INVISIBLE.sub("", text)
    text = " ".join(text.split())
    return text or None


def _first(*values: str | None) -> str | None:
    for v in values:
        if v:
            return v
    return None


# --------------------------------------------------------------------------- one query

#: Every element the metadata reads from, found in one walk of the tree (a query is one walk).
_INDEX_QUERY = (
    'meta, script, base[href], link[rel][href], time, [itemprop], a[rel~="tag"],'
    ' [rel~="author"], main, [role="main"]'
)
_ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")

NodeAttrs = tuple[LexborNode, dict[str, str | None]]


@dataclass(slots=True, frozen=True)
class _Nodes:
    """The page's metadata elements by kind, each list in document order, with their attributes."""

    metas: tuple[NodeAttrs, ...]
    scripts: tuple[NodeAttrs, ...]
    bases: tuple[NodeAttrs, ...]  # <base href>
    links: tuple[NodeAttrs, ...]  # <link rel href>
    times: tuple[NodeAttrs, ...]
    itemprops: tuple[NodeAttrs, ...]
    rel_anchors: tuple[NodeAttrs, ...]  # <a rel~=tag>
    mains: tuple[NodeAttrs, ...]  # <main> and [role="main"]
    rel_authors: tuple[NodeAttrs, ...]  # [rel~=author]


def _index(tree: LexborHTMLParser) -> _Nodes:
    """Sort the result of one query into the kinds the readers below want."""
    metas: list[NodeAttrs] = []
    scripts: list[NodeAttrs] = []
    bases: list[NodeAttrs] = []
    links: list[NodeAttrs] = []
    times: list[NodeAttrs] = []
    itemprops: list[NodeAttrs] = []
    rel_anchors: list[NodeAttrs] = []
    mains: list[NodeAttrs] = []
    rel_authors: list[NodeAttrs] = []
    last = -1
    for node in tree.css(_INDEX_QUERY):
        mid = node.mem_id
        if mid == last:
            continue  # a node matching two selectors of the list comes twice, one after the other
        last = mid
        tag = node.tag
        attrs = node.attributes
        pair = (node, attrs)
        if tag == "meta":
            metas.append(pair)
        elif tag == "script":
            scripts.append(pair)
        elif tag == "base":
            if "href" in attrs:
                bases.append(pair)
        elif tag == "link":
            if "rel" in attrs and "href" in attrs:
                links.append(pair)
        elif tag == "time":
            times.append(pair)
        elif tag == "a" and "rel" in attrs:
            rel_anchors.append(pair)
        if _has_token(attrs.get("rel"), "author", fold=True):
            rel_authors.append(pair)
        if "itemprop" in attrs:
            itemprops.append(pair)
        if tag == "main" or attrs.get("role") == "main":
            mains.append(pair)
    return _Nodes(
        tuple(metas),
        tuple(scripts),
        tuple(bases),
        tuple(links),
        tuple(times),
        tuple(itemprops),
        tuple(rel_anchors),
        tuple(mains),
        tuple(rel_authors),
    )


def _has_token(value: str | None, token: str, *, fold: bool = False) -> bool:
    """CSS `[attr~=token]`: whether the ASCII-whitespace-separated `value` holds `token`.

    lexbor compares `rel` ignoring case and `itemprop` exactly: `fold` says which.
    """
    if not value:
        return False
    return token in _ASCII_SPACE.split(value.lower() if fold else value)


# --------------------------------------------------------------------------- meta tags


def _collect_metas(nodes: _Nodes) -> dict[str, list[str]]:
    """Map each lower-cased meta key (name, property, itemprop, http-equiv) to its values in order.

    A key attribute may list several space-separated keys ("og:title twitter:title").
    """
    metas: dict[str, list[str]] = {}
    found = [
        (attrs, content)
        for _node, attrs in nodes.metas
        if (content := _clean_text(attrs.get("content"))) is not None
    ]
    # `property` (RDFa, what OpenGraph specifies) outranks `name` for the same key.
    for attr in ("property", "name", "itemprop", "http-equiv"):
        for attrs, content in found:
            keys = attrs.get(attr)
            if not keys:
                continue
            for key in keys.lower().split():
                metas.setdefault(key, []).append(content)
    return metas


def _meta(metas: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        values = metas.get(key)
        if values:
            return values[0]
    return None


# --------------------------------------------------------------------------- JSON-LD

#: Schema.org types whose object describes the page's article (any type ending in "Article" too).
_ARTICLE_TYPES = frozenset(
    {
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "posting",
        "report",
        "review",
        "discussionforumposting",
        "creativework",
        "videoobject",
        "recipe",
        "howto",
    }
)
_PAGE_TYPES = frozenset({"webpage", "itempage", "aboutpage", "collectionpage", "profilepage"})
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _parse_json_ld(text: str) -> Any:
    """Parse one JSON-LD block, repairing the usual breakage; None when it stays unreadable."""
    raw = text.strip()
    # Wrappers some CMSs put around script bodies for ancient browsers.
    for prefix, suffix in (("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>")):
        if raw.startswith(prefix) and raw.endswith(suffix):
            raw = raw[len(prefix) : -len(suffix)].strip()
    if not raw:
        return None
    attempts = (raw, _TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", raw)))
    for attempt in attempts:
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    # Several objects pasted one after another in one script: decode them one by one.
    decoder = json.JSONDecoder(strict=False)
    items: list[Any] = []
    pos = 0
    raw = attempts[1]
    while pos < len(raw):
        while pos < len(raw) and raw[pos] in " \t\r\n;,":
            pos += 1
        if pos >= len(raw):
            break
        try:
            obj, pos = decoder.raw_decode(raw, pos)
        except (ValueError, RecursionError):
            break
        items.append(obj)
    return items or None


def _types(obj: dict[str, Any]) -> list[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    return []


def _short_type(t: str) -> str:
    # "http://schema.org/NewsArticle" and "schema:NewsArticle" are the same type.
    return re.split(r"[/#:]", t)[-1]


def _is_article(obj: dict[str, Any]) -> bool:
    for t in _types(obj):
        s = _short_type(t).lower()
        if s.endswith("article") or s in _ARTICLE_TYPES:
            return True
    return False


def _is_news(obj: dict[str, Any]) -> bool:
    return any(
        (s := _short_type(t).lower()).endswith("article") or s.endswith("posting")
        for t in _types(obj)
    )


def _is_page(obj: dict[str, Any]) -> bool:
    return any(_short_type(t).lower() in _PAGE_TYPES for t in _types(obj))


def _top_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """The page-level objects of a JSON-LD value: list items and @graph members, flattened."""
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _top_objects(item, depth + 1)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if _types(data) or not isinstance(graph, list):
            yield data
        if isinstance(graph, (list, dict)):
            yield from _top_objects(graph, depth + 1)


@dataclass(slots=True, frozen=True)
class _JsonLd:
    objects: tuple[dict[str, Any], ...]
    article: dict[str, Any] | None
    page: dict[str, Any] | None

    def get(self, key: str) -> Any:
        """The value of `key` on the article object, else on the page object."""
        for obj in (self.article, self.page):
            if obj is not None and obj.get(key) not in (None, "", []):
                return obj[key]
        return None


def _collect_json_ld(nodes: _Nodes) -> _JsonLd:
    objects: list[dict[str, Any]] = []
    for node, attrs in nodes.scripts:
        stype = (attrs.get("type") or "").lower()
        if "ld+json" not in stype:
            continue
        data = _parse_json_ld(node.text(deep=True) or "")
        objects.extend(_top_objects(data))
    # A page embeds videos and recipes too; a news type, when present, is the page's own article.
    articles = [o for o in objects if _is_article(o)]
    article = next((o for o in articles if _is_news(o)), articles[0] if articles else None)
    page = next((o for o in objects if _is_page(o)), None)
    if article is None and page is not None:
        # A WebPage often carries the article as its mainEntity.
        main = page.get("mainEntity")
        if isinstance(main, list):
            main = main[0] if main else None
        if isinstance(main, dict) and _is_article(main):
            article = main
    return _JsonLd(tuple(objects), article, page)


def _ld_names(value: Any, depth: int = 0) -> list[str]:
    """Names from a JSON-LD person/organisation value: string, object with name, or list."""
    if depth > 3:
        return []
    if isinstance(value, str):
        text = _clean_text(value)
        return [text] if text else []
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, (str, list, dict)):
            return _ld_names(name, depth + 1)
        parts = [value.get("givenName"), value.get("familyName")]
        joined = " ".join(p for p in parts if isinstance(p, str))
        return [joined] if joined.strip() else []
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(_ld_names(item, depth + 1))
        return out
    return []


def _ld_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return _clean_text(value) if isinstance(value, str) else None


def _ld_url(value: Any, depth: int = 0) -> str | None:
    """A URL from a JSON-LD image-like value: string, ImageObject (url/contentUrl) or list."""
    if depth > 3:
        return None
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, dict):
        return _ld_url(value.get("url") or value.get("contentUrl") or value.get("@id"), depth + 1)
    if isinstance(value, list):
        for item in value:
            url = _ld_url(item, depth + 1)
            if url:
                return url
    return None


# --------------------------------------------------------------------------- dates

_ISO = re.compile(
    r"^\s*(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WORDY = re.compile(
    rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH_RE})\.?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH_RE})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}}))"
    r"(?:,?\s*(?:at\s+)?(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?"
    r"(?:\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2}))?",
    re.IGNORECASE,
)
_URL_DATE = re.compile(
    r"(?<![\d])((?:19|20)\d{2})([/_-])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?![\d])"
)
_URL_COMPACT_DATE = re.compile(
    r"(?<![\d])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\d])"
)


def _tz(text: str | None) -> timezone:
    if not text or text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) >= 4 else 0
    if hours > 14 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(y: int, mo: int, d: int, h: int, mi: int, s: int, us: int, tz: timezone) -> datetime:
    if not 1900 <= y <= 2200:
        raise ValueError("implausible year")
    return datetime(y, mo, d, h, mi, s, us, tzinfo=tz).astimezone(UTC)


def parse_date(value: str | None) -> datetime | None:
    """Parse a date as pages write it into a timezone-aware UTC datetime; None if unreadable.

    ISO 8601 and its common variants (space for T, compact, any fraction, Z/±hh[:mm] offsets),
    RFC 2822, and English "5 March 2024" / "March 5, 2024 at 6:01 pm". No offset means UTC; a bare
    date means midnight UTC.
    """
    if not value:
        return None
    text = " ".join(_INVISIBLE.sub("", html.unescape(value)).split())
    if not text or len(text) > 200:
        return None
    try:
        m = _ISO.match(text)
        if m:
            y, mo, d, h, mi, s, frac, tz = m.groups()
            us = int((frac or "0")[:6].ljust(6, "0"))
            return _build(
                int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), us, _tz(tz)
            )
        if re.fullmatch(r"\d{10}(?:\d{3})?", text):
            # Epoch seconds or milliseconds, as some CMSs store them in metas.
            seconds = int(text) / (1000 if len(text) == 13 else 1)
            return _build_epoch(seconds)
        if re.match(r"^[A-Za-z]{3},?\s+\d", text):
            parsed = parsedate_to_datetime(text)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
        w = _WORDY.search(text)
        if w:
            y = int(w["y1"] or w["y2"])
            mo = _MONTHS[(w["m1"] or w["m2"]).lower()]
            d = int(w["d1"] or w["d2"])
            h = int(w["h"] or 0)
            ampm = (w["ampm"] or "").lower().replace(".", "")
            if ampm == "pm" and h < 12:
                h += 12
            elif ampm == "am" and h == 12:
                h = 0
            mi = int(w["mi"] or 0)
            s = int(w["s"] or 0)
            return _build(y, mo, d, h, mi, s, 0, _tz(w["tz"]))
    except (ValueError, OverflowError, TypeError, IndexError):
        return None
    return None


def _build_epoch(seconds: float) -> datetime | None:
    dt = datetime.fromtimestamp(seconds, tz=UTC)
    return dt if 1990 <= dt.year <= 2200 else None


def _date_from_url(url: str | None) -> datetime | None:
    """A date written in the URL path (/2024/03/05/, 2024-03-05, 20240305), as midnight UTC."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:  # "http://[::1" and other unparsable URLs
        return None
    for pattern in (_URL_DATE, _URL_COMPACT_DATE):
        for m in pattern.finditer(path):
            groups = [g for g in m.groups() if g and g not in "/_-"]
            try:
                return _build(int(groups[0]), int(groups[1]), int(groups[2]), 0, 0, 0, 0, UTC)
            except ValueError:
                continue
    return None


# --------------------------------------------------------------------------- structure helpers


def _inside(node: LexborNode, tags: Iterable[str]) -> bool:
    wanted = set(tags)
    parent = node.parent
    while parent is not None:
        if parent.tag in wanted:
            return True
        parent = parent.parent
    return False


def _node_text(node: LexborNode) -> str | None:
    return _clean_text(node.text(deep=True, separator=" "))


def _in_script(node: LexborNode) -> bool:
    return _inside(node, ("script", "noscript", "template", "style"))


# --------------------------------------------------------------------------- title

#: Separators between a headline and the site name in <title>, padded by spaces. A colon is not
#: one ("Evolve: Shared History" is a headline); « is an opening quote in Arabic and French.
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—~•·»/\\]{1,2}|::)\s+")
#: A part this short cut from a title may be the headline itself ("Mozilla - Wikipedia").
_MIN_HEADLINE_WORDS = 5


def _heading(tree: LexborHTMLParser) -> str | None:
    """The page's main <h1>: the only one, or the first inside article/main when there are several."""
    h1s = [h for h in tree.css("h1") if not _in_script(h)]
    if not h1s:
        return None
    if len(h1s) > 1:
        inner = [h for h in h1s if _inside(h, ("article", "main"))]
        if not inner:
            return None
        h1s = inner
    return _node_text(h1s[0])


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and normalize_for_match(a or "") == normalize_for_match(b or "")


def _strip_site(title: str, site_name: str | None, heading: str | None) -> str:
    """Remove a site name from either end of a <title> ("Headline | Site", "Site - Headline").

    Surest evidence first: a part equal to the known site name, then a run of parts equal to the
    page's <h1>; otherwise the last (or first) part goes only when what is left is clearly a
    headline, since a wrong cut loses words while a kept suffix only adds some.
    """
    if site_name:
        bare = _strip_named_site(title, site_name)
        if bare:
            return bare
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    seps = _TITLE_SEPARATORS.findall(title)
    if site_name:
        site_key = normalize_for_match(site_name)
        if site_key and normalize_for_match(parts[-1]).startswith(site_key):
            return _join(parts[:-1], seps[:-1]) or title
        if site_key and normalize_for_match(parts[0]) == site_key:
            return _join(parts[1:], seps[1:]) or title
    if heading:
        for i in range(len(parts)):
            for j in range(len(parts), i, -1):
                candidate = _join(parts[i:j], seps[i : j - 1])
                if _same(candidate, heading):
                    return candidate
    head = _join(parts[:-1], seps[:-1])
    tail = _join(parts[1:], seps[1:])
    head_words, tail_words = len(head.split()), len(tail.split())
    if head_words >= _MIN_HEADLINE_WORDS and len(parts[-1].split()) < head_words:
        return head
    if tail_words >= _MIN_HEADLINE_WORDS and len(parts[0].split()) < tail_words:
        return tail
    return title


#: Punctuation that may join a headline and a site name, including the Arabic comma and
#: colon-style joins written without spaces ("العنوان،الموقع", "Headline:: Site").
_SITE_JOINER = r"[\s|\-–—~•·»«/\\:،؛_]+"


def _strip_named_site(title: str, site_name: str) -> str | None:
    """`title` without `site_name` at either end, when a separator joins them; else None."""
    site = re.escape(site_name.strip())
    if not site:
        return None
    for pattern in (rf"^(.*?\S){_SITE_JOINER}{site}\s*$", rf"^\s*{site}{_SITE_JOINER}(\S.*)$"):
        m = re.match(pattern, title, re.IGNORECASE | re.DOTALL)
        if m and len(m.group(1).split()) >= 2:
            return m.group(1).strip()
    return None


def _join(parts: list[str], seps: list[str]) -> str:
    out = parts[0] if parts else ""
    for sep, part in zip(seps, parts[1:], strict=False):
        out += sep + part
    return out.strip()


def _ld_title(ld: _JsonLd, doc_title: str | None) -> str | None:
    """The article's JSON-LD headline, or its name when that is closer to the page's <title>."""
    if ld.article is None:
        return None
    headline = _ld_text(ld.article.get("headline"))
    name = _ld_text(ld.article.get("name"))
    if headline and name and not _same(headline, name) and doc_title:
        # Some sites (Wikipedia) put a description in headline and the title in name.
        if _overlap(name, doc_title) > 0.75 and _overlap(headline, doc_title) <= 0.75:
            return name
    return headline or name


def _overlap(part: str, whole: str) -> float:
    """Share of the words of `part` that occur in `whole` (normalised); 0 for an empty part."""
    words = normalize_for_match(part).split()
    vocabulary = set(normalize_for_match(whole).split())
    return sum(w in vocabulary for w in words) / len(words) if words else 0.0


def _pick_title(
    tree: LexborHTMLParser, metas: dict[str, list[str]], ld: _JsonLd, site_name: str | None
) -> str | None:
    """The headline: explicit metadata as written, else <title> without the site name, else <h1>."""
    title_node = tree.css_first("head title") or tree.css_first("title")
    doc_title = _node_text(title_node) if title_node is not None else None
    explicit = _first(
        _ld_title(ld, doc_title),
        _meta(metas, "dc:title", "dc.title", "dcterms.title", "dcterm:title"),
        _meta(metas, "og:title", "twitter:title", "parsely-title", "sailthru.title"),
    )
    if explicit:
        return explicit
    heading = _heading(tree)  # a query: only when no explicit title
    if doc_title:
        return _strip_site(doc_title, site_name, heading)
    return heading


# --------------------------------------------------------------------------- authors

_BY_PREFIX = re.compile(
    r"^\s*(?:by|from|written by|posted by|von|par|por|door|di|av|"
    r"بقلم|كتب|كتبت|كتبه|إعداد|اعداد|تأليف|بواسطة)\s*[:：\-–—]?\s+",
    re.IGNORECASE,
)
_AND_SPLIT = re.compile(r"\s+(?:and|&|und|et|y|e|و)\s+|\s*[،;]\s*|\s+و(?=\S)", re.IGNORECASE)
_URLISH = re.compile(r"^(?:https?:)?//|^www\.|\.(?:com|org|net)(?:/|$)", re.IGNORECASE)
_BYLINE_CLASS = re.compile(
    r"byline|writtenby|(?:^|[\s_-])(?:authors?|author-?name|writer|dateline)(?:$|[\s_-])", re.I
)
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")
_CONTACT = re.compile(r"[(<\[]\s*(?:https?://|www\.|mailto:|[^\s@()<>]+@)[^)>\]]*[)>\]]", re.I)
_NOT_BYLINE = re.compile(r"comment|avatar|bio|image|photo|img|label|social|share|follow|more", re.I)


def _split_authors(text: str) -> list[str]:
    """One byline string into names: "By A and B", "A, B" (not "Surname, Given")."""
    # A byline line often goes on with a date or a role after a bullet or bar: keep the name.
    text = re.split(r"\s+[•·|]\s*|\s*\|\s*", text, maxsplit=1)[0]
    date = _WORDY.search(text) or _NUMERIC_DATE.search(text)
    if date and date.start() > 0:
        text = text[: date.start()]
    # "Name (https://site/)" and "Name <name@site>": the contact is not part of the name.
    text = _CONTACT.sub(" ", text)
    text = _BY_PREFIX.sub("", text).strip(" ,;|:-–—")
    if not text:
        return []
    parts = [p.strip(" ,;|:-–—") for p in _AND_SPLIT.split(text)]
    names: list[str] = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",")]
        # "Kim, Jett" is one inverted name only when a piece is a single word.
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces if p):
            names.extend(p for p in pieces if p)
        elif part:
            names.append(part)
    return [_BY_PREFIX.sub("", n).strip() for n in names if n]


def _is_url(text: str) -> bool:
    return bool(re.match(r"(?:https?:)?//|www\.", text)) or (
        " " not in text.strip() and "/" in text and "." in text
    )


def _good_author(name: str) -> bool:
    if not name or len(name) > 80 or len(name.split()) > 8:
        return False
    if _URLISH.search(name) or "@" in name and " " not in name:
        return False
    # Digits mean a date, a count or a user handle ("CC7567"), not a person's name.
    if any(ch.isdigit() for ch in name) or not any(ch.isalpha() for ch in name):
        return False
    return True


def _dedupe(values: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        key = normalize_for_match(v)
        if key and key not in seen:
            seen.add(key)
            out.append(v)
    return tuple(out)


def _authors_from(texts: Iterable[str]) -> tuple[str, ...]:
    names: list[str] = []
    for text in texts:
        names.extend(n for n in _split_authors(text) if _good_author(n))
    return _dedupe(names)


_NOISE_CONTAINER = re.compile(
    r"comment|related|recommend|sidebar|widget|promo|newsletter|popular|trending|follow", re.I
)


def _in_noise(node: LexborNode) -> bool:
    """Inside comments, related-story lists or page chrome, where names are not the article's."""
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag in ("aside", "nav", "footer") and not _inside(parent, ("article",)):
            return True
        attrs = parent.attributes
        marks = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if marks.strip() and _NOISE_CONTAINER.search(marks):
            return True
        parent = parent.parent
    return False


def _byline_nodes(tree: LexborHTMLParser, nodes: _Nodes) -> Iterator[str]:
    """Texts of elements that look like bylines, most explicit markup first."""
    # The kinds in order of trust: [itemprop~=author] [itemprop=name], [itemprop~=author],
    # a[rel~=author], [rel~=author] (all in the index), and last elements whose class or id says
    # byline. Those cost a query of their own, made only when the markup kinds named nobody (the
    # query keeps elements whose class or id holds a word _BYLINE_CLASS needs; the regex decides).
    seen: set[int] = set()
    kinds = (
        (nodes.itemprops, lambda n, a: a.get("itemprop") == "name" and _under_author(n)),
        (nodes.itemprops, lambda n, a: _has_token(a.get("itemprop"), "author")),
        (
            nodes.rel_authors,
            lambda n, a: n.tag == "a" and _has_token(a.get("rel"), "author", fold=True),
        ),
        (nodes.rel_authors, lambda n, a: True),
    )
    for found, kind in kinds:
        for node, attrs in found:
            if not kind(node, attrs):
                continue
            if node.mem_id in seen or node.tag == "meta" or _in_script(node) or _in_noise(node):
                continue
            seen.add(node.mem_id)
            text = _node_text(node)
            if text and len(text) <= 100:
                yield text
    last = -1
    for node in tree.css(_BYLINE_QUERY):
        if node.mem_id == last:  # a node matching two selectors comes twice in a row
            continue
        last = node.mem_id
        attrs = node.attributes
        marks = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if not _BYLINE_CLASS.search(marks) or _NOT_BYLINE.search(marks):
            continue
        if node.tag in ("meta", "link", "script", "style", "img", "html", "body") or _in_script(
            node
        ):
            continue
        if _in_noise(node):
            continue
        text = _node_text(node)
        if text and 2 <= len(text) <= 100:
            yield text


_BYLINE_QUERY = ", ".join(
    f"[{attr}*={word} i]"
    for attr in ("class", "id")
    for word in ("byline", "author", "writ", "dateline")
)


def _under_author(node: LexborNode) -> bool:
    """Whether an ancestor of `node` has itemprop~="author"."""
    parent = node.parent
    while parent is not None:
        if parent.is_element_node and _has_token(parent.attributes.get("itemprop"), "author"):
            return True
        parent = parent.parent
    return False


def _pick_authors(
    tree: LexborHTMLParser, nodes: _Nodes, metas: dict[str, list[str]], ld: _JsonLd
) -> tuple[str, ...]:
    if ld.article is not None:
        found = _authors_from(_ld_names(ld.article.get("author") or ld.article.get("creator")))
        if found:
            return found
    meta_keys = (
        "dc:creator",
        "dc.creator",
        "dcterms.creator",
        "author",
        "parsely-author",
        "sailthru.author",
        "byl",
        "article:author",
        "og:article:author",
    )
    for key in meta_keys:
        values = metas.get(key)
        if values:
            # article:author is often the author's page URL, which names nobody reliably.
            found = _authors_from(v for v in values if not _is_url(v))
            if found:
                return found
    return _first_byline(_byline_nodes(tree, nodes))


def _first_byline(texts: Iterable[str]) -> tuple[str, ...]:
    for text in texts:
        found = _authors_from([text])
        if found:
            return found
    return ()


# --------------------------------------------------------------------------- dates from the page

_PUBLISHED_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "parsely-pub-date",
    "sailthru.date",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published-date",
    "published_date",
    "article.published",
    "article_date_original",
    "original-publish-date",
    "originalpublicationdate",
    "cxenseparse:recs:publishtime",
    "date",
    "release_date",
)
_MODIFIED_META_KEYS = (
    "article:modified_time",
    "og:updated_time",
    "og:modified_time",
    "article:modified",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
)


def _first_date(values: Iterable[str | None]) -> datetime | None:
    for v in values:
        parsed = parse_date(v) if isinstance(v, str) else None
        if parsed is not None:
            return parsed
    return None


def _itemprop_dates(nodes: _Nodes, prop: str) -> Iterator[str]:
    for node, attrs in nodes.itemprops:
        if not _has_token(attrs.get("itemprop"), prop) or _in_script(node):
            continue
        yield attrs.get("content") or attrs.get("datetime") or node.text(deep=True) or ""


def _time_elements(nodes: _Nodes) -> Iterator[str]:
    """<time> values, those in the article or its header first, ones marked pubdate before all."""
    times = [(n, attrs) for n, attrs in nodes.times if not _in_script(n)]
    ranked = sorted(
        range(len(times)),
        key=lambda i: (
            "pubdate" not in times[i][1],
            not _inside(times[i][0], ("article", "main", "header")),
            _inside(times[i][0], ("footer", "aside", "nav")),
            i,
        ),
    )
    for i in ranked:
        node, attrs = times[i]
        yield attrs.get("datetime") or node.text(deep=True) or ""


def _parsely_page(metas: dict[str, list[str]], key: str) -> str | None:
    raw = _meta(metas, "parsely-page")
    if not raw:
        return None
    try:
        data = json.loads(raw, strict=False)
    except (ValueError, RecursionError):
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _pick_published(
    nodes: _Nodes, metas: dict[str, list[str]], ld: _JsonLd, url: str | None
) -> datetime | None:
    found = _first_date(
        [
            _ld_text(ld.get("datePublished")),
            *(metas.get(k, [None])[0] for k in _PUBLISHED_META_KEYS),
            _parsely_page(metas, "pub_date"),
            _ld_text(ld.get("dateCreated")),
        ]
    )
    if found is None:
        found = _first_date(_itemprop_dates(nodes, "datePublished"))
    if found is None:
        found = _first_date(_time_elements(nodes))
    if found is None:
        found = _date_from_url(url)
    return found


def _pick_modified(nodes: _Nodes, metas: dict[str, list[str]], ld: _JsonLd) -> datetime | None:
    found = _first_date(
        [_ld_text(ld.get("dateModified")), *(metas.get(k, [None])[0] for k in _MODIFIED_META_KEYS)]
    )
    return found if found is not None else _first_date(_itemprop_dates(nodes, "dateModified"))


# --------------------------------------------------------------------------- section and tags


def _position(item: dict[str, Any]) -> int:
    """A ListItem's position, which sites write as a number or a string."""
    pos = item.get("position")
    if isinstance(pos, int):
        return pos
    if isinstance(pos, str) and pos.strip().isdigit():
        return int(pos)
    return 0


def _breadcrumb_section(tree: LexborHTMLParser, ld: _JsonLd, title: str | None) -> str | None:
    """The section a breadcrumb trail names: the item before the article itself."""
    names: list[str] = []
    for obj in ld.objects:
        if any(_short_type(t).lower() == "breadcrumblist" for t in _types(obj)):
            items = obj.get("itemListElement")
            if isinstance(items, list):
                ordered = sorted(
                    (i for i in items if isinstance(i, dict)),
                    key=_position,
                )
                for item in ordered:
                    name = item.get("name")
                    inner = item.get("item")
                    if not isinstance(name, str) and isinstance(inner, dict):
                        name = inner.get("name")
                    text = _ld_text(name)
                    if text:
                        names.append(text)
            break
    if not names:
        for container in tree.css(
            '[itemtype*="BreadcrumbList"], nav[aria-label*="readcrumb"], .breadcrumb, .breadcrumbs'
        ):
            names = [t for a in container.css("a") if (t := _node_text(a))]
            if names:
                break
    if not names:
        return None
    if len(names) >= 2:
        last_is_article = title is not None and _same(names[-1], title) or len(names[-1]) > 60
        return names[-2] if last_is_article or len(names) >= 3 else names[-1]
    return None


def _pick_section(
    tree: LexborHTMLParser, metas: dict[str, list[str]], ld: _JsonLd, title: str | None
) -> str | None:
    # The breadcrumb costs a query: only asked when the page names no section.
    return _first(
        _ld_text(ld.get("articleSection")),
        _meta(metas, "article:section", "parsely-section", "section", "sailthru.section"),
    ) or _breadcrumb_section(tree, ld, title)


def _split_keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t for v in value for t in _split_keywords(v)]
    if isinstance(value, str):
        return [t for p in re.split(r"[,،]", value) if (t := _clean_text(p))]
    return []


def _pick_tags(nodes: _Nodes, metas: dict[str, list[str]], ld: _JsonLd) -> tuple[str, ...]:
    tags: list[str] = list(metas.get("article:tag", []))
    if not tags:
        tags = _split_keywords(ld.get("keywords"))
    if not tags:
        tags = _split_keywords(metas.get("parsely-tags", [])) or _split_keywords(
            metas.get("news_keywords", [])
        )
    if not tags:
        tags = [
            t
            for a, attrs in nodes.rel_anchors
            if _has_token(attrs.get("rel"), "tag", fold=True)
            and (t := _node_text(a))
            and len(t) <= 60
        ]
    # Tag vocabularies sometimes carry machine prefixes ("Topic:Politics"): kept as written.
    return _dedupe(t for t in tags if len(t) <= 100)


# --------------------------------------------------------------------------- the rest


def _pick_lang(tree: LexborHTMLParser, metas: dict[str, list[str]]) -> str | None:
    root = tree.css_first("html")
    attrs = root.attributes if root is not None else {}
    lang = _clean_text(attrs.get("lang") or attrs.get("xml:lang"))
    if lang:
        return lang
    locale = _meta(metas, "og:locale", "content-language", "language", "dc.language")
    if locale:
        return locale.split(",")[0].strip().replace("_", "-") or None
    return None


def _pick_dir(tree: LexborHTMLParser, nodes: _Nodes) -> str | None:
    """The text direction the page declares: <body dir> over <html dir>, else the main container."""
    for sel in ("body", "html"):
        node = tree.css_first(sel)
        if node is not None and (value := _dir_of(node.attributes)):
            return value
    # The first <main> is asked before the first [role="main"].
    for attrs in (
        next((a for n, a in nodes.mains if n.tag == "main"), None),
        next((a for _n, a in nodes.mains if a.get("role") == "main"), None),
    ):
        if attrs is not None and (value := _dir_of(attrs)):
            return value
    return None


def _dir_of(attrs: dict[str, str | None]) -> str | None:
    value = (attrs.get("dir") or "").strip().lower()
    return value if value in ("rtl", "ltr") else None


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if href.startswith("data:"):
        return None
    if base:
        try:
            return urljoin(base, href)
        except ValueError:
            return href
    return href


def _base_url(nodes: _Nodes, url: str | None) -> str | None:
    href = nodes.bases[0][1].get("href") if nodes.bases else None
    if href:
        return _absolute(href, url)
    return url


def _pick_canonical(nodes: _Nodes, base: str | None) -> str | None:
    for _node, attrs in nodes.links:
        rels = (attrs.get("rel") or "").lower().split()
        if "canonical" in rels:
            url = _absolute(_clean_text(attrs.get("href")), base)
            if url:
                return url
    return None


def extract_metadata(tree: LexborHTMLParser, url: str | None = None) -> PageMetadata:
    """Read the metadata of one parsed page (call it before scripts are removed).

    Never raises on malformed markup or JSON-LD: a value that cannot be read is None (or empty).
    `url` resolves relative links and is the last source of a publication date.
    """
    nodes = _index(tree)
    metas = _collect_metas(nodes)
    ld = _collect_json_ld(nodes)
    base = _base_url(nodes, url)

    publisher = ld.get("publisher")
    # The publisher's JSON-LD name is usually the bare brand; og:site_name often adds a slogan.
    site_name = _first(
        _ld_names(publisher)[0] if _ld_names(publisher) else None,
        _meta(metas, "og:site_name", "application-name", "twitter:site_name"),
    )
    title = _pick_title(tree, metas, ld, site_name)

    types: list[str] = []
    for obj in ld.objects:
        types.extend(_short_type(t) for t in _types(obj))
    body = _ld_text(ld.article.get("articleBody")) if ld.article else None

    image = _first(
        _meta(metas, "og:image", "og:image:url", "og:image:secure_url", "twitter:image"),
        _ld_url(ld.get("image")),
        _ld_url(ld.get("thumbnailUrl")),
    )
    return PageMetadata(
        title=title,
        authors=_pick_authors(tree, nodes, metas, ld),
        published_at=_pick_published(nodes, metas, ld, url),
        modified_at=_pick_modified(nodes, metas, ld),
        section=_pick_section(tree, metas, ld, title),
        tags=_pick_tags(nodes, metas, ld),
        description=_first(
            _meta(metas, "og:description", "description", "twitter:description"),
            _ld_text(ld.get("description")),
            _meta(metas, "dc.description", "dc:description"),
        ),
        canonical_url=_pick_canonical(nodes, base),
        site_name=site_name,
        page_lang=_pick_lang(tree, metas),
        dir=_pick_dir(tree, nodes),
        image_url=_absolute(image, base),
        og_type=_meta(metas, "og:type"),
        json_ld_types=tuple(dict.fromkeys(types)),
        json_ld_body=body,
    )
