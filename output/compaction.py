"""Merge each partition's small files into as few as possible (at most one per 128 MB), atomically.

Crash story (see docs/schema.md): temp files, then a marker, then renames, then deletes; any prefix
of these steps is either rolled back or rolled forward by the next writer or compaction.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from output.layout import (
    batch_of,
    begin_session,
    committed_partition,
    end_session,
    fsync_dir,
    list_partitions,
    new_batch_id,
    part_name,
    partition_dir,
    recover_partition,
    temp_path,
    validate_site,
    write_marker,
)
from output.schema import DICTIONARY_COLUMNS, SCHEMAS, STATISTICS_COLUMNS, check_schema_version

TARGET_FILE_BYTES = 128 * 1024 * 1024
_ROW_GROUP_ROWS = {"documents": 2_000, "segments": 50_000}


@dataclass(frozen=True, slots=True)
class CompactResult:
    """What a compaction did, counted over both tables."""

    partitions: int
    compacted: int
    files_before: int
    files_after: int
    bytes_before: int
    bytes_after: int
    documents: int
    segments: int
    recovered_files: int


def _read(files: list[Path], kind: str) -> pa.Table:
    schema = SCHEMAS[kind]
    tables = []
    for f in files:
        pf = pq.ParquetFile(f)
        check_schema_version(pf.schema_arrow.metadata, str(f))
        tables.append(pf.read().cast(schema))
    # Unify per-file dictionaries so the merged file has one dictionary per row group.
    return pa.concat_tables(tables).unify_dictionaries().combine_chunks()


def _write_rolling(
    table: pa.Table, folder: Path, batch: str, kind: str, target_bytes: int
) -> list[tuple[Path, Path]]:
    """Write `table` to hidden temp files of at most ~`target_bytes` each; return (tmp, final)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[tuple[Path, Path]] = []
    # Chunks small enough (~1/4 of the cap uncompressed) that the cap can be honoured.
    per_row = max(table.nbytes, 1) / max(table.num_rows, 1)
    step = max(1, min(_ROW_GROUP_ROWS[kind], int(target_bytes / 4 / per_row)))
    offset = 0
    while offset < table.num_rows or not out:
        final = folder / part_name(batch, len(out))
        tmp = temp_path(final)
        with open(tmp, "wb") as fh:
            writer = pq.ParquetWriter(
                fh,
                SCHEMAS[kind],
                compression="zstd",
                use_dictionary=DICTIONARY_COLUMNS[kind],
                write_statistics=STATISTICS_COLUMNS[kind],
            )
            try:
                raw_written = row_groups = 0
                while offset < table.num_rows:
                    chunk = table.slice(offset, step)
                    # Predict the chunk's on-disk size from the ratio seen so far in this file, plus
                    # the footer, which grows by one column-chunk entry per column and row group.
                    ratio = fh.tell() / raw_written if raw_written else 0.5
                    footer = 4096 + 64 * table.num_columns * (row_groups + 2)
                    if raw_written and fh.tell() + chunk.nbytes * ratio + footer > target_bytes:
                        break
                    writer.write_table(chunk, row_group_size=step)
                    raw_written += chunk.nbytes
                    row_groups += 1
                    offset += chunk.num_rows
                if table.num_rows == 0:
                    writer.write_table(table)
            finally:
                writer.close()
            fh.flush()
            os.fsync(fh.fileno())
        out.append((tmp, final))
    return out


def compact_partition(
    root: Path, site: str, day: str, target_bytes: int = TARGET_FILE_BYTES
) -> tuple[int, int, int, int, int, int]:
    """Compact one partition; return (files_before, files_after, bytes_before, bytes_after,
    documents, segments). A partition already at one file per table is left alone."""
    part = committed_partition(root, site, day)
    before = part.documents + part.segments
    size_before = sum(f.stat().st_size for f in before)
    if len(part.documents) <= 1 and len(part.segments) <= 1:
        n_docs = sum(pq.ParquetFile(f).metadata.num_rows for f in part.documents)
        n_segs = sum(pq.ParquetFile(f).metadata.num_rows for f in part.segments)
        return len(before), len(before), size_before, size_before, n_docs, n_segs
    docs = _read(part.documents, "documents")
    segs = _read(part.segments, "segments") if part.segments else None
    doc_dir = partition_dir(root, "documents", site, day)
    seg_dir = partition_dir(root, "segments", site, day)
    batch = new_batch_id()
    old = {b for b in (batch_of(f.name) for f in before) if b is not None}

    # 1. New files under hidden temp names: invisible to every reader; a crash leaves only litter.
    new_segs = _write_rolling(segs, seg_dir, batch, "segments", target_bytes) if segs else []
    new_docs = _write_rolling(docs, doc_dir, batch, "documents", target_bytes)
    # 2. The marker names both sides; from now on recovery and the loader know what replaces what.
    marker = write_marker(
        doc_dir, batch, old, [f.name for _, f in new_docs], [f.name for _, f in new_segs]
    )
    # 3. Segments then documents into place; the last documents rename is the commit point.
    for tmp, final in new_segs:
        os.replace(tmp, final)
    if new_segs:
        fsync_dir(seg_dir)
    for tmp, final in new_docs:
        os.replace(tmp, final)
    fsync_dir(doc_dir)
    # 4. Old files out, documents first so raw glob readers see duplicates for the shortest time.
    for f in part.documents:
        f.unlink(missing_ok=True)
    for f in part.segments:
        f.unlink(missing_ok=True)
    fsync_dir(doc_dir)
    marker.unlink()
    after = [f for _, f in new_docs + new_segs]
    return (
        len(before),
        len(after),
        size_before,
        sum(f.stat().st_size for f in after),
        docs.num_rows,
        segs.num_rows if segs is not None else 0,
    )


def compact(
    path: str | Path, *, site: str | None = None, target_file_bytes: int = TARGET_FILE_BYTES
) -> CompactResult:
    """Compact every partition (or one site's): recover interrupted writes, then merge files.

    Run under the data directory's writer lock. Readers going through `load_documents` /
    `load_segments` never see duplicates; raw glob readers (DuckDB, Polars) may see both old and
    new rows only between the commit rename and the deletes (milliseconds), or after a crash in
    that window until the next writer/compaction recovers the partition.
    """
    root = Path(path)
    sites = None if site is None else [validate_site(site)]
    totals = [0, 0, 0, 0, 0, 0]
    partitions = compacted = 0
    recovered = begin_session(root) if root.exists() else 0
    for s, day in list_partitions(root, sites):
        partitions += 1
        recovered += recover_partition(root, s, day)
        res = compact_partition(root, s, day, target_file_bytes)
        if res[0] != res[1]:
            compacted += 1
        totals = [a + b for a, b in zip(totals, res, strict=True)]
    if root.exists():
        end_session(root)
    return CompactResult(
        partitions=partitions,
        compacted=compacted,
        files_before=totals[0],
        files_after=totals[1],
        bytes_before=totals[2],
        bytes_after=totals[3],
        documents=totals[4],
        segments=totals[5],
        recovered_files=recovered,
    )
