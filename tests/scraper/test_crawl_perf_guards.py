"""Guards for the crawler's throughput shortcuts: each must give what the slow path gave.

Memoised link verdicts, the off-site shortcut, skipped frontier re-adds, the fetch-only mode.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scraper.config import load_config
from scraper.crawl import _OTHER_SCHEME, Crawl, CrawlOptions, _off_site, run_crawl
from scraper.demo_site import Site, SiteServer
from scraper.fetch import _looks_binary
from scraper.frontier import Frontier
from scraper.urls import UrlRejected, host_of, normalize_url


def _config(tmp_path: Path, server: SiteServer) -> Path:
    p = tmp_path / "cfg.yaml"
    p.write_text(
        "output: {path: data}\n"
        "http: {delay_s: 0, timeout_s: 5, retries: 1, backoff_s: 0.1, per_host_concurrency: 4}\n"
        "sites:\n"
        "  - name: demo\n"
        f"    start_urls: ['{server.url}/']\n"
        "    article_patterns: ['/\\d{4}/\\d{2}/\\d{2}/']\n"
        "    max_depth: 5\n",
        encoding="utf-8",
    )
    return p


def test_off_site_shortcut_agrees_with_full_normalisation() -> None:
    allowed = ["news.example.net", "127.0.0.1"]
    urls = [
        "https://twitter.com/intent/tweet?url=http%3A%2F%2Fx&text=a b",
        "HTTPS://WWW.Facebook.com/sharer.php?u=1",
        "http://news.example.net/a/../b",
        "http://NEWS.example.net./x",
        "http://127.0.0.1:8765/en/",
        "http://bücher.example/x",
        "http://evil.example:99999/x",
        "http://[::1/x",
        "mailto:someone@example.net",
        "/relative/path",
        "//cdn.example.org/x.js",
    ]
    for url in urls:
        if not _off_site(url, allowed):
            continue
        # The shortcut may only say "off site" when the full path says so too (and counts nothing).
        norm = normalize_url(url)
        assert host_of(norm) not in allowed, url
    for url in [*urls, "javascript:void(0)", "tel:+1", "HTTP:rel", "https:x", "c++:x"]:
        if _OTHER_SCHEME.match(url):  # said "bad URL" early: normalize_url must refuse it too
            with pytest.raises(UrlRejected):
                normalize_url(url, "http://news.example.net/a/")
    assert _off_site(urls[0], allowed) and _off_site(urls[1], allowed)
    assert not _off_site(urls[2], allowed) and not _off_site(urls[3], allowed)
    assert not _off_site(urls[6], allowed)  # malformed port: left to the full path to count


def test_memoised_verdicts_count_every_occurrence(tmp_path: Path) -> None:
    cfg = load_config(_write_plain_config(tmp_path))
    site = cfg.sites[0]
    crawl = Crawl(cfg, CrawlOptions(workers=0))
    try:
        base = "http://news.example.net/en/a/"
        hrefs = ["mailto:x@y", "#top", "/b/?utm_source=z", "https://other.example/s?u=1"] * 3
        got = [crawl._accept(site, h, base) for h in hrefs]
        slow = []
        for h in hrefs:
            try:
                n = normalize_url(h, base)
            except UrlRejected:
                slow.append(None)
                continue
            slow.append(n if host_of(n) in site.allowed_hosts else None)
        assert got == slow
        assert crawl.stats["urls/skipped/bad-url"] == 3  # the mailto, once per occurrence
    finally:
        crawl.frontier.close()


def _write_plain_config(tmp_path: Path) -> Path:
    p = tmp_path / "plain.yaml"
    p.write_text(
        "output: {path: data}\nsites:\n  - name: n\n    start_urls: ['http://news.example.net/']\n",
        encoding="utf-8",
    )
    return p


def test_frontier_readd_is_skipped_but_counts_stay_right(tmp_path: Path) -> None:
    f = Frontier(tmp_path / "f.sqlite")
    try:
        items = [("http://h/a", "s", "article", 1), ("http://h/hub", "s", "hub", 1)]
        assert f.add(items) == 2
        assert f.discovery_added == 1  # the hub, not the article
        assert f.add(items) == 0
        assert f.discovery_added == 1
        # A second Frontier on the same file (a later run) still sees them as known.
        g = Frontier(tmp_path / "f.sqlite")
        assert g.add(items) == 0
        g.close()
        row = f.get("http://h/a")
        assert row is not None and row.kind == "article" and row.state == "queued"
    finally:
        f.close()


def test_lastmod_change_requeues_only_copies_older_than_the_run(tmp_path: Path) -> None:
    f = Frontier(tmp_path / "f.sqlite")
    try:
        f.add([("http://h/old", "s", "article", 1), ("http://h/new", "s", "article", 1)])
        f.note_lastmods({"http://h/old": "2024-01-01", "http://h/new": "2024-01-01"})
        start = time.time()
        f.record(
            [
                {"url": "http://h/old", "state": "fetched", "fetched_at": start - 3600},
                {"url": "http://h/new", "state": "fetched", "fetched_at": start + 1},
            ]
        )
        changed = f.note_lastmods(
            {"http://h/old": "2024-02-02", "http://h/new": "2024-02-02"}, since=start
        )
        assert changed == ["http://h/old"]
        new = f.get("http://h/new")
        assert new is not None and new.state == "fetched"
        # Without `since` (the old behaviour) a changed date always re-queues.
        assert f.note_lastmods({"http://h/new": "2024-03-03"}) == ["http://h/new"]
    finally:
        f.close()


def test_control_byte_count_matches_the_byte_loop() -> None:
    def reference(body: bytes) -> bool:
        head = body[:2048]
        if not head:
            return False
        if head.startswith(
            (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
        ):
            return True
        ctrl = sum(1 for b in head if b < 9 or (13 < b < 32 and b != 27))
        return ctrl > 0.1 * len(head)

    rng = random.Random(7)
    seen = Counter()
    for _ in range(2000):
        share = rng.random() * 0.3
        body = bytes(
            rng.randrange(0, 32) if rng.random() < share else rng.randrange(32, 256)
            for _ in range(rng.randrange(0, 3000))
        )
        seen[reference(body)] += 1
        assert _looks_binary(body) == reference(body)
    assert seen[True] and seen[False]  # both outcomes exercised


def test_fetch_only_mode_follows_every_link_and_writes_nothing(
    site: SiteServer, demo_site: Site, tmp_path: Path
) -> None:
    cfg = load_config(_config(tmp_path, site))
    summary = run_crawl(cfg, CrawlOptions(workers=0, clean=False))
    assert summary.completed and summary.exit_code == 0
    assert summary.stats["docs/new"] == 0
    assert summary.stats["docs/not-cleaned"] >= len(demo_site.articles)
    assert not list((tmp_path / "data").rglob("*.parquet"))
    db = sqlite3.connect(str(tmp_path / "data" / "state" / "frontier.sqlite"))
    fetched = {
        urlsplit(u).path
        for (u,) in db.execute("SELECT url FROM urls WHERE kind = 'article' AND state = 'fetched'")
    }
    db.close()
    want = {urlsplit(normalize_url(site.url + a.path)).path for a in demo_site.articles}
    assert want <= fetched
    # Every article fetched exactly once: batching due URLs must not refetch anything.
    got = Counter(
        urlsplit(normalize_url(site.url + r.path)).path for r in site.requests if r.method == "GET"
    )
    assert all(got[p] == 1 for p in want)
