"""Append cleaned `Document`s to the partitioned Parquet dataset, deduplicated by URL and content.

Buffered, bounded, atomic per partition: segments files first, documents files last as commit marker.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.feather as feather

from cleaners.document import Document
from output.layout import (
    begin_session,
    commit,
    committed_partition,
    date_dir_mtimes,
    end_session,
    fsync_dir,
    new_batch_id,
    part_name,
    partition_dir,
    validate_site,
    write_parquet_temp,
)
from output.schema import (
    DOCUMENTS_SCHEMA,
    SCHEMA_VERSION,
    SCHEMA_VERSION_KEY,
    SEGMENTS_SCHEMA,
    check_schema_version,
)

DEFAULT_ROW_GROUP_DOCS = 2000
DEFAULT_MAX_BUFFER_BYTES = 64 * 1024 * 1024
#: The dedup index cache lives outside documents/ and segments/ so no reader ever globs it.
INDEX_DIR = ".index"
_INDEX_SCHEMA = pa.schema(
    [("url", pa.string()), ("version", pa.int32()), ("content_hash", pa.string())]
)
_INDEX_FOLDERS_KEY = b"bilingual_scraper.index_folders"

SiteIndex = dict[str, tuple[int, str]]  # url -> (latest version, its content_hash)


def make_doc_id(url: str, version: int, content_hash: str) -> str:
    """Deterministic id of one document version (32 hex chars of SHA-256)."""
    h = hashlib.sha256(f"{url}\x00{version}\x00{content_hash}".encode())
    return h.hexdigest()[:32]


class _PartitionBuffer:
    """Column lists for one site/date partition: columnar so a big buffer stays compact."""

    def __init__(self) -> None:
        self.docs: dict[str, list[Any]] = {f.name: [] for f in DOCUMENTS_SCHEMA}
        self.segs: dict[str, list[Any]] = {f.name: [] for f in SEGMENTS_SCHEMA}

    def tables(self) -> tuple[pa.Table, pa.Table]:
        return (
            pa.Table.from_pydict(self.docs, schema=DOCUMENTS_SCHEMA),
            pa.Table.from_pydict(self.segs, schema=SEGMENTS_SCHEMA),
        )


class DatasetWriter:
    """Buffered writer of documents and segments; use as a context manager.

    Dedup state is loaded lazily per site, on the first `add` for that site: the URL -> (version,
    content_hash) of the newest version, from a cached index under `<path>/.index/` topped up with
    the committed files of any date folder changed since the cache was saved. Opening finds the
    previous session's marker when it did not close cleanly and then recovers the whole dataset
    (orphan segments files, temp files, half-done compactions) before writing anything.
    One writer (or compaction) per data directory at a time: the caller holds the lock.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        row_group_docs: int = DEFAULT_ROW_GROUP_DOCS,
        max_buffer_bytes: int = DEFAULT_MAX_BUFFER_BYTES,
    ) -> None:
        if row_group_docs < 1 or max_buffer_bytes < 1:
            raise ValueError("row_group_docs and max_buffer_bytes must be positive")
        self.root = Path(path)
        self.row_group_docs = row_group_docs
        self.max_buffer_bytes = max_buffer_bytes
        for table in ("documents", "segments"):
            (self.root / table).mkdir(parents=True, exist_ok=True)
        self._index: dict[str, SiteIndex] = {}
        self._folders: dict[str, dict[str, tuple[int, list[str]]]] = {}
        #: The cache as read, and the urls changed since: saving appends instead of rebuilding.
        self._cached: dict[str, pa.Table] = {}
        self._changed: dict[str, set[str]] = {}
        self._dirty: set[str] = set()
        self._buffers: dict[tuple[str, str], _PartitionBuffer] = {}
        self._buffered_docs = 0
        self._buffered_bytes = 0
        self._closed = False
        #: Counters for the run summary (namespaced like Scrapy stats).
        self.stats: dict[str, int] = defaultdict(int)
        self.stats["output/recovered_files"] += begin_session(self.root)

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Flush even after an exception in the caller: rows already accepted are valid documents.
        self.close()

    # -- dedup index -----------------------------------------------------------------------
    def _index_path(self, site: str) -> Path:
        return self.root / INDEX_DIR / f"{site}.arrow"

    def _site_index(self, site: str) -> SiteIndex:
        """The dedup index of `site`, loaded on first use.

        The cache records, per date folder, its mtime and the committed documents files it has
        read; only folders whose mtime changed since are listed again, and only their new files
        are read (three columns). Opening a session thus costs one stat per date folder per site.
        """
        if site in self._index:
            return self._index[site]
        index: SiteIndex = {}
        folders: dict[str, tuple[int, list[str]]] = {}
        cached = _INDEX_SCHEMA.empty_table()
        changed: set[str] = set()
        path = self._index_path(site)
        if path.exists():
            try:
                cached = feather.read_table(path)
                meta = cached.schema.metadata or {}
                cached = cached.cast(_INDEX_SCHEMA)
                check_schema_version(meta, str(path))
                folders = {
                    day: (int(m), list(names))
                    for day, (m, names) in json.loads(meta[_INDEX_FOLDERS_KEY]).items()
                }
                index = dict(
                    zip(
                        cached["url"].to_pylist(),
                        zip(
                            cached["version"].to_pylist(),
                            cached["content_hash"].to_pylist(),
                            strict=True,
                        ),
                        strict=True,
                    )
                )
            except (OSError, pa.ArrowInvalid, KeyError, ValueError, TypeError):
                # The index is only a cache: rebuild it from the data files.
                index, folders, cached = {}, {}, _INDEX_SCHEMA.empty_table()
                self.stats["output/index_rebuilt"] += 1
        current = date_dir_mtimes(self.root, "documents", site)
        files: list[Path] = []
        folders_changed = False
        for day, mtime in current.items():
            known = folders.get(day)
            if known is not None and known[0] == mtime:
                continue
            committed = committed_partition(self.root, site, day).documents
            seen = set(known[1]) if known else set()
            files += [f for f in committed if f.name not in seen]
            folders[day] = (mtime, [f.name for f in committed])
            folders_changed = True
        for day in set(folders) - set(current):
            del folders[day]
            folders_changed = True
        if files:
            dataset = ds.dataset([str(f) for f in files], schema=DOCUMENTS_SCHEMA, format="parquet")
            for frag in dataset.get_fragments():
                check_schema_version(frag.metadata.metadata, frag.path)
            t = dataset.to_table(columns=["url", "version", "content_hash"])
            for u, v, h in zip(
                t["url"].to_pylist(),
                t["version"].to_pylist(),
                t["content_hash"].to_pylist(),
                strict=True,
            ):
                prev = index.get(u)
                if prev is None or v > prev[0]:
                    index[u] = (v, h)
                    changed.add(u)
        self._index[site] = index
        self._cached[site] = cached
        self._changed[site] = changed
        if folders_changed or changed:
            self._dirty.add(site)
        self._folders[site] = folders
        return index

    def _save_index(self, site: str) -> None:
        folders = self._folders[site]
        for day, mtime in date_dir_mtimes(self.root, "documents", site).items():
            if folders.get(day, (None,))[0] != mtime:  # we wrote there: list it again
                names = [f.name for f in committed_partition(self.root, site, day).documents]
                folders[day] = (mtime, names)
        index, changed = self._index[site], self._changed[site]
        cached = self._cached[site]
        if changed:
            keep = pc.invert(
                pc.is_in(cached["url"], value_set=pa.array(sorted(changed), pa.string()))
            )
            fresh = pa.table(
                {
                    "url": list(changed),
                    "version": [index[u][0] for u in changed],
                    "content_hash": [index[u][1] for u in changed],
                },
                schema=_INDEX_SCHEMA,
            )
            # One chunk on disk: appending a chunk per session would make reads ever slower.
            cached = pa.concat_tables([cached.filter(keep), fresh]).combine_chunks()
        table = cached.replace_schema_metadata(
            {
                SCHEMA_VERSION_KEY: SCHEMA_VERSION.encode(),
                _INDEX_FOLDERS_KEY: json.dumps(folders, separators=(",", ":")).encode(),
            }
        )
        path = self._index_path(site)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        feather.write_feather(table, tmp, compression="zstd")
        os.replace(tmp, path)

    # -- public API ------------------------------------------------------------------------
    def add(
        self,
        doc: Document,
        *,
        site: str,
        fetched_at: datetime,
        status: int = 200,
        final_url: str | None = None,
        warc_ref: str | None = None,
    ) -> str | None:
        """Buffer one document; return its new doc_id, or None when it is a duplicate.

        A duplicate is a URL whose newest stored (or buffered) version has the same content_hash.
        A changed content gets version = previous + 1. The key is `doc.url`, else `final_url`.
        """
        if self._closed:
            raise ValueError("DatasetWriter is closed")
        validate_site(site)
        url = doc.url or final_url
        if not url:
            raise ValueError("document has no url and no final_url")
        if fetched_at.tzinfo is None or fetched_at.utcoffset() is None:
            raise ValueError("fetched_at must be timezone-aware (UTC)")
        fetched_at = fetched_at.astimezone(UTC)
        index = self._site_index(site)
        content_hash = doc.content_hash
        prev = index.get(url)
        if prev is not None and prev[1] == content_hash:
            self.stats["output/duplicate"] += 1
            return None
        version = prev[0] + 1 if prev else 1
        doc_id = make_doc_id(url, version, content_hash)
        index[url] = (version, content_hash)
        self._changed[site].add(url)
        self._dirty.add(site)

        day = fetched_at.date().isoformat()
        buf = self._buffers.get((site, day))
        if buf is None:
            buf = self._buffers[(site, day)] = _PartitionBuffer()
        text = doc.text
        row = {
            "doc_id": doc_id,
            "url": url,
            "final_url": final_url,
            "site": site,
            "fetched_at": fetched_at,
            **doc.metadata(),
            "lang_chars": [{"lang": k, "chars": v} for k, v in doc.lang_chars],
            "text": text,
            "n_segments": len(doc.segments),
            "content_hash": content_hash,
            "version": version,
            "cleaner_version": doc.cleaner_version,
            "status": status,
            "warc_ref": warc_ref,
            "dropped": [{"reason": r, "count": c} for r, c in doc.dropped],
            "empty_reason": doc.empty_reason,
        }
        for k, v in row.items():
            buf.docs[k].append(v)
        segs = buf.segs
        for pos, s in enumerate(doc.segments):
            segs["doc_id"].append(doc_id)
            segs["position"].append(pos)
            segs["kind"].append(s.kind)
            segs["text"].append(s.text)
            segs["lang"].append(s.lang)
            segs["confidence"].append(s.confidence)
            segs["script"].append(s.script)
        # Text is held twice (document text and segments); UTF-8 Arabic is ~2 bytes a char.
        self._buffered_bytes += 4 * len(text) + 64 * len(doc.segments) + 1024
        self._buffered_docs += 1
        self.stats["output/written"] += 1
        if version > 1:
            self.stats["output/new_version"] += 1
        if (
            self._buffered_docs >= self.row_group_docs
            or self._buffered_bytes >= self.max_buffer_bytes
        ):
            self.flush()
        return doc_id

    def flush(self) -> None:
        """Write the buffered rows: one documents and one segments file per partition touched.

        All segments files are renamed into place (and their folders fsynced) before any documents
        file, so a documents file on disk always has its segments twin.
        """
        if not self._buffers:
            return
        batch = new_batch_id()
        name = part_name(batch)
        pending_docs: list[tuple[Path, Path]] = []
        pending_segs: list[tuple[Path, Path]] = []
        try:
            for (site, day), buf in sorted(self._buffers.items()):
                docs, segs = buf.tables()
                if segs.num_rows:
                    final = partition_dir(self.root, "segments", site, day) / name
                    pending_segs.append((write_parquet_temp(segs, final, "segments"), final))
                final = partition_dir(self.root, "documents", site, day) / name
                pending_docs.append((write_parquet_temp(docs, final, "documents"), final))
            for tmp, final in pending_segs:
                commit(tmp, final)
            for d in {final.parent for _, final in pending_segs}:
                fsync_dir(d)
            for tmp, final in pending_docs:
                commit(tmp, final)
            for d in {final.parent for _, final in pending_docs}:
                fsync_dir(d)
        except BaseException:
            # Leave nothing half-visible from this process; a hard crash is handled on next open.
            for tmp, _ in pending_docs + pending_segs:
                tmp.unlink(missing_ok=True)
            raise
        self.stats["output/files"] += len(pending_docs) + len(pending_segs)
        self._buffers.clear()
        self._buffered_docs = 0
        self._buffered_bytes = 0

    def close(self) -> None:
        """Flush the buffer and save the dedup index cache of the sites touched."""
        if self._closed:
            return
        self.flush()
        for site in sorted(self._dirty):
            self._save_index(site)
        self._dirty.clear()
        end_session(self.root)
        self._closed = True
