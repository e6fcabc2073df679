"""Append cleaned `Document`s to the partitioned Parquet dataset, deduplicated by URL and content.

Buffered, bounded, atomic per partition: segments files first, documents files last as commit marker.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
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
#: 64-bit hashes, not strings: 20 bytes a url in memory and on disk. A cache in another format
#: (the url-string one of earlier versions) fails the schema check and is rebuilt from the data.
_INDEX_SCHEMA = pa.schema(
    [("url_hash", pa.uint64()), ("version", pa.int32()), ("content_hash64", pa.uint64())]
)
_INDEX_FOLDERS_KEY = b"bilingual_scraper.index_folders"
#: Rows read per batch when (re)building the index from data files: bounds the temporary strings.
_INDEX_READ_BATCH = 65_536

U64Array = npt.NDArray[np.uint64]
I32Array = npt.NDArray[np.int32]


def _hash64(text: str) -> int:
    """64-bit BLAKE2b of `text`, as the unsigned int stored in the index."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _hash64_many(texts: Iterable[str]) -> U64Array:
    """`_hash64` of each text, as a uint64 array (one join instead of one int per text)."""
    joined = b"".join(hashlib.blake2b(t.encode(), digest_size=8).digest() for t in texts)
    return np.frombuffer(joined, dtype="<u8").astype(np.uint64)


def _newest(
    keys: U64Array, versions: I32Array, chashes: U64Array
) -> tuple[U64Array, I32Array, U64Array]:
    """One entry per key, sorted by key: its highest version, the first one seen on a tie."""
    # lexsort is stable: primary key, then version descending, ties in input order.
    order = np.lexsort((-versions.astype(np.int64), keys))
    k = keys[order]
    first = np.ones(len(k), dtype=bool)
    first[1:] = k[1:] != k[:-1]
    keep = order[first]
    return keys[keep], versions[keep], chashes[keep]


class _SiteIndex:
    """Dedup index of one site: url hash -> (newest version, 64-bit content hash).

    Three parallel numpy arrays sorted by url hash (20 bytes a url, searched by bisection), plus a
    dict of the entries added since the last merge, which `flush()` folds in, so the dict never
    holds more than a buffer's worth of urls. Two urls (or contents) share a 64-bit hash with
    probability ~n²/2⁶⁵: about 3e-6 for ten million urls of one site.
    """

    __slots__ = ("chashes", "keys", "pending", "versions")

    def __init__(
        self,
        keys: U64Array | None = None,
        versions: I32Array | None = None,
        chashes: U64Array | None = None,
    ) -> None:
        self.keys: U64Array = np.empty(0, np.uint64) if keys is None else keys
        self.versions: I32Array = np.empty(0, np.int32) if versions is None else versions
        self.chashes: U64Array = np.empty(0, np.uint64) if chashes is None else chashes
        self.pending: dict[int, tuple[int, int]] = {}

    def __len__(self) -> int:
        # Exact after a merge; until then a pending update of a held url counts twice.
        return len(self.keys) + len(self.pending)

    @property
    def nbytes(self) -> int:
        """Bytes held by the sorted arrays (the pending dict is bounded by the buffer)."""
        return self.keys.nbytes + self.versions.nbytes + self.chashes.nbytes

    def get(self, key: int) -> tuple[int, int] | None:
        """(newest version, content hash) of the url hashed to `key`, or None if unknown."""
        hit = self.pending.get(key)
        if hit is not None:
            return hit
        i = int(np.searchsorted(self.keys, np.uint64(key)))
        if i < len(self.keys) and int(self.keys[i]) == key:
            return int(self.versions[i]), int(self.chashes[i])
        return None

    def put(self, key: int, version: int, chash: int) -> None:
        """Record a new newest version (always higher than the one `get` returned)."""
        self.pending[key] = (version, chash)

    def merge_pending(self) -> None:
        """Fold the pending dict into the sorted arrays."""
        if not self.pending:
            return
        n = len(self.pending)
        keys = np.fromiter(self.pending.keys(), dtype=np.uint64, count=n)
        versions = np.fromiter((v for v, _ in self.pending.values()), dtype=np.int32, count=n)
        chashes = np.fromiter((h for _, h in self.pending.values()), dtype=np.uint64, count=n)
        self.pending = {}
        self.absorb(keys, versions, chashes)

    def absorb(self, keys: U64Array, versions: I32Array, chashes: U64Array) -> bool:
        """Merge entries in, keeping per key the higher version (the held one on a tie).

        O(n + m) for m new entries, not a re-sort of all n. Returns whether anything changed.
        """
        if not len(keys):
            return False
        keys, versions, chashes = _newest(keys, versions, chashes)
        pos = np.searchsorted(self.keys, keys)
        found = pos < len(self.keys)
        found[found] = self.keys[pos[found]] == keys[found]
        newer = np.zeros(len(keys), dtype=bool)
        newer[found] = versions[found] > self.versions[pos[found]]
        if newer.any():
            # Arrays read from the cache are read-only views of Arrow buffers: copy on first write.
            if not self.versions.flags.writeable:
                self.versions = self.versions.copy()
            if not self.chashes.flags.writeable:
                self.chashes = self.chashes.copy()
            self.versions[pos[newer]] = versions[newer]
            self.chashes[pos[newer]] = chashes[newer]
        added = ~found
        if added.any():
            at = pos[added]
            self.keys = np.insert(self.keys, at, keys[added])
            self.versions = np.insert(self.versions, at, versions[added])
            self.chashes = np.insert(self.chashes, at, chashes[added])
        return bool(newer.any() or added.any())

    def to_table(self) -> pa.Table:
        """The arrays as a table of `_INDEX_SCHEMA` (pending entries must be merged first)."""
        return pa.table(
            [pa.array(self.keys), pa.array(self.versions), pa.array(self.chashes)],
            schema=_INDEX_SCHEMA,
        )

    @classmethod
    def from_table(cls, table: pa.Table) -> _SiteIndex:
        """Arrays from a cache table; ValueError when it is not a well-formed index."""
        if not table.schema.remove_metadata().equals(_INDEX_SCHEMA):
            raise ValueError("dedup index cache has another format")
        cols = [table.column(i) for i in range(3)]
        if any(c.null_count for c in cols):
            raise ValueError("dedup index cache has nulls")
        keys, versions, chashes = (c.to_numpy() for c in cols)
        # searchsorted silently gives wrong answers on unsorted keys: check, it is one pass.
        if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
            raise ValueError("dedup index cache is not sorted")
        return cls(keys, versions, chashes)


def _read_versions(files: list[Path]) -> tuple[U64Array, I32Array, U64Array]:
    """(url hash, version, content hash) of every row of committed documents `files`.

    Read in batches of three columns, so the url strings alive at once are one batch's worth.
    """
    dataset = ds.dataset([str(f) for f in files], schema=DOCUMENTS_SCHEMA, format="parquet")
    for frag in dataset.get_fragments():
        check_schema_version(frag.metadata.metadata, frag.path)
    keys: list[U64Array] = []
    versions: list[I32Array] = []
    chashes: list[U64Array] = []
    for batch in dataset.to_batches(
        columns=["url", "version", "content_hash"], batch_size=_INDEX_READ_BATCH
    ):
        if not batch.num_rows:
            continue
        keys.append(_hash64_many(batch.column(0).to_pylist()))
        versions.append(batch.column(1).to_numpy(zero_copy_only=False).astype(np.int32))
        chashes.append(_hash64_many(batch.column(2).to_pylist()))
    if not keys:
        return np.empty(0, np.uint64), np.empty(0, np.int32), np.empty(0, np.uint64)
    return np.concatenate(keys), np.concatenate(versions), np.concatenate(chashes)


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

    Dedup state is loaded lazily per site, on the first `add` for that site: 64-bit hashes of the
    url -> (version, content_hash) of the newest version, 20 bytes a url (see `_SiteIndex`), from a
    cached index under `<path>/.index/` topped up with the committed files of any date folder
    changed since the cache was saved. Opening finds the previous session's marker when it did not
    close cleanly and then recovers the whole dataset (orphan segments files, temp files, half-done
    compactions) before writing anything.
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
        self._index: dict[str, _SiteIndex] = {}
        self._folders: dict[str, dict[str, tuple[int, list[str]]]] = {}
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

    def _site_index(self, site: str) -> _SiteIndex:
        """The dedup index of `site`, loaded on first use.

        The cache records, per date folder, its mtime and the committed documents files it has
        read; only folders whose mtime changed since are listed again, and only their new files
        are read (three columns). Opening a session thus costs one stat per date folder per site.
        """
        if site in self._index:
            return self._index[site]
        index = _SiteIndex()
        folders: dict[str, tuple[int, list[str]]] = {}
        path = self._index_path(site)
        if path.exists():
            try:
                cached = feather.read_table(path)
                meta = cached.schema.metadata or {}
                check_schema_version(meta, str(path))
                index = _SiteIndex.from_table(cached)
                folders = {
                    day: (int(m), list(names))
                    for day, (m, names) in json.loads(meta[_INDEX_FOLDERS_KEY]).items()
                }
            except (OSError, pa.ArrowInvalid, KeyError, ValueError, TypeError):
                # The index is only a cache: rebuild it from the data files.
                index, folders = _SiteIndex(), {}
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
        changed = bool(files) and index.absorb(*_read_versions(files))
        self._index[site] = index
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
        index = self._index[site]
        index.merge_pending()
        # Rewritten whole: 20 bytes a url, so even a million urls is a 20 MB sequential write.
        table = index.to_table().replace_schema_metadata(
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

    def index_footprint(self) -> tuple[int, int]:
        """(urls, bytes) of the dedup indexes loaded so far: the writer's only per-url memory."""
        urls = sum(len(i) for i in self._index.values())
        return urls, sum(i.nbytes for i in self._index.values())

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
        key, chash = _hash64(url), _hash64(content_hash)
        prev = index.get(key)
        if prev is not None and prev[1] == chash:
            self.stats["output/duplicate"] += 1
            return None
        version = prev[0] + 1 if prev else 1
        doc_id = make_doc_id(url, version, content_hash)
        index.put(key, version, chash)
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
        file, so a documents file on disk always has its segments twin. The dedup entries
        added since the last flush are merged into the compact index here.
        """
        for index in self._index.values():
            index.merge_pending()
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
