"""Crash tests: a real child process dies (os._exit) at a chosen step of a write or compaction;
the dataset must stay readable and unchanged, and the next writer or compaction must clean up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import BASE_TIME, make_doc, write_docs

from output import DatasetWriter, compact, load_documents, load_segments

HERE = Path(__file__).parent
REPO = HERE.parents[1]

# The child patches one os call to die like `kill -9` at the chosen point: no cleanup runs.
CHILD = textwrap.dedent(
    """
    import os, sys
    sys.path[:0] = [{repo!r}, {here!r}]
    from conftest import write_docs
    from output import compact
    mode, root = sys.argv[1], sys.argv[2]
    real_replace, real_unlink = os.replace, os.unlink

    def replace(src, dst):
        d = str(dst)
        if mode in ("write", "compact-rename") and "/documents/" in d and d.endswith(".parquet"):
            os._exit(77)
        return real_replace(src, dst)

    def unlink(p, *a, **k):
        if mode == "compact-delete" and "/documents/" in str(p) and str(p).endswith(".parquet"):
            os._exit(77)
        return real_unlink(p, *a, **k)

    os.replace, os.unlink = replace, unlink
    if mode == "write":
        write_docs(root, range(100, 105), day_offset=0)
    else:
        compact(root)
    """
)


def _crash(mode: str, root: Path) -> None:
    code = CHILD.format(repo=str(REPO), here=str(HERE))
    proc = subprocess.run(
        [sys.executable, "-c", code, mode, str(root)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 77, proc.stderr


def _snapshot(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    docs = load_documents(root, latest=False).sort_values("doc_id").reset_index(drop=True)
    segs = load_segments(root).sort_values(["doc_id", "position"]).reset_index(drop=True)
    return docs, segs


def _duckdb_count(root: Path, table: str) -> int:
    glob = f"{root}/{table}/**/*.parquet"
    return duckdb.sql(
        f"select count(*) from read_parquet('{glob}', hive_partitioning=true)"
    ).fetchall()[0][0]


def _hidden_or_orphans(root: Path) -> list[str]:
    names = [p.name for p in root.rglob("*") if p.is_file() and p.parent.name.startswith("date=")]
    return sorted(n for n in names if n.startswith("."))


def test_crash_between_write_and_rename(tmp_path: Path) -> None:
    root = tmp_path / "data"
    write_docs(root, range(5))
    before = _snapshot(root)
    _crash("write", root)
    # On disk: the segments file was renamed, the documents file is still a temp: the loader hides both.
    assert _hidden_or_orphans(root), "the crash should have left a temp file"
    assert len(list((root / "segments").rglob("*.parquet"))) == 2
    after = _snapshot(root)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    # The next writer session recovers the site: orphan and temp gone, raw readers agree again.
    ids = write_docs(root, range(100, 105))
    assert all(ids)  # the lost documents were never recorded as seen
    assert not _hidden_or_orphans(root)
    assert _duckdb_count(root, "segments") == len(load_segments(root)) == 30
    assert _duckdb_count(root, "documents") == 10


@pytest.mark.parametrize("mode", ["compact-rename", "compact-delete"])
def test_crash_during_compaction(tmp_path: Path, mode: str) -> None:
    root = tmp_path / "data"
    for k in range(3):
        write_docs(root, range(k * 4, k * 4 + 4))
    before = _snapshot(root)
    files_before = sorted(p.name for p in root.rglob("*.parquet"))
    _crash(mode, root)
    after = _snapshot(root)  # no duplicates, no losses, whichever side of the commit we died on
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    assert any(
        n.startswith(".compact-") for n in os.listdir(next((root / "documents").rglob("date=*")))
    )
    result = compact(root)
    assert result.recovered_files > 0
    pd.testing.assert_frame_equal(before[0], _snapshot(root)[0])
    assert not _hidden_or_orphans(root)
    assert len(list(root.rglob("*.parquet"))) == 2 < len(files_before)
    assert _duckdb_count(root, "documents") == 12 and _duckdb_count(root, "segments") == 36


def test_exception_in_flush_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "data"
    write_docs(root, range(3))
    import output.writer as writer_mod

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    w = DatasetWriter(root)
    w.add(make_doc(10), site="news.example.net", fetched_at=BASE_TIME)
    monkeypatch.setattr(writer_mod, "commit", boom)
    with pytest.raises(OSError, match="disk full"):
        w.flush()
    assert not _hidden_or_orphans(root)
    assert len(load_documents(root)) == 3
