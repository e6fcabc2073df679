"""Fetch one page over HTTP(S) with httpx: timeouts, capped redirects and size, proper decoding.

Every failure is a `FetchError` whose `state` names what happened (the frontier records it).
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from scraper.config import HttpConfig
from scraper.decode import decode_html

HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """A fetch that did not give a usable HTML page.

    `state` is one of: bad-url, dns, connect, timeout, redirect-loop, http-error, not-html,
    too-large, truncated, protocol.
    """

    def __init__(
        self,
        state: str,
        message: str,
        *,
        url: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.state = state
        self.url = url
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.state}: {self.args[0]}"


@dataclass(slots=True, frozen=True)
class Page:
    """A fetched page: the decoded text and what the server said about it."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    fetched_at: datetime
    text: str
    encoding: str
    content_type: str
    body_bytes: int
    redirects: tuple[str, ...] = field(default=())

    @property
    def etag(self) -> str | None:
        """The ETag header, if any."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """The Last-Modified header, if any."""
        return self.headers.get("last-modified")


def build_client(http: HttpConfig, *, sync: bool = False) -> httpx.AsyncClient | httpx.Client:
    """An httpx client built from the config (the seam tests point at a loopback server)."""
    timeout = httpx.Timeout(http.timeout_s, connect=http.connect_timeout_s)
    limits = httpx.Limits(
        max_connections=http.concurrency, max_keepalive_connections=http.concurrency
    )
    headers = {
        "User-Agent": http.user_agent,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        "Accept-Language": "ar,en;q=0.8",
    }
    kwargs = dict(
        timeout=timeout,
        limits=limits,
        headers=headers,
        follow_redirects=True,
        max_redirects=http.max_redirects,
    )
    if sync:
        return httpx.Client(**kwargs)  # type: ignore[arg-type]
    return httpx.AsyncClient(**kwargs)  # type: ignore[arg-type]


def check_url(url: str) -> str:
    """Validate a URL to fetch: http(s) with a host. Returns it stripped; FetchError otherwise."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError("bad-url", f"not a valid URL: {exc}", url=url) from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(
            "bad-url", f"only http and https URLs can be fetched, not {url!r}", url=url
        )
    if not parts.hostname:
        raise FetchError("bad-url", f"the URL has no host: {url!r}", url=url)
    return url


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(slots=True, frozen=True)
class RawResponse:
    """A successful response before decoding (2xx, or 304 when asked for)."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    redirects: tuple[str, ...] = ()

    @property
    def mime(self) -> str:
        """The media type of the Content-Type header, lower-cased ("" if none)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def fetch_response(
    client: httpx.AsyncClient,
    url: str,
    *,
    max_bytes: int = 10_000_000,
    headers: dict[str, str] | None = None,
    allow_not_modified: bool = False,
    html_only: bool = False,
) -> RawResponse:
    """GET `url` with the size cap; FetchError for transport failures, non-2xx statuses (but a 304
    when `allow_not_modified`) and, with `html_only`, a declared non-HTML content type."""
    url = check_url(url)
    try:
        async with client.stream("GET", url, headers=headers) as resp:
            status = resp.status_code
            hdrs = {k.lower(): v for k, v in resp.headers.items()}
            final = str(resp.url)
            redirects = tuple(str(r.url) for r in resp.history)
            if status == 304 and allow_not_modified:
                return RawResponse(url, final, 304, hdrs, b"", datetime.now(UTC), redirects)
            if status >= 400 or status < 200 or status == 304:
                raise FetchError(
                    "http-error",
                    f"HTTP {status} {resp.reason_phrase}".rstrip(),
                    url=url,
                    status=status,
                    retry_after=_retry_after(hdrs.get("retry-after")),
                )
            mime = hdrs.get("content-type", "").split(";", 1)[0].strip().lower()
            if html_only and mime and mime not in HTML_TYPES:
                raise FetchError(
                    "not-html", f"content type is {mime!r}, not HTML", url=url, status=status
                )
            declared = hdrs.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(
                    "too-large",
                    f"body of {int(declared):,} bytes exceeds the cap of {max_bytes:,}",
                    url=url,
                    status=status,
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(
                        "too-large",
                        f"body exceeds the cap of {max_bytes:,} bytes",
                        url=url,
                        status=status,
                    )
                chunks.append(chunk)
    except FetchError:
        raise
    except httpx.TooManyRedirects as exc:
        raise FetchError("redirect-loop", f"too many redirects ({exc})", url=url) from None
    except httpx.TimeoutException as exc:
        raise FetchError("timeout", f"timed out ({type(exc).__name__})", url=url) from None
    except httpx.ConnectError as exc:
        if _is_dns_error(exc):
            raise FetchError(
                "dns", f"cannot resolve host {urlsplit(url).hostname!r}", url=url
            ) from None
        raise FetchError("connect", f"cannot connect: {exc}", url=url) from None
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise FetchError("truncated", f"connection broke off: {exc}", url=url) from None
    except httpx.UnsupportedProtocol as exc:
        raise FetchError("bad-url", str(exc), url=url) from None
    except httpx.InvalidURL as exc:
        raise FetchError("bad-url", f"not a valid URL: {exc}", url=url) from None
    except httpx.HTTPError as exc:
        raise FetchError("protocol", f"{type(exc).__name__}: {exc}", url=url) from None
    return RawResponse(url, final, status, hdrs, b"".join(chunks), datetime.now(UTC), redirects)


def decode_page(raw: RawResponse) -> Page:
    """Decode an HTML response into a Page; FetchError("not-html") for binary bodies."""
    if raw.status == 304:
        return Page(
            raw.url, raw.final_url, 304, raw.headers, raw.fetched_at, "", "", "", 0, raw.redirects
        )
    if _looks_binary(raw.body):
        raise FetchError(
            "not-html", "body is binary data, not HTML", url=raw.url, status=raw.status
        )
    text, encoding = decode_html(raw.body, raw.headers.get("content-type"))
    return Page(
        raw.url,
        raw.final_url,
        raw.status,
        raw.headers,
        raw.fetched_at,
        text,
        encoding,
        raw.mime or "text/html",
        len(raw.body),
        raw.redirects,
    )


async def fetch_page(
    client: httpx.AsyncClient,
    url: str,
    *,
    max_bytes: int = 10_000_000,
    headers: dict[str, str] | None = None,
    allow_not_modified: bool = False,
) -> Page:
    """GET an HTML page and decode it. FetchError for anything but an HTML page (or a 304 when
    `allow_not_modified`, returned as a Page with status 304 and empty text)."""
    raw = await fetch_response(
        client,
        url,
        max_bytes=max_bytes,
        headers=headers,
        allow_not_modified=allow_not_modified,
        html_only=True,
    )
    return decode_page(raw)


def _is_dns_error(exc: httpx.ConnectError) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return True
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    return (
        "name or service not known" in text
        or "nodename nor servname" in text
        or "name resolution" in text
        or "no address associated" in text
    )


def _looks_binary(body: bytes) -> bool:
    head = body[:2048]
    if not head:
        return False
    if head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")):
        return True
    # UTF-16 without BOM is rare; NULs and control bytes in bulk mean binary. Counted in C
    # (bytes.translate deletes them) rather than byte by byte: this runs on every page.
    ctrl = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return ctrl > 0.1 * len(head)


#: Bytes that do not occur in text: below TAB, and 14-31 except ESC.
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or (13 < b < 32 and b != 27))


def fetch_one(url: str, http: HttpConfig) -> Page:
    """Fetch a single page synchronously (for `scraper fetch`)."""

    async def run() -> Page:
        client = build_client(http)
        assert isinstance(client, httpx.AsyncClient)
        async with client:
            return await fetch_page(client, url, max_bytes=http.max_bytes)

    return asyncio.run(run())
