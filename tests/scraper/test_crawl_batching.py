"""Guards for the crawl's batched frontier writes and its cheaper link verdicts.

Outcomes are buffered but never handed out twice; a document's URL waits for the writer; links
are queued before the state of the page they came from; fragment and share-link memos agree with
the uncached verdict.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from scraper.config import load_config
from scraper.crawl import Crawl, CrawlOptions, run_crawl
from scraper.demo_site import Site, SiteServer
from scraper.frontier import Frontier
from scraper.urls import normalize_url


def _plain(tmp_path: Path) -> Path:
    p = tmp_path / "plain.yaml"
    p.write_text(
        "output: {path: data}\nsites:\n  - name: n\n    start_urls: ['http://news.example.net/']\n",
        encoding="utf-8",
    )
    return p


def _state(crawl: Crawl, url: str) -> str:
    row = crawl.frontier.get(url)
    assert row is not None
    return row.state


def test_buffered_outcomes_reach_the_frontier_in_order(tmp_path: Path) -> None:
    crawl = Crawl(load_config(_plain(tmp_path)), CrawlOptions(workers=0, clean=False))
    try:
        h = "http://news.example.net/"
        crawl.frontier.add([(f"{h}{p}", "n", "article", 1) for p in ("done", "retry", "doc")])
        crawl._record({"url": f"{h}done", "state": "fetched", "fetched_at": time.time()})
        crawl._record(
            {"url": f"{h}retry", "state": "queued", "attempts": 1, "next_at": time.time() + 600}
        )
        # A document's URL waits for the writer (see Crawl._handle), whatever else is written.
        crawl.pending.append({"url": f"{h}doc", "state": "fetched"})
        crawl.awaiting_flush.add(f"{h}doc")
        crawl.found.append((f"{h}linked", "n", "hub", 2))
        assert _state(crawl, f"{h}done") == "queued"  # only buffered so far
        assert crawl.held == {f"{h}done", f"{h}retry"}

        crawl._write_states()
        assert _state(crawl, f"{h}done") == "fetched"
        assert not crawl.held and not crawl.buffered and not crawl.found
        assert crawl.frontier.get(f"{h}linked") is not None  # the page's links were queued too
        assert crawl.stats["urls/new"] == 1
        # The retry is not due before its time; the document's URL is still queued in SQLite,
        # so the scheduler filters it through awaiting_flush until the writer has flushed.
        due = {r.url for r in crawl.frontier.due("n", ("hub", "article"), 10)}
        assert due == {f"{h}doc", f"{h}linked"}
        assert _state(crawl, f"{h}doc") == "queued"

        crawl._flush()  # no writer in fetch-only mode: the pending states are written
        assert _state(crawl, f"{h}doc") == "fetched" and not crawl.awaiting_flush
    finally:
        crawl.frontier.close()


def test_frontier_add_counts_a_url_named_twice_in_one_batch_once(tmp_path: Path) -> None:
    f = Frontier(tmp_path / "f.sqlite")
    try:
        items = [("http://h/a", "s", "hub", 1), ("http://h/a", "s", "article", 2)]
        assert f.add(items) == 1
        row = f.get("http://h/a")
        assert row is not None and (row.kind, row.depth) == ("hub", 1)  # the first one wins
        assert f.discovery_added == 1
    finally:
        f.close()


def test_fragment_and_share_link_memos_agree_with_the_uncached_verdict(tmp_path: Path) -> None:
    cfg = load_config(_plain(tmp_path))
    site = cfg.sites[0]
    cached = Crawl(cfg, CrawlOptions(workers=0, clean=False))
    base = "http://news.example.net/en/a/"
    hrefs = [
        "http://news.example.net/en/b/#respond",
        "http://news.example.net/en/b/",
        "HTTP://news.example.net/en/b/../c/#x",
        "http://news.example.net/en/c/",
        " http://news.example.net/en/d/?utm_source=x#y ",
        "https://twitter.com/intent/tweet?url=http%3A%2F%2Fnews.example.net%2Fen%2Fa%2F",
        "https://twitter.com/intent/tweet?url=http%3A%2F%2Fnews.example.net%2Fen%2Fb%2F",
        "https://NEWS.example.net./en/e/",
        "http://news.example.net:99999/x",
        "http://[::1/x",
        "http://news.example.net/en/f/\t#x",
        "mailto:x@example.net",
        "#top",
        "rel/#frag",
    ] * 2
    try:
        got = [cached._accept(site, h, base) for h in hrefs]
        want = []
        for h in hrefs:
            fresh = Crawl(cfg, CrawlOptions(workers=0, clean=False))  # nothing memoised
            try:
                want.append(fresh._judge(site, h, base)[0])
            finally:
                fresh.frontier.close()
        assert got == want
        assert got[0] == got[1] == normalize_url("http://news.example.net/en/b/")
        assert got[5] is None and got[6] is None
        assert cached.stats["urls/skipped/bad-url"] == 6  # port, [::1, mailto: each occurrence
    finally:
        cached.frontier.close()


def test_cleaning_crawl_fetches_every_article_once_with_buffered_states(
    site: SiteServer, demo_site: Site, tmp_path: Path
) -> None:
    p = tmp_path / "cfg.yaml"
    p.write_text(
        "output: {path: data, flush_every_docs: 1000}\n"
        "http: {delay_s: 0, timeout_s: 5, retries: 1, backoff_s: 0.1, per_host_concurrency: 4}\n"
        "sites:\n"
        "  - name: demo\n"
        f"    start_urls: ['{site.url}/']\n"
        "    article_patterns: ['/\\d{4}/\\d{2}/\\d{2}/']\n"
        "    max_depth: 5\n",
        encoding="utf-8",
    )
    summary = run_crawl(load_config(p), CrawlOptions(workers=0))
    assert summary.completed and summary.stats["docs/new"] >= len(demo_site.articles)
    want = {urlsplit(normalize_url(site.url + a.path)).path for a in demo_site.articles}
    got = Counter(
        urlsplit(normalize_url(site.url + r.path)).path for r in site.requests if r.method == "GET"
    )
    # Documents wait for the writer's single flush at the end: none may be fetched again.
    assert all(got[p] == 1 for p in want)
