"""URL rules for crawling: normalisation, tracking-parameter removal, caps and trap guards.

One normal form per page, so the frontier never holds the same page under two spellings.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

MAX_URL_LENGTH = 2048
MAX_PATH_SEGMENTS = 20
MAX_REPEATED_SEGMENT = 3
MAX_QUERY_PARAMS = 12
MAX_PAGINATION = 50

_TRACKING = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|"
    r"ref_src|ref_url|cmpid|icid|ocid|xtor|at_medium|at_campaign|s_cid|spm|share|amp_js_v|__twitter_impression)$",
    re.I,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_PAGE_PARAM = re.compile(r"^(page|p|pg|paged|start|offset)$", re.I)
_PAGE_PATH = re.compile(r"/page/(\d+)/?$", re.I)
_CALENDAR = re.compile(r"(^|[/?&=])(calendar|events?)([/?&=]|$)|[?&](month|year|day|date)=\d", re.I)


class UrlRejected(ValueError):
    """A URL the crawler will not queue; the message says which rule."""


def normalize_url(url: str, base: str | None = None, *, keep_trailing_slash: bool = True) -> str:
    """The normal form of `url` (resolved against `base`).

    Lower-case scheme and host, IDNA host, no default port, no fragment, no tracking parameters,
    sorted query, percent-encoding made uniform, "/" for an empty path. Raises UrlRejected for
    non-http(s) URLs and URLs without a host.
    """
    url = url.strip()
    try:
        if base is not None:
            url = urljoin(base, url)
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRejected(f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise UrlRejected(f"scheme {scheme or '(none)'!r} is not http(s)")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UrlRejected("no host")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        host = host.lower()
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe=_SAFE_PATH) or "/"
    if not keep_trailing_slash and len(path) > 1:
        path = path.rstrip("/")
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, quote_via=quote), ""))


def host_of(url: str) -> str:
    """The lower-case host of a URL ("" when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def trap_reason(url: str) -> str | None:
    """Why a (normalised) URL looks like a crawler trap or is over a cap, else None."""
    if len(url) > MAX_URL_LENGTH:
        return "url-too-long"
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > MAX_PATH_SEGMENTS:
        return "too-many-path-segments"
    if segments and max(Counter(segments).values()) > MAX_REPEATED_SEGMENT:
        return "repeated-path-segment"
    query = parse_qsl(parts.query, keep_blank_values=True)
    if len(query) > MAX_QUERY_PARAMS:
        return "too-many-query-params"
    if query and max(Counter(k for k, _ in query).values()) > 1:
        return "repeated-query-param"
    if _CALENDAR.search(parts.path + ("?" + parts.query if parts.query else "")):
        return "calendar"
    for k, v in query:
        if _PAGE_PARAM.match(k) and v.isdigit() and int(v) > MAX_PAGINATION:
            return "deep-pagination"
    m = _PAGE_PATH.search(parts.path)
    if m and int(m.group(1)) > MAX_PAGINATION:
        return "deep-pagination"
    return None
