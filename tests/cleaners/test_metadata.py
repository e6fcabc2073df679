"""Tests for cleaners.metadata: each source, its priority, junk input, dates and time zones.

Pages are small hand-written documents in English and Arabic; no network.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from cleaners.metadata import PageMetadata, extract_metadata, parse_date


def meta_of(html: str, url: str | None = None) -> PageMetadata:
    return extract_metadata(LexborHTMLParser(html), url)


def page(head: str = "", body: str = "", html_attrs: str = "") -> str:
    return f"<!doctype html><html {html_attrs}><head>{head}</head><body>{body}</body></html>"


def ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


# ----------------------------------------------------------------------------- title


def test_title_json_ld_headline_beats_og_title() -> None:
    head = '<meta property="og:title" content="Social title">' + ld(
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Real headline"}
    )
    assert meta_of(page(head)).title == "Real headline"


def test_title_og_then_twitter_then_parsely() -> None:
    both = '<meta name="twitter:title" content="Tw"><meta property="og:title" content="OG">'
    assert meta_of(page(both)).title == "OG"
    assert meta_of(page('<meta name="twitter:title" content="Tw">')).title == "Tw"
    assert meta_of(page('<meta name="parsely-title" content="Parsely">')).title == "Parsely"


def test_title_space_separated_property_keys() -> None:
    head = '<meta property="og:title twitter:title" content="Shared title"><title>Other</title>'
    assert meta_of(page(head)).title == "Shared title"


def test_title_strips_known_site_name_from_title_element() -> None:
    head = (
        "<title>Storm hits the coast tonight | Daily Planet</title>"
        '<meta property="og:site_name" content="Daily Planet">'
    )
    assert meta_of(page(head)).title == "Storm hits the coast tonight"


def test_title_site_name_first() -> None:
    head = (
        "<title>Daily Planet - Storm hits the coast tonight</title>"
        '<meta property="og:site_name" content="Daily Planet">'
    )
    assert meta_of(page(head)).title == "Storm hits the coast tonight"


def test_title_matching_h1_wins_over_separator_guess() -> None:
    head = "<title>Home | Storm hits the coast - Weather | Planet</title>"
    body = "<article><h1>Storm hits the coast</h1></article>"
    assert meta_of(page(head, body)).title == "Storm hits the coast"


def test_title_unknown_suffix_removed_when_headline_long_enough() -> None:
    head = "<title>Lorem ipsum dolor sit amet – My website</title>"
    assert meta_of(page(head)).title == "Lorem ipsum dolor sit amet"


def test_title_ambiguous_short_parts_kept_whole() -> None:
    # Neither side is clearly a headline: cutting could lose the title itself.
    head = "<title>Evolve: Shared History — extension</title>"
    assert meta_of(page(head)).title == "Evolve: Shared History — extension"


def test_title_colon_is_not_a_separator() -> None:
    head = "<title>Breaking: the storm hits the coast tonight</title>"
    assert meta_of(page(head)).title == "Breaking: the storm hits the coast tonight"


def test_title_arabic_with_site_suffix() -> None:
    head = (
        "<title>الحكومة تعلن خطة جديدة لدعم الزراعة - الجزيرة نت</title>"
        '<meta property="og:site_name" content="الجزيرة نت">'
    )
    assert meta_of(page(head, html_attrs='lang="ar" dir="rtl"')).title == (
        "الحكومة تعلن خطة جديدة لدعم الزراعة"
    )


def test_title_arabic_comma_joined_site_name() -> None:
    head = (
        "<title>ارتفاع أسعار الذهب في مصر اليوم، المصري اليوم</title>"
        '<meta property="og:site_name" content="المصري اليوم">'
    )
    assert meta_of(page(head)).title == "ارتفاع أسعار الذهب في مصر اليوم"


def test_title_site_name_alone_is_not_stripped_to_nothing() -> None:
    head = '<title>Planet</title><meta property="og:site_name" content="Planet">'
    assert meta_of(page(head)).title == "Planet"


def test_title_falls_back_to_article_h1_when_several() -> None:
    body = "<h1>Site logo</h1><main><h1>The real headline</h1></main><h1>Footer</h1>"
    assert meta_of(page("", body)).title == "The real headline"


def test_title_entities_and_bidi_marks_cleaned() -> None:
    head = '<meta property="og:title" content="Tom &amp;amp; Jerry\u200f  return">'
    assert meta_of(page(head)).title == "Tom & Jerry return"


def test_json_ld_name_preferred_when_headline_is_a_description() -> None:
    head = "<title>New Zealand - Wikipedia</title>" + ld(
        {"@type": "Article", "name": "New Zealand", "headline": "monarchy in Oceania"}
    )
    assert meta_of(page(head)).title == "New Zealand"


# ----------------------------------------------------------------------------- authors


def test_authors_json_ld_list_of_objects_and_strings() -> None:
    head = ld(
        {
            "@type": "NewsArticle",
            "author": [{"@type": "Person", "name": "Jane Roe"}, "By John Doe", {"name": ""}],
        }
    )
    assert meta_of(page(head)).authors == ("Jane Roe", "John Doe")


def test_authors_json_ld_nested_name_object() -> None:
    head = ld({"@type": "Article", "author": {"@type": "Person", "name": {"@value": "x"}}})
    # A name that is not text yields nothing rather than an error.
    assert meta_of(page(head)).authors == ()


def test_authors_meta_before_byline_and_dedup() -> None:
    head = '<meta name="author" content="By Jane Roe and John Doe">'
    body = '<div class="byline">By Someone Else</div>'
    assert meta_of(page(head, body)).authors == ("Jane Roe", "John Doe")


def test_authors_article_author_url_ignored() -> None:
    head = '<meta property="article:author" content="https://www.facebook.com/someone">'
    body = '<article><a rel="author" href="/a/jane">Jane Roe</a></article>'
    assert meta_of(page(head, body)).authors == ("Jane Roe",)


def test_authors_rel_author_matches_any_case_before_byline_class() -> None:
    # rel values compare ignoring case (lexbor and browsers alike); markup beats a class guess.
    body = "<p>By <a rel='Author' href='/a/j'>Jane Doe</a></p><div class='byline'>By John Roe</div>"
    assert meta_of(page("", body)).authors == ("Jane Doe",)
    assert meta_of(page("", "<span rel='AUTHOR'>Jane Doe</span>")).authors == ("Jane Doe",)


def test_authors_comma_list_split_but_inverted_name_kept() -> None:
    assert meta_of(page('<meta name="author" content="Stella Kim, Jennifer Jett">')).authors == (
        "Stella Kim",
        "Jennifer Jett",
    )
    assert meta_of(page('<meta name="author" content="Jong, Michiel de">')).authors == (
        "Jong, Michiel de",
    )


def test_authors_byline_class_fallback_cuts_date_and_skips_comments() -> None:
    body = (
        '<article><div class="FeatureByline">By <b>Nathan Willis</b><br>March 25, 2015</div>'
        "</article>"
        '<div class="comments"><div class="byline">Troll42</div></div>'
    )
    assert meta_of(page("", body)).authors == ("Nathan Willis",)


def test_authors_comment_byline_alone_is_ignored() -> None:
    body = (
        '<article><p>Text</p></article><ul class="comments-list"><li class="byline">J J</li></ul>'
    )
    assert meta_of(page("", body)).authors == ()


def test_authors_arabic_prefix_stripped() -> None:
    body = '<article><span class="author">بقلم: محمد أحمد</span></article>'
    assert meta_of(page("", body, 'lang="ar" dir="rtl"')).authors == ("محمد أحمد",)


def test_authors_contact_removed() -> None:
    head = '<meta name="author" content="Bradley M. Kuhn (http://ebb.org/bkuhn/)">'
    assert meta_of(page(head)).authors == ("Bradley M. Kuhn",)


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05T10:20:30Z", utc(2024, 3, 5, 10, 20, 30)),
        ("2024-03-05T12:20:30+02:00", utc(2024, 3, 5, 10, 20, 30)),
        ("2021-11-01T10:52:50+0100", utc(2021, 11, 1, 9, 52, 50)),
        ("2015-07-10T09:53:00-04:00", utc(2015, 7, 10, 13, 53)),
        ("2017-11-03 03:01:00.000000", utc(2017, 11, 3, 3, 1)),
        ("2019-10-18T17:23:34.816Z", utc(2019, 10, 18, 17, 23, 34, 816000)),
        ("2024-06-25", utc(2024, 6, 25)),
        ("20240625", utc(2024, 6, 25)),
        ("Fri, 03 Nov 2017 03:01:00 +0100", utc(2017, 11, 3, 2, 1)),
        ("April 28, 2019 at 6:01 pm", utc(2019, 4, 28, 18, 1)),
        ("5 March 2024", utc(2024, 3, 5)),
        ("1710000000", utc(2024, 3, 9, 16, 0)),
    ],
)
def test_parse_date_variants(text: str, expected: datetime) -> None:
    got = parse_date(text)
    assert got == expected
    offset = got.utcoffset() if got is not None else None
    assert offset is not None and offset.total_seconds() == 0


@pytest.mark.parametrize(
    "junk", ["", "yesterday", "2024-13-45", "0000-00-00", "9999-01-01", "x" * 300]
)
def test_parse_date_junk_is_none(junk: str) -> None:
    assert parse_date(junk) is None


def test_published_priority_json_ld_over_meta_over_time() -> None:
    head = '<meta property="article:published_time" content="2020-01-02T00:00:00Z">' + ld(
        {"@type": "NewsArticle", "datePublished": "2020-01-01T00:00:00Z"}
    )
    body = '<article><time datetime="2020-01-03">3 Jan</time></article>'
    assert meta_of(page(head, body)).published_at == utc(2020, 1, 1)
    head2 = '<meta property="article:published_time" content="2020-01-02T05:00:00+05:00">'
    assert meta_of(page(head2, body)).published_at == utc(2020, 1, 2)


@pytest.mark.parametrize(
    "tag",
    [
        '<meta name="pubdate" content="2022-02-02">',
        '<meta name="DC.date.issued" content="2022-02-02">',
        '<meta name="sailthru.date" content="2022-02-02">',
        '<meta name="parsely-pub-date" content="2022-02-02T00:00:00Z">',
        '<meta property="og:published_time" content="2022-02-02">',
        '<meta itemprop="datePublished" content="2022-02-02">',
    ],
)
def test_published_meta_names(tag: str) -> None:
    assert meta_of(page(tag)).published_at == utc(2022, 2, 2)


def test_published_time_element_in_article_preferred() -> None:
    body = (
        '<aside><time datetime="2001-01-01">old</time></aside>'
        '<article><header><time datetime="2023-05-06T07:08:09+03:00">x</time></header></article>'
    )
    assert meta_of(page("", body)).published_at == utc(2023, 5, 6, 4, 8, 9)


def test_published_itemprop_on_element() -> None:
    body = '<span itemprop="datePublished" datetime="2018-04-05T06:00">April 5</span>'
    assert meta_of(page("", body)).published_at == utc(2018, 4, 5, 6, 0)


def test_dates_inside_plain_scripts_ignored() -> None:
    body = (
        '<script>var data = {"datePublished": "2011-11-11T11:11:11Z"};'
        'document.write("<time datetime=\\"2012-12-12\\">x</time>")</script>'
        '<noscript><time datetime="2013-01-01">y</time></noscript><p>No date here.</p>'
    )
    assert meta_of(page("", body)).published_at is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example.com/world/2024/03/05/storm-hits", utc(2024, 3, 5)),
        ("https://news.example.com/2024-03-05-storm-hits.html", utc(2024, 3, 5)),
        ("https://news.example.com/story/20240305/storm", utc(2024, 3, 5)),
        ("https://news.example.com/story/12345/storm", None),
        ("https://news.example.com/2024/13/45/storm", None),
    ],
)
def test_published_from_url(url: str, expected: datetime | None) -> None:
    assert meta_of(page(), url).published_at == expected


def test_modified_sources() -> None:
    head = '<meta property="og:updated_time" content="2020-01-02T03:04:05-01:00">'
    assert meta_of(page(head)).modified_at == utc(2020, 1, 2, 4, 4, 5)
    head2 = ld({"@type": "Article", "dateModified": "2020-02-02"}) + head
    assert meta_of(page(head2)).modified_at == utc(2020, 2, 2)


# ----------------------------------------------------------------------------- JSON-LD junk


@pytest.mark.parametrize(
    "script",
    [
        "{not json",
        "",
        "null",
        "42",
        '"a string"',
        "[1, 2, null]",
        '{"@type": ["NewsArticle"], "author": 7, "headline": ["x", 3], "image": {"url": 5}}',
        '{"@graph": "nope"}',
        '{"@type": "NewsArticle", "datePublished": {"@value": "2020"}, "keywords": 12}',
        "[" * 5000 + "]" * 5000,
    ],
)
def test_junk_json_ld_never_raises(script: str) -> None:
    html = page(f'<script type="application/ld+json">{script}</script><title>Plain title</title>')
    meta = meta_of(html)
    assert meta.title is not None


def test_json_ld_graph_trailing_comma_and_multiple_blocks() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "BreadcrumbList", "itemListElement": ['
        '{"@type": "ListItem", "position": 2, "name": "Politics"},'
        '{"@type": "ListItem", "position": 1, "name": "Home"},'
        '{"@type": "ListItem", "position": 3, "name": "A story"},]}</script>'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebSite", "name": "Planet"},'
        '{"@type": ["NewsArticle"], "headline": "Graph &amp; headline", '
        '"datePublished": "2021-06-01T10:00:00+02:00", "articleBody": "Body text here.", '
        '"publisher": {"@type": "Organization", "name": "Planet News"},'
        '"image": [{"@type": "ImageObject", "url": "/img/a.jpg"}], "keywords": "a, b,,c"}'
        "]}</script>"
    )
    meta = meta_of(page(head), "https://planet.example/x/story")
    assert meta.title == "Graph & headline"
    assert meta.published_at == utc(2021, 6, 1, 8)
    assert meta.json_ld_body == "Body text here."
    assert meta.site_name == "Planet News"
    assert meta.image_url == "https://planet.example/img/a.jpg"
    assert meta.tags == ("a", "b", "c")
    assert meta.section == "Politics"
    assert meta.json_ld_types == ("BreadcrumbList", "WebSite", "NewsArticle")


def test_json_ld_news_article_preferred_over_embedded_video() -> None:
    head = ld(
        [
            {"@type": "VideoObject", "name": "Clip title", "uploadDate": "2020-01-01"},
            {"@type": "NewsArticle", "headline": "Story title", "datePublished": "2020-02-02"},
        ]
    )
    meta = meta_of(page(head))
    assert (meta.title, meta.published_at) == ("Story title", utc(2020, 2, 2))


def test_json_ld_in_html_comment_wrapper() -> None:
    head = '<script type="application/ld+json"><!-- {"@type": "Article", "headline": "Wrapped"} --></script>'
    assert meta_of(page(head)).title == "Wrapped"


# ----------------------------------------------------------------------------- section, tags


def test_section_and_tags_from_metas() -> None:
    head = (
        '<meta property="article:section" content="Sport">'
        '<meta property="article:tag" content="Football">'
        '<meta property="article:tag" content="football">'
        '<meta property="article:tag" content="Cup">'
    )
    meta = meta_of(page(head))
    assert meta.section == "Sport"
    assert meta.tags == ("Football", "Cup")


def test_json_ld_section_and_keyword_list_win() -> None:
    head = '<meta property="article:section" content="Sport">' + ld(
        {"@type": "Article", "articleSection": ["اقتصاد"], "keywords": ["نفط", "أسواق"]}
    )
    meta = meta_of(page(head))
    assert meta.section == "اقتصاد"
    assert meta.tags == ("نفط", "أسواق")


def test_rel_tag_links_and_html_breadcrumb() -> None:
    body = (
        '<nav aria-label="breadcrumb"><a href="/">Home</a><a href="/world">World</a>'
        '<a href="/world/x">Storm hits the coast</a></nav>'
        '<article><h1>Storm hits the coast</h1><a rel="tag" href="/t/w">Weather</a></article>'
    )
    meta = meta_of(page("", body))
    assert meta.section == "World"
    assert meta.tags == ("Weather",)


# ----------------------------------------------------------------------------- the rest


def test_description_canonical_site_image_og_type() -> None:
    head = (
        '<meta name="description" content="Plain description">'
        '<meta property="og:description" content="OG description">'
        '<link rel="canonical" href="/news/story-1?ref=x">'
        '<meta property="og:site_name" content="Planet">'
        '<meta property="og:image" content="//cdn.planet.example/i.png">'
        '<meta property="og:type" content="article">'
    )
    meta = meta_of(page(head), "https://planet.example/a/b")
    assert meta.description == "OG description"
    assert meta.canonical_url == "https://planet.example/news/story-1?ref=x"
    assert meta.site_name == "Planet"
    assert meta.image_url == "https://cdn.planet.example/i.png"
    assert meta.og_type == "article"


def test_canonical_resolved_against_base_element() -> None:
    head = '<base href="https://other.example/dir/"><link rel="canonical" href="page.html">'
    assert meta_of(page(head), "https://planet.example/").canonical_url == (
        "https://other.example/dir/page.html"
    )


def test_lang_and_dir_arabic_rtl() -> None:
    meta = meta_of(page("", "<p>نص</p>", 'lang="ar" dir="RTL"'))
    assert (meta.page_lang, meta.dir) == ("ar", "rtl")


def test_lang_fallbacks_and_dir_from_body() -> None:
    meta = meta_of(page('<meta property="og:locale" content="ar_AR">', '<p dir="ltr">x</p>'))
    assert meta.page_lang == "ar-AR"
    assert meta.dir is None
    meta2 = meta_of(
        "<html dir='ltr'><head><meta http-equiv='content-language' content='en'></head>"
        "<body dir='rtl'></body></html>"
    )
    assert (meta2.page_lang, meta2.dir) == ("en", "rtl")


def test_arabic_page_end_to_end() -> None:
    head = (
        "<title>ارتفاع أسعار النفط في الأسواق العالمية | أخبار اليوم</title>"
        '<meta name="author" content="كتب: أحمد علي و سارة محمود">'
        '<meta property="article:published_time" content="2024-03-05T14:00:00+03:00">'
        '<meta property="og:site_name" content="أخبار اليوم">'
    )
    meta = meta_of(page(head, "<article><p>نص</p></article>", 'lang="ar" dir="rtl"'))
    assert meta.title == "ارتفاع أسعار النفط في الأسواق العالمية"
    assert meta.authors == ("أحمد علي", "سارة محمود")
    assert meta.published_at == utc(2024, 3, 5, 11)
    assert (meta.page_lang, meta.dir, meta.site_name) == ("ar", "rtl", "أخبار اليوم")


def test_empty_and_garbage_pages() -> None:
    assert meta_of("") == PageMetadata()
    meta = meta_of("<<<>>>&&&\x00<meta content><link rel=canonical>")
    assert meta.title is None and meta.canonical_url is None


# ----------------------------------------------------------------------------- the dev set


DEV_PAGES = Path("/work/shared/devdata/readability-test-pages")


@pytest.mark.skipif(not DEV_PAGES.is_dir(), reason="dev pages not present")
def test_dev_set_title_and_published_targets() -> None:
    from bench.metadata_score import score_metadata

    scores = score_metadata(DEV_PAGES)
    assert scores["title"]["share"] >= 0.95, scores["title"]["misses"]
    assert scores["publishedTime"]["share"] >= 0.95, scores["publishedTime"]["misses"]
