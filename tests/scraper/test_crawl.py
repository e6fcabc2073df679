"""`scraper crawl` against the loopback demo site: discovery, incremental re-crawl, kill -9 resume,
the lock, robots, retries and failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from output import load_documents
from scraper.cli import EXIT_LOCKED, main
from scraper.config import load_config
from scraper.crawl import CrawlOptions, run_crawl
from scraper.demo_site import Site, SiteServer
from scraper.urls import normalize_url


def write_config(
    tmp_path: Path,
    server: SiteServer,
    *,
    name: str = "cfg.yaml",
    data: str = "data",
    delay: float = 0.0,
    extra_urls: tuple[str, ...] = (),
    flush: int = 200,
    per_host: int = 4,
    retries: int = 2,
) -> Path:
    starts = ", ".join(f"'{server.url}{u}'" for u in ("/", *extra_urls))
    p = tmp_path / name
    p.write_text(
        f"output: {{path: {data}, flush_every_docs: {flush}}}\n"
        f"http: {{delay_s: {delay}, timeout_s: 5, retries: {retries}, backoff_s: 0.1, per_host_concurrency: {per_host}}}\n"
        "sites:\n"
        "  - name: demo\n"
        f"    start_urls: [{starts}]\n"
        "    article_patterns: ['/\\d{4}/\\d{2}/\\d{2}/']\n"
        "    max_depth: 5\n",
        encoding="utf-8",
    )
    return p


def crawl(cfg_path: Path, **opts: object):  # type: ignore[no-untyped-def]
    return run_crawl(load_config(cfg_path), CrawlOptions(workers=0, **opts))  # type: ignore[arg-type]


def article_paths(site: Site) -> set[str]:
    return {a.path for a in site.articles}


def fetched_paths(server: SiteServer) -> list[str]:
    return [r.path for r in server.requests if r.method == "GET"]


def test_first_run_collects_every_article_once(
    site: SiteServer, demo_site: Site, tmp_path: Path
) -> None:
    summary = crawl(write_config(tmp_path, site))
    assert summary.completed and summary.exit_code == 0
    docs = load_documents(tmp_path / "data")
    assert len(docs) == len(demo_site.articles)
    assert sorted(docs["title"]) == sorted(a.title for a in demo_site.articles)
    assert docs["url"].is_unique
    got = fetched_paths(site)
    # Every article fetched exactly once (either percent-encoding spelling counts as the same page).
    canon = Counter(urlsplit(normalize_url(site.url + p)).path for p in got)
    assert all(canon[a.path] == 1 for a in demo_site.articles)
    # robots.txt is obeyed: the private page linked from home is never fetched.
    assert not any(p.startswith("/private/") for p in got)
    assert summary.stats["state/denied"] >= 1
    # The calendar trap and tracking-parameter twins are not followed.
    assert not any(p.startswith("/calendar/") for p in got)
    assert not any("utm_" in p for p in got)
    # Main language per document matches the article's language.
    langs = {a.title: a.lang for a in demo_site.articles}
    assert all(langs[t] == lang for t, lang in zip(docs["title"], docs["main_lang"], strict=True))


def test_second_run_fetches_hubs_conditionally_and_only_the_changed_article(
    site: SiteServer, demo_site: Site, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, site)
    crawl(cfg)
    before = load_documents(tmp_path / "data", latest=False)
    changed = demo_site.articles_in("en")[2]
    site.change_article(changed.path)
    site.reset_log()
    summary = crawl(cfg)
    assert summary.exit_code == 0
    got = [r for r in site.requests if r.method == "GET"]
    article_hits = [
        r.path
        for r in got
        if urlsplit(normalize_url(site.url + r.path)).path in article_paths(demo_site)
    ]
    assert article_hits == [changed.path]
    hubs = [r for r in got if r.path not in article_hits and r.path != "/robots.txt"]
    assert hubs and all(
        r.headers.get("If-None-Match") or r.headers.get("If-Modified-Since") for r in hubs
    )
    assert sum(1 for r in hubs if r.status == 304) >= len(hubs) // 2
    after = load_documents(tmp_path / "data", latest=False)
    assert len(after) == len(before) + 1
    versions = after[after["title"] == changed.title].sort_values("version")
    assert list(versions["version"]) == [1, 2]
    assert versions["content_hash"].nunique() == 2
    latest = load_documents(tmp_path / "data")
    assert len(latest) == len(demo_site.articles)
    # A third run with nothing changed adds nothing.
    crawl(cfg)
    assert len(load_documents(tmp_path / "data", latest=False)) == len(after)


def _crawl_cmd(cfg: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scraper",
        "crawl",
        "--config",
        str(cfg),
        "--workers",
        "0",
        *extra,
    ]


def _dataset_keys(path: Path) -> list[tuple[str, str, int]]:
    docs = load_documents(path, latest=False)
    return sorted(zip(docs["url"], docs["content_hash"], docs["version"], strict=True))


def test_kill_9_then_rerun_equals_an_uninterrupted_run(site: SiteServer, tmp_path: Path) -> None:
    ref_cfg = write_config(tmp_path, site, name="ref.yaml", data="ref")
    assert crawl(ref_cfg).exit_code == 0
    reference = _dataset_keys(tmp_path / "ref")

    cfg = write_config(
        tmp_path, site, name="kill.yaml", data="kill", delay=0.05, flush=3, per_host=1
    )
    proc = subprocess.Popen(_crawl_cmd(cfg), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    docs_dir = tmp_path / "kill" / "documents"
    # Kill once some documents are on disk and the run is clearly not finished.
    while time.monotonic() < deadline and proc.poll() is None:
        files = list(docs_dir.rglob("*.parquet")) if docs_dir.exists() else []
        if len(files) >= 2:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the crawl finished before it could be killed; slow it down"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    partial = _dataset_keys(tmp_path / "kill")
    assert 0 < len(partial) < len(reference)
    assert crawl(cfg).exit_code == 0
    assert _dataset_keys(tmp_path / "kill") == reference


def test_second_concurrent_run_exits_with_the_lock_code(
    site: SiteServer, tmp_path: Path, capsys
) -> None:
    cfg = write_config(tmp_path, site, delay=0.1, per_host=1)
    proc = subprocess.Popen(_crawl_cmd(cfg), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        lock = tmp_path / "data" / "state" / "crawl.lock"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
            time.sleep(0.02)
        code = main(["crawl", "--config", str(cfg), "--workers", "0"])
        err = capsys.readouterr().err
        assert code == EXIT_LOCKED
        assert "another crawl" in err and str(proc.pid) in err
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    # SIGTERM is a graceful stop: exit 130, and what it wrote is readable.
    assert proc.returncode == 130
    load_documents(tmp_path / "data")


def test_retries_gone_and_failures_are_recorded(site: SiteServer, tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path,
        site,
        extra_urls=("/fault/429-once", "/fault/503-once", "/fault/404", "/fault/500", "/fault/pdf"),
        retries=2,
    )
    summary = crawl(cfg)
    s = summary.stats
    assert s["fetch/retry"] >= 2 + 2  # 429 and 503 once each, 500 twice
    assert s["state/gone"] == 1
    assert s["state/failed/http-500"] == 1 and s["state/failed/not-html"] == 1
    assert summary.exit_code == 1
    statuses = [(r.path, r.status) for r in site.requests if r.path.startswith("/fault/")]
    assert statuses.count(("/fault/429-once", 429)) == 1 and ("/fault/429-once", 200) in statuses
    assert statuses.count(("/fault/500", 500)) == 3  # first try and two retries


def test_max_pages_bounds_the_run(site: SiteServer, tmp_path: Path) -> None:
    summary = crawl(write_config(tmp_path, site), max_pages=5)
    assert not summary.completed
    assert summary.stats["fetch/ok"] + summary.stats["fetch/not-modified"] <= 5


def test_missing_config_and_unknown_site(tmp_path: Path, capsys) -> None:
    assert main(["crawl", "--config", str(tmp_path / "none.yaml")]) == 2
    cfg = tmp_path / "c.yaml"
    cfg.write_text("sites: [{name: a, start_urls: ['http://127.0.0.1:9/']}]\n", encoding="utf-8")
    assert main(["crawl", "--config", str(cfg), "--site", "b"]) == 2
    assert "no site named 'b'" in capsys.readouterr().err


def test_profile_is_saved_after_a_completed_run(site: SiteServer, tmp_path: Path) -> None:
    crawl(write_config(tmp_path, site))
    prof = tmp_path / "data" / "state" / "profiles" / "demo.json"
    assert prof.exists()
    import json

    assert json.loads(prof.read_text())["pages"] == 24
    assert isinstance(pd.read_parquet(tmp_path / "data" / "documents"), pd.DataFrame)
