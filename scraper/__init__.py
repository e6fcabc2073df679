"""Scraper: everything that talks to the network or to local state (config, fetch, crawl, CLI).

The pipeline module wires it to `cleaners` and `output`.
"""

from scraper.config import Config, ConfigError, SiteConfig, load_config
from scraper.fetch import FetchError, Page, fetch_one, fetch_page

__all__ = [
    "Config",
    "ConfigError",
    "FetchError",
    "Page",
    "SiteConfig",
    "fetch_one",
    "fetch_page",
    "load_config",
]
