"""Shared pytest fixtures: the generated demo news site served on a loopback port.

`site` is a fresh server per test (its request log, "-once" faults and edits start clean).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from scraper.demo_site import Site, SiteServer, build_site


@pytest.fixture(scope="session")
def demo_site() -> Site:
    """The default generated site (24 articles, seed 1); a value, built once per session."""
    return build_site()


@pytest.fixture
def site(demo_site: Site) -> Iterator[SiteServer]:
    """A running `SiteServer` for the default site on 127.0.0.1 and a free port; stopped after."""
    with SiteServer(demo_site, host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def site_factory() -> Iterator[Callable[..., SiteServer]]:
    """Start servers for custom sites: `site_factory(n_articles=6, crawl_delay=2)`; all stopped after."""
    servers: list[SiteServer] = []

    def start(**build_kwargs: object) -> SiteServer:
        server = SiteServer(build_site(**build_kwargs), host="127.0.0.1", port=0).start()  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
