"""Loader tests: filters (site, since/until as date, datetime or string, langs, doc_ids, columns),
latest versions, empty datasets and refusal of a newer schema major version.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import BASE_TIME, make_doc, write_docs

from output import (
    DOCUMENTS_SCHEMA,
    SEGMENTS_SCHEMA,
    DatasetVersionError,
    DatasetWriter,
    compact,
    load_documents,
    load_segments,
)


def test_site_and_time_filters(dataset: Path) -> None:
    everything = load_documents(dataset)
    assert len(everything) == 60
    one = load_documents(dataset, sites=["akhbar.example.org"])
    assert len(one) == 30 and set(one["site"].astype(str)) == {"akhbar.example.org"}
    assert len(load_documents(dataset, sites="akhbar.example.org")) == 30
    # Day 1 is 2024-03-02; date, ISO string and datetime forms agree.
    for since, until in (
        (date(2024, 3, 2), date(2024, 3, 2)),
        ("2024-03-02", "2024-03-02"),
        (datetime(2024, 3, 2, tzinfo=UTC), "2024-03-02T23:59:59.999999+00:00"),
    ):
        df = load_documents(dataset, since=since, until=until)
        assert len(df) == 20
        assert set(df["fetched_at"].dt.strftime("%Y-%m-%d")) == {"2024-03-02"}
    # Sub-day bounds: documents 10..19 on day 1 are fetched at 08:40..08:49.
    t = datetime(2024, 3, 2, 8, 45, tzinfo=UTC)
    df = load_documents(dataset, sites=["news.example.net"], since=t, until="2024-03-02T08:47:00Z")
    assert sorted(df["url"].str.rsplit("/", n=1).str[-1].astype(int)) == [15, 16, 17]
    segs = load_segments(dataset, sites=["news.example.net"], since=t, until="2024-03-02T08:47:00Z")
    assert set(segs["doc_id"]) == set(df["doc_id"]) and len(segs) == 9
    assert len(load_documents(dataset, since="2024-03-03")) == 20
    assert len(load_documents(dataset, until=date(2024, 3, 1))) == 20
    assert load_documents(dataset, since="2030-01-01").empty


def test_language_doc_id_and_column_filters(dataset: Path) -> None:
    en = load_documents(dataset, langs=["en"], columns=["doc_id", "main_lang"])
    assert list(en.columns) == ["doc_id", "main_lang"]
    assert len(en) == 20 and set(en["main_lang"].astype(str)) == {"en"}  # ids divisible by 3
    assert len(load_documents(dataset, langs="ar")) == 40
    ar_segs = load_segments(dataset, langs=["ar"], columns=["text", "lang"])
    assert list(ar_segs.columns) == ["text", "lang"] and len(ar_segs) == 120
    some = en["doc_id"].tolist()[:4]
    segs = load_segments(dataset, doc_ids=some)
    assert set(segs["doc_id"]) == set(some) and len(segs) == 12
    with pytest.raises(KeyError, match="nope"):
        load_documents(dataset, columns=["nope"])


def test_missing_and_empty_dataset(tmp_path: Path) -> None:
    df = load_documents(tmp_path / "missing")
    assert df.empty and list(df.columns) == DOCUMENTS_SCHEMA.names
    segs = load_segments(tmp_path / "missing")
    assert segs.empty and list(segs.columns) == [*SEGMENTS_SCHEMA.names, "site"]
    with DatasetWriter(tmp_path / "empty"):
        pass
    assert load_documents(tmp_path / "empty", columns=["url"]).columns.tolist() == ["url"]


def test_newer_schema_major_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "data"
    write_docs(root, range(3))
    src = next((root / "documents").rglob("*.parquet"))
    table = pq.read_table(src)
    meta = dict(table.schema.metadata)
    meta[b"bilingual_scraper.schema_version"] = b"2.0"
    pq.write_table(
        table.replace_schema_metadata(meta),
        src.with_name("part-29990101T000000000000Zfuture-000.parquet"),
    )
    with pytest.raises(DatasetVersionError, match="2.0"):
        load_documents(root)
    with pytest.raises(DatasetVersionError):
        compact(root)
    with pytest.raises(DatasetVersionError), DatasetWriter(root) as w:
        w.add(make_doc(50), site="news.example.net", fetched_at=BASE_TIME)
    # A newer minor version is fine.
    meta[b"bilingual_scraper.schema_version"] = b"1.7"
    pq.write_table(
        table.replace_schema_metadata(meta),
        src.with_name("part-29990101T000000000000Zfuture-000.parquet"),
    )
    assert len(load_documents(root, latest=False)) == 6
