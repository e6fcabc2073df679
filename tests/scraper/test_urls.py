"""URL normalisation and trap guards."""

from __future__ import annotations

import pytest

from scraper.urls import UrlRejected, normalize_url, trap_reason


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("HTTP://Example.COM:80/a/?b=2&a=1#x", "http://example.com/a/?a=1&b=2"),
        ("https://example.com:443", "https://example.com/"),
        (
            "https://example.com/x?utm_source=t&utm_medium=m&fbclid=1&id=5",
            "https://example.com/x?id=5",
        ),
        ("https://example.com/ar/أخبار/", "https://example.com/ar/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/"),
        ("https://example.com/ar/%d8%a3/", "https://example.com/ar/%D8%A3/"),
        ("https://example.com:8080/a", "https://example.com:8080/a"),
    ],
)
def test_normalize(raw: str, want: str) -> None:
    assert normalize_url(raw) == want


def test_relative_and_rejected() -> None:
    assert normalize_url("../b/?utm_campaign=x", "http://h.example/a/c/") == "http://h.example/a/b/"
    for bad in (
        "mailto:a@b.c",
        "javascript:void(0)",
        "ftp://h/x",
        "http:///nohost",
        "http://[::1/x",
    ):
        with pytest.raises(UrlRejected):
            normalize_url(bad)
    with pytest.raises(UrlRejected):
        normalize_url("http://[::1/x", "http://h.example/")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://h/calendar/?month=2031-05", "calendar"),
        ("http://h/cat/?page=500", "deep-pagination"),
        ("http://h/cat/page/51/", "deep-pagination"),
        ("http://h/a/b/a/a/a/", "repeated-path-segment"),
        ("http://h/x?a=1&a=2", "repeated-query-param"),
        ("http://h/" + "x" * 3000, "url-too-long"),
        ("http://h/en/2024/05/01/story/", None),
        ("http://h/cat/?page=2", None),
    ],
)
def test_traps(url: str, reason: str | None) -> None:
    assert trap_reason(url) == reason
