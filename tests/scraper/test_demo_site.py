"""Tests of the generated demo site and its loopback server: content truth, HTTP caching, faults.

Real HTTP over 127.0.0.1 (httpx and raw sockets); every test is bounded to a few seconds.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.demo_site import (
    FAULT_PATHS,
    PLACEHOLDER_BASE,
    Site,
    SiteServer,
    build_site,
    serve_in_thread,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


# --- the generated value -------------------------------------------------------------------


def test_build_is_deterministic_and_seeded() -> None:
    a, b = build_site(), build_site()
    assert a.pages == b.pages and a.articles == b.articles
    other = build_site(seed=2)
    assert [x.title for x in other.articles] != [x.title for x in a.articles]


def test_site_shape(demo_site: Site) -> None:
    en, ar = demo_site.articles_in("en"), demo_site.articles_in("ar")
    assert len(en) == 12 and len(ar) == 12
    assert len({a.title for a in demo_site.articles}) == 24
    paras = [p for a in demo_site.articles for p in a.paragraphs]
    assert len(paras) == len(set(paras)), (
        "a paragraph repeated across articles would look like template"
    )
    for a in en:
        assert re.fullmatch(r"/en/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/", a.path)
    for a in ar:
        assert re.fullmatch(r"/ar/\d{4}/\d{2}/\d{2}/(%[0-9A-F]{2}|[-0-9])+/", a.path)
        assert re.search("[\u0600-\u06ff]", unquote(a.path))
        assert all(re.search("[\u0600-\u06ff]", p) for p in a.paragraphs)
    for a in demo_site.articles:
        assert a.published.endswith("+03:00") and a.modified >= a.published
        assert [t for k, t in a.blocks if k == "paragraph"] == list(a.paragraphs)
        assert [t for k, t in a.blocks if k == "heading"] == list(a.headings)
        size = len(demo_site.pages[a.path].body)
        assert 10_000 <= size <= 30_000, (a.path, size)
    assert set(demo_site.fault_paths) == set(FAULT_PATHS)
    assert not any(p.startswith("/fault/") for p in demo_site.pages)


def _first(tree: LexborHTMLParser | LexborNode, css: str) -> LexborNode:
    node = tree.css_first(css)
    assert node is not None, css
    return node


def _html(site: Site, path: str) -> LexborHTMLParser:
    return LexborHTMLParser(site.pages[path].body.decode("utf-8"))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_article_markup_holds_the_truth(demo_site: Site, lang: str) -> None:
    for a in demo_site.articles_in(lang):
        tree = _html(demo_site, a.path)
        root = _first(tree, "html")
        assert root.attributes["lang"] == lang
        assert root.attributes["dir"] == ("ltr" if lang == "en" else "rtl")
        assert _first(tree, "article h1").text() == a.title
        content = _first(tree, "article div.entry-content")
        blocks = [
            ("heading" if n.tag == "h2" else "paragraph", n.text()) for n in content.css("p, h2")
        ]
        assert blocks == list(a.blocks)
        ld = json.loads(_first(tree, 'script[type="application/ld+json"]').text())
        assert ld["@type"] == "NewsArticle" and ld["headline"] == a.title
        assert ld["datePublished"] == a.published and ld["dateModified"] == a.modified
        assert ld["author"][0]["name"] == a.author and ld["articleSection"] == a.section
        assert a.paragraphs[-1] in ld["articleBody"]
        meta = {
            m.attributes.get("property"): m.attributes.get("content")
            for m in tree.css("meta[property]")
        }
        assert meta["og:title"] == a.title and meta["article:published_time"] == a.published
        assert _first(tree, 'link[rel="canonical"]').attributes["href"] == PLACEHOLDER_BASE + a.path
        _first(tree, 'link[rel="alternate"][type="application/rss+xml"]')


def test_chrome_is_in_the_other_language(demo_site: Site) -> None:
    en_page = demo_site.pages[demo_site.articles_in("en")[0].path].body.decode()
    for phrase in (
        "أخبار العالم",
        "رياضة",
        "اقتصاد",
        "شارك",
        "فيسبوك",
        "تويتر",
        "اظهر المزيد",
        "مقالات ذات صلة",
        "زر الذهاب إلى الأعلى",
        "إغلاق",
        "جميع الحقوق محفوظة",
    ):
        assert phrase in en_page, phrase
    ar_page = demo_site.pages[demo_site.articles_in("ar")[0].path].body.decode()
    for phrase in ("Read more", "Share this", "Related Articles", "Back to top", "Close", "Menu"):
        assert phrase in ar_page, phrase
    tickers = [
        p for p, pg in demo_site.pages.items() if b'<div class="ticker">BREAKING NEWS' in pg.body
    ]
    assert len(tickers) == 1 and "أخبار العالم".encode() in demo_site.pages[tickers[0]].body


def test_home_links_private_page_and_robots_disallows_it(demo_site: Site) -> None:
    home = demo_site.pages["/"].body.decode()
    assert 'href="/private/secret/"' in home
    assert "utm_source=x" in home
    robots = demo_site.pages["/robots.txt"].body.decode()
    assert "Disallow: /private/" in robots and "Crawl-delay" not in robots
    assert f"Sitemap: {PLACEHOLDER_BASE}/sitemap.xml" in robots
    assert (
        "Crawl-delay: 2.5"
        in build_site(n_articles=4, crawl_delay=2.5).pages["/robots.txt"].body.decode()
    )


# --- the server: plain pages ---------------------------------------------------------------


def test_pages_served_with_validators_and_rebased_urls(
    site: SiteServer, client: httpx.Client
) -> None:
    r = client.get(site.url + "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["etag"].startswith('"') and r.headers["last-modified"].endswith("GMT")
    assert site.url + "/" in r.text and PLACEHOLDER_BASE not in r.text
    robots = client.get(site.url + "/robots.txt").text
    assert f"Sitemap: {site.url}/sitemap.xml" in robots


def test_conditional_requests_answer_304(site: SiteServer, client: httpx.Client) -> None:
    url = site.url_for(site.site.articles[0].path)
    first = client.get(url)
    etag, lm = first.headers["etag"], first.headers["last-modified"]
    r = client.get(url, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": lm}).status_code == 304
    assert (
        client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}).status_code
        == 200
    )
    statuses = [e.status for e in site.requests]
    assert statuses == [200, 304, 200, 304, 200]
    assert site.requests[1].headers["If-None-Match"] == etag


def test_head_and_gzip(site: SiteServer, client: httpx.Client) -> None:
    url = site.url_for(site.site.articles_in("ar")[0].path)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    raw = client.send(
        client.build_request("GET", url, headers={"Accept-Encoding": "gzip"}), stream=True
    )
    compressed = b"".join(raw.iter_raw())
    raw.close()
    assert raw.headers["content-encoding"] == "gzip" and raw.headers["vary"] == "Accept-Encoding"
    assert len(compressed) < len(plain.content) / 2
    assert gzip.decompress(compressed) == plain.content
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == plain.headers["etag"]
    assert int(
        client.head(url, headers={"Accept-Encoding": "identity"}).headers["content-length"]
    ) == len(plain.content)
    small = client.get(site.url + "/robots.txt", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # under 1 KB: not worth compressing


def test_percent_encoding_spellings_and_trailing_slash(
    site: SiteServer, client: httpx.Client
) -> None:
    path = site.site.articles_in("ar")[0].path
    upper = client.get(site.url_for(path))
    lower = client.get(site.url_for(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), path)))
    assert upper.status_code == lower.status_code == 200 and upper.content == lower.content
    r = client.get(site.url + "/en", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/en/"
    assert client.get(site.url + "/no/such/page/").status_code == 404


def _links(base: str, body: str) -> list[str]:
    tree = LexborHTMLParser(body)
    return [urljoin(base, a.attributes["href"] or "") for a in tree.css("a[href]")]


def test_every_article_reachable_from_home_without_private_or_calendar(
    site: SiteServer, client: httpx.Client
) -> None:
    seen: set[str] = set()
    queue = deque([site.url + "/"])
    while queue and len(seen) < 300:
        url = queue.popleft()
        parts = urlsplit(url)
        key = unquote(parts.path)
        if key in seen:
            continue
        seen.add(key)
        r = client.get(f"{site.url}{parts.path}")
        assert r.status_code == 200, url
        for link in _links(url, r.text):
            lp = urlsplit(link)
            if link.startswith(site.url) and not lp.path.startswith(
                ("/private/", "/calendar/", "/wp-")
            ):
                queue.append(link)
    for a in site.site.articles:
        assert unquote(a.path) in seen, a.path
    assert "/private/secret/" not in site.requested_paths()
    # The page exists: only robots.txt keeps an obeying crawler out.
    assert client.get(site.url + "/private/secret/").status_code == 200


def test_sitemaps_and_feeds(site: SiteServer, client: httpx.Client) -> None:
    index = client.get(site.url + "/sitemap.xml").text
    assert f"{site.url}/sitemap-news.xml" in index and f"{site.url}/sitemap-posts.xml.gz" in index
    news = client.get(site.url + "/sitemap-news.xml").text
    assert news.count("<news:publication_date>") == 24
    gz = client.get(site.url + "/sitemap-posts.xml.gz")
    assert (
        gz.headers["content-type"] == "application/x-gzip" and "content-encoding" not in gz.headers
    )
    posts = gzip.decompress(gz.content).decode()
    for a in site.site.articles:
        assert f"<loc>{site.url}{a.path}</loc><lastmod>{a.modified}</lastmod>" in posts
    rss = client.get(site.url + "/feed/")
    assert (
        rss.headers["content-type"].startswith("application/rss+xml")
        and rss.text.count("<item>") == 24
    )
    atom = client.get(site.url + "/en/feed/atom/").text
    assert atom.count("<entry>") == 12 and "<published>" in atom


def test_calendar_is_an_endless_trap(site: SiteServer, client: httpx.Client) -> None:
    url = site.url + "/calendar/?month=2024-03"
    for _ in range(30):
        r = client.get(url)
        assert r.status_code == 200
        nxt = _first(LexborHTMLParser(r.text), 'a[rel="next"]').attributes["href"]
        url = urljoin(url, nxt)
    assert url.endswith("month=2026-09")  # 30 months after 2024-03
    assert client.get(site.url + "/calendar/?month=2024-13").status_code == 404


# --- legacy encodings --------------------------------------------------------------------


def test_cp1256_variants_and_bom(site: SiteServer, client: httpx.Client) -> None:
    legacy = {a.path: a for a in site.site.legacy}
    header = client.get(site.url + "/legacy/cp1256-header.html")
    assert header.headers["content-type"] == "text/html; charset=windows-1256"
    meta = client.get(site.url + "/legacy/cp1256-meta.html")
    assert (
        meta.headers["content-type"] == "text/html"
        and b'<meta charset="windows-1256">' in meta.content
    )
    undeclared = client.get(site.url + "/legacy/cp1256-undeclared.html")
    assert (
        undeclared.headers["content-type"] == "text/html" and b"charset" not in undeclared.content
    )
    for r, path in (
        (header, "/legacy/cp1256-header.html"),
        (meta, "/legacy/cp1256-meta.html"),
        (undeclared, "/legacy/cp1256-undeclared.html"),
    ):
        with pytest.raises(UnicodeDecodeError):
            r.content.decode("utf-8")
        text = r.content.decode("cp1256")
        truth = legacy[path]
        assert (
            truth.encoding == "windows-1256"
            and f'<h1 class="entry-title">{truth.title}</h1>' in text
        )
        for p in truth.paragraphs:
            assert p in text
    bom = client.get(site.url + "/legacy/utf8-bom.html")
    assert (
        bom.content.startswith(b"\xef\xbb\xbf<!DOCTYPE html>")
        and bom.headers["content-type"] == "text/html"
    )
    assert legacy["/legacy/utf8-bom.html"].title in bom.content.decode("utf-8-sig")


# --- faults -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [404, 410, 500])
def test_error_statuses(site: SiteServer, client: httpx.Client, code: int) -> None:
    assert client.get(f"{site.url}/fault/{code}").status_code == code
    assert client.get(f"{site.url}/fault/{code}").status_code == code  # always, not once


@pytest.mark.parametrize("code", [503, 429])
def test_fail_once_then_ok(site: SiteServer, client: httpx.Client, code: int) -> None:
    url = f"{site.url}/fault/{code}-once"
    first = client.get(url)
    assert first.status_code == code and first.headers["retry-after"] == "1"
    assert client.get(url).status_code == 200
    site.reset_faults()
    assert client.get(url).status_code == code


def test_slow_times_out_a_short_client_and_does_not_block_stop(demo_site: Site) -> None:
    server = SiteServer(demo_site).start()
    with httpx.Client(timeout=0.3) as c:
        with pytest.raises(httpx.ReadTimeout):
            c.get(server.url + "/fault/slow?s=2")
        assert c.get(server.url + "/fault/slow?s=0.05").status_code == 200
    done = threading.Event()

    def hang() -> None:
        try:
            httpx.get(server.url + "/fault/slow?s=100", timeout=20)  # capped at 10 s by the server
        except httpx.HTTPError:
            pass
        done.set()

    threading.Thread(target=hang, daemon=True).start()
    time.sleep(0.2)
    t0 = time.monotonic()
    server.stop()
    assert time.monotonic() - t0 < 1.5
    assert done.wait(3), "the client still waits after stop()"


def test_redirects(site: SiteServer, client: httpx.Client) -> None:
    r = client.get(site.url + "/fault/redirect-chain?n=3", follow_redirects=True)
    assert r.status_code == 200 and len(r.history) == 3
    assert {h.status_code for h in r.history} <= {301, 302, 303, 307, 308}
    with pytest.raises(httpx.TooManyRedirects):
        client.get(site.url + "/fault/redirect-loop", follow_redirects=True)
    a = client.get(site.url + "/fault/redirect-loop")
    b = client.get(urljoin(site.url + "/", a.headers["location"]))
    assert b.status_code == 302 and b.headers["location"] == "/fault/redirect-loop"


def test_non_html_bodies(site: SiteServer, client: httpx.Client) -> None:
    binary = client.get(site.url + "/fault/binary")
    assert (
        binary.headers["content-type"] == "application/octet-stream" and len(binary.content) == 8192
    )
    as_html = client.get(site.url + "/fault/binary-as-html")
    assert as_html.headers["content-type"] == "text/html" and as_html.content == binary.content
    with pytest.raises(UnicodeDecodeError):
        as_html.content.decode("utf-8")
    pdf = client.get(site.url + "/fault/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    bad = client.get(site.url + "/fault/malformed")
    assert bad.status_code == 200 and b"\x00" in bad.content and b"</div></div>" in bad.content


def test_huge_streams_and_survives_a_disconnect(site: SiteServer, client: httpx.Client) -> None:
    head = client.head(site.url + "/fault/huge")
    assert int(head.headers["content-length"]) == 30 * 1024 * 1024
    with client.stream("GET", site.url + "/fault/huge") as r:
        got = 0
        for chunk in r.iter_raw():
            got += len(chunk)
            if got > 1_000_000:
                break  # hang up mid-body, as a client with a size cap does
    with client.stream("GET", site.url + "/fault/huge?cl=0&mb=1") as r:
        assert "content-length" not in r.headers
        assert sum(len(c) for c in r.iter_raw()) == 1024 * 1024
    assert client.get(site.url + "/robots.txt").status_code == 200  # still serving


def test_truncated_body(site: SiteServer) -> None:
    with socket.create_connection(("127.0.0.1", site.port), timeout=3) as s:
        s.sendall(b"GET /fault/truncated HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    declared = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
    assert 0 < len(body) < declared
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(site.url + "/fault/truncated", timeout=3)


# --- state: edits, log, toggles -----------------------------------------------------------


def test_change_article_changes_body_and_validators(site: SiteServer, client: httpx.Client) -> None:
    target, other = site.site.articles_in("ar")[1], site.site.articles_in("en")[2]
    before = client.get(site.url_for(target.path))
    other_etag = client.get(site.url_for(other.path)).headers["etag"]
    new = site.change_article(target.path)
    assert new.paragraphs[:-1] == target.paragraphs and new.modified > target.modified
    after = client.get(site.url_for(target.path), headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert after.headers["last-modified"] != before.headers["last-modified"]
    assert new.paragraphs[-1] in after.text and site.site.article(target.path) == new
    assert (
        client.get(site.url_for(other.path), headers={"If-None-Match": other_etag}).status_code
        == 304
    )
    posts = gzip.decompress(client.get(site.url + "/sitemap-posts.xml.gz").content).decode()
    assert f"<lastmod>{new.modified}</lastmod>" in posts
    again = site.change_article(target.path)  # each edit differs from the last
    assert again.paragraphs[-1] != new.paragraphs[-1]


def test_request_log_and_reset(
    site: SiteServer, client: httpx.Client, capfd: pytest.CaptureFixture[str]
) -> None:
    client.get(site.url + "/en/?utm_source=x")
    client.head(site.url + "/fault/404")
    assert [(e.method, e.path, e.status) for e in site.requests] == [
        ("GET", "/en/?utm_source=x", 200),
        ("HEAD", "/fault/404", 404),
    ]
    assert "User-Agent" in site.requests[0].headers
    site.reset_log()
    assert site.requests == []
    assert capfd.readouterr().err == ""  # no per-request noise on stderr


def test_force_status_toggle(site: SiteServer, client: httpx.Client) -> None:
    site.force_status = 503
    assert client.get(site.url + "/").status_code == 503
    site.force_status = None
    assert client.get(site.url + "/").status_code == 200


def test_port_in_use_and_serve_in_thread(demo_site: Site) -> None:
    server = serve_in_thread(demo_site)
    try:
        with pytest.raises(OSError):
            SiteServer(demo_site, port=server.port).start()
        assert httpx.get(server.url + "/robots.txt").status_code == 200
    finally:
        server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/robots.txt", timeout=1)


def test_module_main_serves_until_interrupted() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper.demo_site", "--port", "0", "--articles", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)  # type: ignore[union-attr]
        assert httpx.get(url + "/", timeout=3).status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 0
        assert proc.stderr.read() == ""  # type: ignore[union-attr]
    finally:
        if proc.poll() is None:
            proc.kill()
