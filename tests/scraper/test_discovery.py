"""Sitemap, feed and robots parsing."""

from __future__ import annotations

import gzip

from scraper.discovery import page_links, parse_robots, parse_xml_links

SITEMAP_INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://h/sitemap-news.xml</loc></sitemap><sitemap><loc>http://h/posts.xml.gz</loc></sitemap>
</sitemapindex>"""
NEWS = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>http://h/a/</loc>
<news:news><news:publication_date>2024-05-01T10:00:00Z</news:publication_date></news:news></url></urlset>"""
RSS = b"""<rss version="2.0"><channel><item><title>t</title><link>http://h/b/</link>
<pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate></item></channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="http://h/c/"/>
<updated>2024-05-01T10:00:00Z</updated></entry></feed>"""


def test_sitemaps_and_feeds() -> None:
    assert parse_xml_links(SITEMAP_INDEX).sitemaps == [
        "http://h/sitemap-news.xml",
        "http://h/posts.xml.gz",
    ]
    assert parse_xml_links(NEWS).pages == [("http://h/a/", "2024-05-01T10:00:00Z")]
    assert parse_xml_links(gzip.compress(NEWS)).pages == [("http://h/a/", "2024-05-01T10:00:00Z")]
    assert parse_xml_links(RSS).pages == [("http://h/b/", "Wed, 01 May 2024 10:00:00 GMT")]
    assert parse_xml_links(ATOM).pages == [("http://h/c/", "2024-05-01T10:00:00Z")]


def test_xml_junk_and_entities_are_refused_not_raised() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><urlset><url><loc>&a;</loc></url></urlset>'
    assert parse_xml_links(bomb).error
    assert parse_xml_links(b"\x00\x01 not xml").error
    assert parse_xml_links(b"\x1f\x8b broken gzip").error


def test_robots() -> None:
    r = parse_robots(
        "User-agent: *\nDisallow: /private/\nCrawl-delay: 2\nSitemap: http://h/sitemap.xml\n"
    )
    assert not r.can_fetch("http://h/private/x", "bot")
    assert r.can_fetch("http://h/en/x", "bot")
    assert list(r.sitemaps) == ["http://h/sitemap.xml"]
    assert r.crawl_delay("bot") == 2


def test_page_links() -> None:
    html = """<html><head><link rel="canonical" href="/a/"><meta property="og:type" content="article">
    <link rel="alternate" type="application/rss+xml" href="/feed/"></head>
    <body><a href="/x/">x</a><a href="/y/" rel="nofollow">y</a></body></html>"""
    pl = page_links(html)
    assert pl.links == ["/x/", "/y/"] and pl.feeds == ["/feed/"] and pl.canonical == "/a/"
    assert pl.is_article is True and not pl.nofollow
