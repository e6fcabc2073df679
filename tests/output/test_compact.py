"""Compaction: rows kept, files reduced to one per partition and table, size cap respected,
idempotent, restricted to one site on request.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import write_docs

from output import compact, load_documents, load_segments


def _files(root: Path, table: str) -> list[Path]:
    return sorted((root / table).rglob("*.parquet"))


def test_compaction_keeps_rows_and_reduces_files(tmp_path: Path) -> None:
    root = tmp_path / "data"
    for k in range(4):
        for site in ("a.example", "b.example"):
            write_docs(root, range(k * 5, k * 5 + 5), site=site, day_offset=k % 2)
    docs_before = load_documents(root, latest=False).sort_values("doc_id").reset_index(drop=True)
    segs_before = load_segments(root).sort_values(["doc_id", "position"]).reset_index(drop=True)
    assert len(_files(root, "documents")) == 8

    only_a = compact(root, site="a.example")
    assert only_a.partitions == 2 and only_a.compacted == 2
    assert len(_files(root, "documents")) == 6  # b.example untouched

    result = compact(root)
    assert result.partitions == 4 and result.compacted == 2
    assert result.documents == 40 and result.segments == 120
    assert len(_files(root, "documents")) == 4 and len(_files(root, "segments")) == 4
    assert result.bytes_after < result.bytes_before
    pd.testing.assert_frame_equal(
        docs_before, load_documents(root, latest=False).sort_values("doc_id").reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(
        segs_before, load_segments(root).sort_values(["doc_id", "position"]).reset_index(drop=True)
    )

    again = compact(root)
    assert again.compacted == 0 and again.files_before == again.files_after == 8
    # Dedup still works against compacted files (the index cache is topped up from them).
    assert write_docs(root, range(5), site="a.example") == [None] * 5


def test_size_cap_splits_files(tmp_path: Path) -> None:
    root = tmp_path / "data"
    for k in range(6):
        write_docs(root, range(k * 100, k * 100 + 100))
    cap = 60_000
    result = compact(root, target_file_bytes=cap)
    files = _files(root, "segments") + _files(root, "documents")
    assert result.files_after == len(files) > 2
    total = sum(f.stat().st_size for f in files)
    # At most one file per cap (plus one partial per table), and each file near the cap.
    assert len(files) <= total // cap + 2
    assert all(f.stat().st_size <= cap for f in files)
    assert len(load_documents(root)) == 600 and len(load_segments(root)) == 1800
