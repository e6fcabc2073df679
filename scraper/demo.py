"""`scraper demo`: serve the bundled bilingual demo site on 127.0.0.1 and crawl it into the dataset.

Shows the whole pipeline on a machine without internet; the crawl is the same as `scraper crawl`.
"""

from __future__ import annotations

import sys

from scraper.config import Config, HttpConfig, SiteConfig
from scraper.crawl import CrawlOptions, LockHeld, run_crawl
from scraper.demo_site import SiteServer, build_site

DEMO_PORT = 18080


def demo_config(cfg: Config, base_url: str) -> Config:
    """The user's config (for output path and cleaner rules) with the demo site as the only site."""
    site = SiteConfig(
        name="demo-site",
        start_urls=[base_url + "/"],
        languages=["ar", "en"],
        article_patterns=[r"/\d{4}/\d{2}/\d{2}/"],
        max_depth=4,
    )
    http = HttpConfig(
        **{
            **cfg.http.model_dump(),
            "delay_s": 0.0,
            "timeout_s": 10.0,
            "retries": 1,
            "backoff_s": 0.2,
        }
    )
    return cfg.model_copy(update={"sites": [site], "http": http})


def run_demo(cfg: Config, *, n_articles: int = 24) -> int:
    """Serve the demo site, crawl it into `cfg.data_path`, print the summary and what to do next."""
    site = build_site(n_articles=n_articles)
    server = None
    for port in (DEMO_PORT, 0):  # a fixed port keeps URLs stable across demo runs
        try:
            server = SiteServer(site, port=port)
            server.start()
            break
        except OSError:
            server = None
    if server is None:
        print("scraper: cannot start the demo server on 127.0.0.1", file=sys.stderr)
        return 1
    try:
        print(
            f"demo site serving at {server.url}/ ; crawling it into {cfg.data_path}",
            file=sys.stderr,
        )
        try:
            summary = run_crawl(
                demo_config(cfg, server.url), CrawlOptions(progress=sys.stdout.isatty())
            )
        except LockHeld as exc:
            print(f"scraper: {exc}", file=sys.stderr)
            return 3
    finally:
        server.stop()
    print(summary.as_text())
    print(
        f"\nNext: scraper stats --data {cfg.data_path}\n"
        f"      python -c \"import output; print(output.load_documents('{cfg.data_path}')"
        "[['site', 'title', 'main_lang']])\""
    )
    return summary.exit_code
