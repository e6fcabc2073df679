"""Writer tests: every column round-trips with its type; dedup and versions across sessions.

Also buffer bounds, file layout and argument validation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import BASE_TIME, make_doc, write_docs

from cleaners.document import Document
from output import (
    DOCUMENTS_SCHEMA,
    SCHEMA_VERSION,
    SEGMENTS_SCHEMA,
    DatasetWriter,
    load_documents,
    load_segments,
)


def test_round_trip_every_column(tmp_path: Path) -> None:
    root = tmp_path / "data"
    doc = make_doc(7)
    fetched = datetime(2024, 3, 2, 23, 59, 59, 123456, tzinfo=UTC)
    with DatasetWriter(root) as w:
        doc_id = w.add(
            doc,
            site="news.example.net",
            fetched_at=fetched,
            status=203,
            final_url="https://f/7",
            warc_ref="w.gz:9",
        )
    assert doc_id is not None
    row = load_documents(root).iloc[0]
    expected = {
        "doc_id": doc_id,
        "url": doc.url,
        "final_url": "https://f/7",
        "canonical_url": doc.canonical_url,
        "site": "news.example.net",
        "title": doc.title,
        "section": "world",
        "description": doc.description,
        "site_name": "Example",
        "page_lang": "ar",
        "dir": "rtl",
        "image_url": doc.image_url,
        "main_lang": doc.main_lang,
        "text": doc.text,
        "n_segments": 3,
        "content_hash": doc.content_hash,
        "version": 1,
        "cleaner_version": doc.cleaner_version,
        "status": 203,
        "warc_ref": "w.gz:9",
    }
    for key, value in expected.items():
        assert row[key] == value, key
    assert row["fetched_at"].to_pydatetime() == fetched
    assert row["published_at"].to_pydatetime() == doc.published_at
    assert pd.isna(row["modified_at"])  # make_doc(7): odd ids have no modified_at
    assert list(row["authors"]) == ["Alice", "بشير"]
    assert list(row["tags"]) == ["politics", "سياسة"]
    assert [(d["lang"], d["chars"]) for d in row["lang_chars"]] == list(doc.lang_chars)
    assert [(d["reason"], d["count"]) for d in row["dropped"]] == list(doc.dropped)
    assert pd.isna(row["empty_reason"])

    segs = load_segments(root).sort_values("position")
    assert list(segs["doc_id"].unique()) == [doc_id]
    assert list(segs["position"]) == [0, 1, 2]
    assert list(segs["text"]) == [s.text for s in doc.segments]
    assert list(segs["kind"].astype(str)) == [s.kind for s in doc.segments]
    assert list(segs["lang"].astype(str)) == [s.lang for s in doc.segments]
    assert list(segs["script"].astype(str)) == [s.script for s in doc.segments]
    assert segs["confidence"].dtype == "float32"
    assert list(segs["confidence"]) == pytest.approx([s.confidence for s in doc.segments])

    # The files carry the exact schemas, zstd and the schema version.
    doc_file = next((root / "documents").rglob("*.parquet"))
    seg_file = next((root / "segments").rglob("*.parquet"))
    assert (
        doc_file.parent.name == "date=2024-03-02"
        and doc_file.parent.parent.name == "site=news.example.net"
    )
    for f, schema in ((doc_file, DOCUMENTS_SCHEMA), (seg_file, SEGMENTS_SCHEMA)):
        pf = pq.ParquetFile(f)
        assert pf.schema_arrow.equals(schema, check_metadata=False)
        assert (
            pf.schema_arrow.metadata[b"bilingual_scraper.schema_version"] == SCHEMA_VERSION.encode()
        )
        assert pf.metadata.row_group(0).column(0).compression == "ZSTD"
    site_type = pq.ParquetFile(doc_file).schema_arrow.field("site").type
    assert pa.types.is_dictionary(site_type)


def test_empty_document_and_fetched_date_in_utc(tmp_path: Path) -> None:
    root = tmp_path / "data"
    late = datetime(2024, 3, 1, 23, 30, tzinfo=UTC) + timedelta(hours=1)  # 00:30 UTC on the 2nd
    from zoneinfo import ZoneInfo

    local = late.astimezone(ZoneInfo("Asia/Riyadh"))
    with DatasetWriter(root) as w:
        assert w.add(
            Document(url="https://x.org/e", empty_reason="empty_input"),
            site="x.org",
            fetched_at=local,
        )
    assert (root / "documents/site=x.org/date=2024-03-02").is_dir()
    assert not (root / "segments/site=x.org").exists()  # no segments, no empty file
    df = load_documents(root)
    assert df.loc[0, "empty_reason"] == "empty_input" and df.loc[0, "n_segments"] == 0
    assert load_segments(root).empty


def test_dedup_across_sessions_and_within_buffer(tmp_path: Path) -> None:
    root = tmp_path / "data"
    first = write_docs(root, range(5))
    assert all(first) and len(set(first)) == 5
    assert write_docs(root, range(5)) == [None] * 5  # second run: nothing new
    with DatasetWriter(root) as w:
        doc = make_doc(99)
        assert w.add(doc, site="news.example.net", fetched_at=BASE_TIME) is not None
        assert (
            w.add(doc, site="news.example.net", fetched_at=BASE_TIME + timedelta(hours=1)) is None
        )
    assert len(load_documents(root, latest=False)) == 6


def test_version_bump_on_changed_content(tmp_path: Path) -> None:
    root = tmp_path / "data"
    v1 = write_docs(root, range(3))
    v2 = write_docs(root, range(3), revision=1, day_offset=1)
    assert all(v2) and set(v1).isdisjoint(v2)
    # Back to the first content: that is a change from the newest version, so version 3.
    v3 = write_docs(root, range(1), revision=0, day_offset=2)
    all_rows = load_documents(root, latest=False)
    assert sorted(all_rows["version"].tolist()) == [1, 1, 1, 2, 2, 2, 3]
    latest = load_documents(root).set_index("url")
    assert latest.loc["https://news.example.net/a/0", "doc_id"] == v3[0]
    assert latest.loc["https://news.example.net/a/0", "version"] == 3
    assert latest.loc["https://news.example.net/a/1", "version"] == 2
    assert all_rows["doc_id"].is_unique
    # Segments belong to their version.
    segs = load_segments(root, doc_ids=[v2[1]])
    assert all("rev 1" in t or "نسخة 1" in t for t in segs["text"])


def test_dedup_survives_lost_index_cache(tmp_path: Path) -> None:
    root = tmp_path / "data"
    write_docs(root, range(4))
    for f in (root / ".index").iterdir():
        f.unlink()
    assert write_docs(root, range(4)) == [None] * 4
    (root / ".index" / "news.example.net.arrow").write_bytes(b"garbage")
    ids = write_docs(root, range(5))
    assert ids[:4] == [None] * 4 and ids[4] is not None
    assert len(load_documents(root)) == 5


def test_buffer_is_bounded(tmp_path: Path) -> None:
    root = tmp_path / "data"
    write_docs(root, range(25), row_group_docs=10)
    files = list((root / "documents").rglob("*.parquet"))
    assert len(files) == 3  # flushed at 10, 20, and on close
    with DatasetWriter(root, max_buffer_bytes=1) as w:  # every add flushes
        for i in range(100, 103):
            w.add(make_doc(i), site="news.example.net", fetched_at=BASE_TIME)
            assert w._buffered_docs == 0
    assert len(load_documents(root)) == 28


def test_invalid_arguments(tmp_path: Path) -> None:
    with DatasetWriter(tmp_path / "d") as w:
        with pytest.raises(ValueError, match="site"):
            w.add(make_doc(1), site="../etc", fetched_at=BASE_TIME)
        with pytest.raises(ValueError, match="timezone"):
            w.add(make_doc(1), site="a.org", fetched_at=datetime(2024, 1, 1))
        with pytest.raises(ValueError, match="url"):
            w.add(Document(), site="a.org", fetched_at=BASE_TIME)
    with pytest.raises(ValueError, match="closed"):
        w.add(make_doc(1), site="a.org", fetched_at=BASE_TIME)


def test_dedup_sees_files_added_behind_the_cache(tmp_path: Path) -> None:
    import shutil

    root, other = tmp_path / "data", tmp_path / "other"
    write_docs(root, range(5))
    write_docs(other, range(5, 10))  # same site and day, written elsewhere
    for table in ("documents", "segments"):
        for f in (other / table).rglob("*.parquet"):
            shutil.copy(f, root / f.relative_to(other))
    assert write_docs(root, range(10)) == [None] * 10  # the changed folder was re-read
    assert len(load_documents(root)) == 10
