"""Stats for `scraper stats`: counts per site, day and language, newest fetch, size on disk."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import write_docs

from output import dataset_stats, format_stats


def test_stats_counts(dataset: Path) -> None:
    write_docs(
        dataset, range(0, 2), site="news.example.net", day_offset=2, revision=1
    )  # 2 new versions
    stats = dataset_stats(dataset)
    assert stats["documents"] == 62 and stats["urls"] == 60 and stats["segments"] == 186
    assert stats["newest_fetch"] == pd.Timestamp("2024-03-03 08:59", tz="UTC")  # id 29, day 2
    assert stats["bytes"] == sum(f.stat().st_size for f in dataset.rglob("*.parquet"))
    site = stats["per_site"].set_index("site")
    assert (
        site.loc["news.example.net", "documents"] == 32
        and site.loc["news.example.net", "urls"] == 30
    )
    assert site.loc["akhbar.example.org", "segments"] == 90
    assert site["bytes"].sum() == stats["bytes"]
    day = stats["per_day"].set_index("date")
    assert day.loc["2024-03-03", "documents"] == 22 and day.loc["2024-03-01", "segments"] == 60
    lang = stats["per_language"].set_index("lang")
    assert lang.loc["ar", "segments"] == 124 and lang.loc["en", "segments"] == 62
    assert lang["documents"].sum() == 62
    text = format_stats(stats)
    assert "akhbar.example.org" in text and "2024-03-02" in text and "per language" in text


def test_stats_of_empty_dataset(tmp_path: Path) -> None:
    stats = dataset_stats(tmp_path / "none")
    assert stats["documents"] == 0 and stats["newest_fetch"] is None
    assert "(empty)" in format_stats(stats)
