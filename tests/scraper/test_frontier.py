"""The SQLite frontier: queueing, states, change detection by sitemap/feed dates."""

from __future__ import annotations

from pathlib import Path

from scraper.frontier import Frontier


def _fetched(f: Frontier, url: str) -> None:
    f.record([{"url": url, "state": "fetched", "fetched_at": 1.0}])


def test_add_is_idempotent_and_due_is_ordered(tmp_path: Path) -> None:
    f = Frontier(tmp_path / "f.sqlite")
    assert (
        f.add(
            [
                ("http://h/b", "s", "article", 1),
                ("http://h/a", "s", "hub", 0),
                ("http://h/s", "s", "sitemap", 0),
            ]
        )
        == 3
    )
    assert f.add([("http://h/b", "s", "article", 1)]) == 0
    assert [r.url for r in f.due("s", ("sitemap", "hub", "article"), 10)] == [
        "http://h/s",
        "http://h/a",
        "http://h/b",
    ]
    f.close()
    again = Frontier(tmp_path / "f.sqlite")  # state survives reopening
    assert again.get("http://h/b") is not None and again.get("http://h/b").kind == "article"  # type: ignore[union-attr]


def test_only_a_newer_source_date_requeues(tmp_path: Path) -> None:
    f = Frontier(tmp_path / "f.sqlite")
    url = "http://h/a"
    f.add([(url, "s", "article", 1)])
    assert (
        f.note_lastmods({url: "2024-05-01T10:00:00Z"}) == []
    )  # first sighting: nothing to compare
    _fetched(f, url)
    # Another sitemap dates the page earlier (or in another format, same instant): not a change.
    assert f.note_lastmods({url: "2024-05-01T08:00:00Z"}) == []
    assert f.note_lastmods({url: "Wed, 01 May 2024 10:00:00 GMT"}) == []
    assert f.get(url).state == "fetched"  # type: ignore[union-attr]
    # A later date is a change: fetched again.
    assert f.note_lastmods({url: "2024-05-02T09:00:00+00:00"}) == [url]
    assert f.get(url).state == "queued"  # type: ignore[union-attr]


def test_requeue_hubs_but_not_articles(tmp_path: Path) -> None:
    f = Frontier(tmp_path / "f.sqlite")
    f.add([("http://h/", "s", "hub", 0), ("http://h/a", "s", "article", 1)])
    _fetched(f, "http://h/")
    _fetched(f, "http://h/a")
    assert f.requeue("s", ("hub", "feed", "sitemap")) == 1
    assert [r.url for r in f.due("s", ("hub", "article"), 10)] == ["http://h/"]
