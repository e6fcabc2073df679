"""Where dataset files live and which of them are committed: names, listing, atomic writes, recovery.

One place knows the on-disk protocol (batch ids, temp names, compaction markers) so writer, loader and
compactor agree; docs/schema.md tells the crash story this module implements.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from output.schema import DICTIONARY_COLUMNS, STATISTICS_COLUMNS

TABLES = ("documents", "segments")
#: Site names become directory names: keep them to host-like characters so no escaping is needed
#: and pyarrow, DuckDB and Polars all parse `site=<name>` the same way.
SITE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")
_PART_RE = re.compile(r"^part-(?P<batch>.+)-(?P<seq>\d{3,})\.parquet$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MARKER_PREFIX = ".compact-"
TEMP_SUFFIX = ".tmp"


def validate_site(site: str) -> str:
    """Return `site` when it is a safe partition value, else raise ValueError."""
    if not isinstance(site, str) or not SITE_RE.match(site) or ".." in site:
        raise ValueError(f"invalid site name {site!r}: use letters, digits, '.', '_' or '-'")
    return site


def new_batch_id() -> str:
    """A batch id that sorts by creation time and is unique across processes."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}Z{uuid.uuid4().hex[:8]}"


def part_name(batch: str, seq: int = 0) -> str:
    """The committed file name of piece `seq` of `batch`."""
    return f"part-{batch}-{seq:03d}.parquet"


def batch_of(name: str) -> str | None:
    """The batch id of a visible Parquet file name, or None for hidden/other files."""
    if name.startswith(".") or not name.endswith(".parquet"):
        return None
    m = _PART_RE.match(name)
    # Foreign files dropped in by hand are their own batch, so they are still read.
    return m.group("batch") if m else name[: -len(".parquet")]


def partition_dir(root: Path, table: str, site: str, day: str) -> Path:
    """`<root>/<table>/site=<site>/date=<day>`."""
    return root / table / f"site={site}" / f"date={day}"


def temp_path(final: Path) -> Path:
    """Hidden temp name in the same folder: same filesystem for os.replace, ignored by globs."""
    return final.with_name(f".{final.name}{TEMP_SUFFIX}")


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_parquet_temp(
    table: pa.Table, final: Path, kind: str, row_group_rows: int | None = None
) -> Path:
    """Write `table` to the hidden temp twin of `final`, fsynced; return the temp path."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(final)
    with open(tmp, "wb") as fh:
        pq.write_table(
            table,
            fh,
            compression="zstd",
            use_dictionary=DICTIONARY_COLUMNS[kind],
            row_group_size=row_group_rows,
            write_statistics=STATISTICS_COLUMNS[kind],
        )
        fh.flush()
        os.fsync(fh.fileno())
    return tmp


def commit(tmp: Path, final: Path) -> None:
    """Atomically move a finished temp file into place."""
    os.replace(tmp, final)


@dataclass(frozen=True, slots=True)
class Marker:
    """A compaction in progress: `new` replaces `old` once all of `new_documents` exist."""

    path: Path
    new: str
    old: tuple[str, ...]
    new_documents: tuple[str, ...]
    new_segments: tuple[str, ...]

    def complete(self) -> bool:
        """True when every new documents file has been renamed into place."""
        return all((self.path.parent / n).exists() for n in self.new_documents)


def read_marker(path: Path) -> Marker:
    """Parse a compaction marker file."""
    data = json.loads(path.read_text("utf-8"))
    return Marker(
        path=path,
        new=data["new"],
        old=tuple(data["old"]),
        new_documents=tuple(data["new_documents"]),
        new_segments=tuple(data["new_segments"]),
    )


def write_marker(
    doc_dir: Path, new: str, old: Iterable[str], docs: list[str], segs: list[str]
) -> Path:
    """Atomically write the marker announcing that batch `new` replaces batches `old`."""
    final = doc_dir / f"{MARKER_PREFIX}{new}.json"
    tmp = temp_path(final)
    payload = {"new": new, "old": sorted(old), "new_documents": docs, "new_segments": segs}
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    fsync_dir(doc_dir)
    return final


@dataclass(slots=True)
class PartitionFiles:
    """The committed files of one site/date partition, in batch order."""

    site: str
    day: str
    documents: list[Path] = field(default_factory=list)
    segments: list[Path] = field(default_factory=list)


def _scan(d: Path) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(d) if e.is_file())
    except FileNotFoundError:
        return []


def committed_partition(root: Path, site: str, day: str) -> PartitionFiles:
    """List the files a reader should see in one partition.

    A batch is committed when its documents file exists (documents are written last). Segments
    files without a documents twin are an interrupted write and are skipped. A compaction marker
    hides the old batches once the new files are all in place, and the new batch before that.
    """
    doc_dir = partition_dir(root, "documents", site, day)
    seg_dir = partition_dir(root, "segments", site, day)
    doc_names = _scan(doc_dir)
    hidden: set[str] = set()
    for name in doc_names:
        if name.startswith(MARKER_PREFIX) and name.endswith(".json"):
            marker = read_marker(doc_dir / name)
            hidden.update(marker.old if marker.complete() else (marker.new,))
    out = PartitionFiles(site, day)
    committed: set[str] = set()
    for name in doc_names:
        b = batch_of(name)
        if b is not None and b not in hidden:
            committed.add(b)
            out.documents.append(doc_dir / name)
    for name in _scan(seg_dir):
        b = batch_of(name)
        if b is not None and b in committed:
            out.segments.append(seg_dir / name)
    return out


def _subdirs(d: Path, key: str) -> list[str]:
    prefix = f"{key}="
    try:
        return sorted(
            e.name[len(prefix) :] for e in os.scandir(d) if e.is_dir() and e.name.startswith(prefix)
        )
    except FileNotFoundError:
        return []


def list_partitions(
    root: Path,
    sites: Iterable[str] | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[tuple[str, str]]:
    """(site, day) pairs present under either table, pruned by site and inclusive day range.

    This is the partition pruning: only the matching directories are ever opened.
    """
    lo = first_day.isoformat() if first_day else None
    hi = last_day.isoformat() if last_day else None
    wanted = None if sites is None else {validate_site(s) for s in sites}
    found: set[tuple[str, str]] = set()
    for table in TABLES:
        for site in _subdirs(root / table, "site"):
            if wanted is not None and site not in wanted:
                continue
            for day in _subdirs(root / table / f"site={site}", "date"):
                # ISO dates compare correctly as strings.
                if not _DATE_RE.match(day) or (lo and day < lo) or (hi and day > hi):
                    continue
                found.add((site, day))
    return sorted(found)


def recover_partition(root: Path, site: str, day: str) -> int:
    """Finish or undo interrupted writes in one partition; return the number of files removed.

    Must run under the data directory's writer lock: a live writer's temp files look stale.
    """
    doc_dir = partition_dir(root, "documents", site, day)
    seg_dir = partition_dir(root, "segments", site, day)
    removed = 0

    def unlink(p: Path) -> None:
        nonlocal removed
        try:
            p.unlink()
            removed += 1
        except FileNotFoundError:
            pass

    for name in _scan(doc_dir):
        if name.startswith(MARKER_PREFIX) and name.endswith(".json"):
            marker = read_marker(doc_dir / name)
            if marker.complete():  # roll forward: the new files are all in place
                for d in (doc_dir, seg_dir):
                    for other in _scan(d):
                        if batch_of(other) in marker.old:
                            unlink(d / other)
            else:  # roll back: the old files are untouched
                for n in marker.new_documents:
                    unlink(doc_dir / n)
                for n in marker.new_segments:
                    unlink(seg_dir / n)
            unlink(marker.path)
    for d in (doc_dir, seg_dir):
        for name in _scan(d):
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                unlink(d / name)
    doc_batches = {batch_of(n) for n in _scan(doc_dir)} - {None}
    for name in _scan(seg_dir):
        b = batch_of(name)
        if b is not None and b not in doc_batches:
            unlink(seg_dir / name)  # orphan: its documents twin never committed
    return removed


def recover_site(root: Path, site: str | None = None) -> int:
    """Run `recover_partition` over every partition of one site (or of all sites)."""
    sites = None if site is None else [site]
    return sum(recover_partition(root, s, d) for s, d in list_partitions(root, sites))


#: Present while a writer or compaction runs; found at start, it means the last one did not end
#: cleanly and the whole dataset must be recovered before anything is trusted.
SESSION_MARKER = Path(".index") / "session.open"


def begin_session(root: Path) -> int:
    """Recover everything if the previous session crashed, then mark a session open.

    Returns the number of files removed by recovery.
    """
    marker = root / SESSION_MARKER
    removed = recover_site(root) if marker.exists() else 0
    marker.parent.mkdir(parents=True, exist_ok=True)
    with open(marker, "w", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        os.fsync(fh.fileno())
    fsync_dir(marker.parent)
    return removed


def end_session(root: Path) -> None:
    """Mark a clean end: everything the session wrote is committed and its caches are saved."""
    (root / SESSION_MARKER).unlink(missing_ok=True)


def date_dir_mtimes(root: Path, table: str, site: str) -> dict[str, int]:
    """{day: mtime_ns} of a site's partition folders: any file added, renamed or removed in a
    folder changes its mtime, which is how the dedup cache knows what to re-read."""
    base = root / table / f"site={site}"
    try:
        return {
            e.name[len("date=") :]: e.stat().st_mtime_ns
            for e in os.scandir(base)
            if e.is_dir() and e.name.startswith("date=")
        }
    except FileNotFoundError:
        return {}
