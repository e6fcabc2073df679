"""Politeness and run output: per-host delay, robots Crawl-delay, JSON summary for log shippers."""

from __future__ import annotations

import json
import time
from pathlib import Path

from scraper.cli import main
from scraper.config import load_config
from scraper.crawl import CrawlOptions, run_crawl


def _config(tmp_path: Path, url: str, *, delay: float) -> Path:
    p = tmp_path / "c.yaml"
    p.write_text(
        f"output: {{path: data}}\nhttp: {{delay_s: {delay}, per_host_concurrency: 2, concurrency: 8}}\n"
        f"sites: [{{name: s, start_urls: ['{url}/'], article_patterns: ['/\\d{{4}}/'], max_depth: 5}}]\n",
        encoding="utf-8",
    )
    return p


def test_per_host_delay_spaces_requests(site_factory, tmp_path: Path) -> None:
    server = site_factory(n_articles=4)
    t0 = time.monotonic()
    summary = run_crawl(
        load_config(_config(tmp_path, server.url, delay=0.1)), CrawlOptions(workers=0)
    )
    elapsed = time.monotonic() - t0
    n = summary.stats["fetch/ok"] + summary.stats["fetch/not-modified"]
    assert n >= 8
    # n requests to one host started at least 0.1 s apart, whatever the concurrency.
    assert elapsed >= 0.1 * (n - 1)


def test_robots_crawl_delay_wins_over_a_smaller_config_delay(site_factory, tmp_path: Path) -> None:
    server = site_factory(n_articles=2, crawl_delay=0.3)
    t0 = time.monotonic()
    summary = run_crawl(
        load_config(_config(tmp_path, server.url, delay=0.0)), CrawlOptions(workers=0, max_pages=5)
    )
    elapsed = time.monotonic() - t0
    n = summary.stats["fetch/ok"]
    assert n >= 4 and elapsed >= 0.3 * (n - 1)


def test_json_summary_and_log_lines(site_factory, tmp_path: Path, capsys) -> None:
    server = site_factory(n_articles=2)
    cfg = _config(tmp_path, server.url, delay=0.0)
    text = cfg.read_text(encoding="utf-8").replace(
        f"'{server.url}/'", f"'{server.url}/', '{server.url}/fault/pdf'"
    )
    cfg.write_text(text, encoding="utf-8")
    code = main(["crawl", "--config", str(cfg), "--workers", "0", "--log-format", "json"])
    out, err = capsys.readouterr()
    summary = json.loads(out.strip().splitlines()[-1])
    assert code == summary["exit_code"] == 1  # the PDF is a failure
    assert summary["event"] == "crawl_summary" and summary["stats"]["docs/new"] == 2
    assert summary["stats"]["state/failed/not-html"] == 1
    lines = [json.loads(line) for line in err.strip().splitlines()]
    assert any(rec["level"] == "warning" and "/fault/pdf" in rec["message"] for rec in lines)
