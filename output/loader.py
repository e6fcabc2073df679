"""Load the dataset into pandas with filters pushed down: partition pruning on site and date,
then pyarrow.dataset predicates on fetched_at and language; compaction-safe file listing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from output.layout import committed_partition, list_partitions
from output.schema import DOCUMENTS_SCHEMA, SEGMENTS_SCHEMA, check_schema_version

TimeBound = date | datetime | str | None

_SEGMENT_PARTITIONING = ds.partitioning(
    pa.schema([("site", pa.string()), ("date", pa.string())]), flavor="hive"
)


def _as_utc(value: date | datetime | str, *, end: bool) -> datetime:
    """A since (inclusive) or until (exclusive, hence + one day or + 1 µs) bound in UTC.

    A bare date (or a 'YYYY-MM-DD' string) means the whole day; naive datetimes are taken as UTC.
    """
    if isinstance(value, str):
        text = value.strip()
        value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        dt = dt.astimezone(UTC)
        return dt + timedelta(microseconds=1) if end else dt
    start = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return start + timedelta(days=1) if end else start


def _bounds(
    since: TimeBound, until: TimeBound
) -> tuple[datetime | None, datetime | None, date | None, date | None]:
    lo = _as_utc(since, end=False) if since is not None else None
    hi = _as_utc(until, end=True) if until is not None else None
    first = lo.date() if lo else None
    last = (hi - timedelta(microseconds=1)).date() if hi else None
    return lo, hi, first, last


def _listify(values: str | Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [values] if isinstance(values, str) else list(values)


def _select_columns(schema: pa.Schema, columns: Sequence[str] | None) -> list[str]:
    names = schema.names
    if columns is None:
        return list(names)
    unknown = [c for c in columns if c not in names]
    if unknown:
        raise KeyError(f"unknown columns {unknown}; available: {names}")
    return list(columns)


def _empty_frame(schema: pa.Schema, columns: list[str]) -> pd.DataFrame:
    return schema.empty_table().select(columns).to_pandas()


def _checked_dataset(files: list[Path], schema: pa.Schema, **kwargs: object) -> ds.Dataset:
    """A dataset over exactly `files`; every footer's schema version is checked (footers are
    cached by the fragments, so the scan does not read them twice)."""
    dataset = ds.dataset([str(f) for f in files], schema=schema, format="parquet", **kwargs)
    for frag in dataset.get_fragments():
        check_schema_version(frag.metadata.metadata, frag.path)
    return dataset


def _committed(
    root: Path, table: str, sites: list[str] | None, first: date | None, last: date | None
) -> list[Path]:
    files: list[Path] = []
    for site, day in list_partitions(root, sites, first, last):
        part = committed_partition(root, site, day)
        files.extend(part.documents if table == "documents" else part.segments)
    return files


def load_documents(
    path: str | Path = "data",
    *,
    sites: str | Iterable[str] | None = None,
    since: TimeBound = None,
    until: TimeBound = None,
    langs: str | Iterable[str] | None = None,
    latest: bool = True,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Documents as a DataFrame, one row per document version.

    `sites` and the since/until day range prune partitions (only those folders are listed and
    read); the exact fetched_at bounds (since inclusive, until inclusive; a date means the whole
    day) and `langs` (on main_lang) are pyarrow predicates. `latest=True` keeps the newest version
    per url among the matching rows. Missing or empty dataset -> empty frame with the columns.
    Raises `DatasetVersionError` on files of a newer schema major version.
    """
    root = Path(path)
    wanted = _select_columns(DOCUMENTS_SCHEMA, columns)
    lo, hi, first, last = _bounds(since, until)
    files = _committed(root, "documents", _listify(sites), first, last)
    if not files:
        return _empty_frame(DOCUMENTS_SCHEMA, wanted)
    dataset = _checked_dataset(files, DOCUMENTS_SCHEMA)
    filt: ds.Expression | None = None
    if lo is not None:
        filt = ds.field("fetched_at") >= pa.scalar(lo, pa.timestamp("us", tz="UTC"))
    if hi is not None:
        e = ds.field("fetched_at") < pa.scalar(hi, pa.timestamp("us", tz="UTC"))
        filt = e if filt is None else filt & e
    lang_list = _listify(langs)
    if lang_list is not None:
        e = ds.field("main_lang").cast(pa.string()).isin(lang_list)
        filt = e if filt is None else filt & e
    read = list(wanted)
    if latest:
        read += [c for c in ("url", "version") if c not in read]
    table = dataset.to_table(columns=read, filter=filt)
    if latest and table.num_rows:
        keys = pd.DataFrame(
            {"url": table["url"].to_numpy(zero_copy_only=False), "version": table["version"]}
        )
        keep = keys.sort_values("version", kind="stable").drop_duplicates("url", keep="last")
        table = table.take(pa.array(sorted(keep.index), pa.int64()))
    return table.select(wanted).to_pandas()


def load_segments(
    path: str | Path = "data",
    *,
    sites: str | Iterable[str] | None = None,
    since: TimeBound = None,
    until: TimeBound = None,
    langs: str | Iterable[str] | None = None,
    doc_ids: Iterable[str] | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Segments as a DataFrame, one row per segment, plus the `site` of its partition.

    Site and day range prune partitions; when since/until are not whole days the exact
    fetched_at window is applied through the matching documents' doc_ids. `langs` filters the
    segment `lang`; `doc_ids` restricts to those documents. Segments of every version are
    returned: filter by doc_ids from `load_documents()` for the latest ones.
    """
    root = Path(path)
    schema = SEGMENTS_SCHEMA.append(pa.field("site", pa.string()))
    wanted = _select_columns(schema, columns)
    lo, hi, first, last = _bounds(since, until)
    site_list = _listify(sites)
    ids = None if doc_ids is None else list(doc_ids)

    def midnight(t: datetime | None) -> bool:
        return t is None or (t.hour, t.minute, t.second, t.microsecond) == (0, 0, 0, 0)

    if not (midnight(lo) and midnight(hi)):
        window = load_documents(
            root,
            sites=site_list,
            since=lo,
            until=hi - timedelta(microseconds=1) if hi else None,
            latest=False,
            columns=["doc_id"],
        )
        in_window = window["doc_id"].tolist()
        ids = in_window if ids is None else list(set(ids).intersection(in_window))
    files = _committed(root, "segments", site_list, first, last)
    if not files or (ids is not None and not ids):
        out = _empty_frame(schema, wanted)
        return out.astype({"site": "category"}) if "site" in out else out
    dataset = _checked_dataset(
        files,
        schema.append(pa.field("date", pa.string())),
        partitioning=_SEGMENT_PARTITIONING,
        partition_base_dir=str(root / "segments"),
    )
    filt: ds.Expression | None = None
    lang_list = _listify(langs)
    if lang_list is not None:
        filt = ds.field("lang").cast(pa.string()).isin(lang_list)
    if ids is not None:
        e = ds.field("doc_id").isin(ids)
        filt = e if filt is None else filt & e
    table = dataset.to_table(columns=wanted, filter=filt)
    if "site" in wanted:
        # Same dtype as documents.site (category) so frames merge cleanly.
        i = table.schema.get_field_index("site")
        table = table.set_column(i, "site", table["site"].dictionary_encode())
    return table.to_pandas()
