"""Explicit pyarrow schemas of the two dataset tables, and the schema version they carry.

Every Parquet file stores `SCHEMA_VERSION` in its footer metadata; readers refuse a newer major.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "1.0"
#: Footer key-value metadata key holding `SCHEMA_VERSION`.
SCHEMA_VERSION_KEY = b"bilingual_scraper.schema_version"


class DatasetVersionError(RuntimeError):
    """A dataset file was written with a schema major version newer than this code understands."""


def _dict_string() -> pa.DataType:
    # Arrow dictionary type: readers get categoricals (pandas, polars) and small memory use.
    return pa.dictionary(pa.int32(), pa.string())


_UTC_US = pa.timestamp("us", tz="UTC")

#: list<struct> rather than map: pandas (list of dicts), DuckDB (STRUCT[]) and Polars (list[struct])
#: all read it natively, while map comes back as tuples in pandas and needs casts in Polars.
LANG_CHARS_TYPE = pa.list_(pa.struct([("lang", pa.string()), ("chars", pa.int64())]))
DROPPED_TYPE = pa.list_(pa.struct([("reason", pa.string()), ("count", pa.int64())]))

_META = {SCHEMA_VERSION_KEY: SCHEMA_VERSION.encode()}

DOCUMENTS_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("url", pa.string(), nullable=False),
        pa.field("final_url", pa.string()),
        pa.field("canonical_url", pa.string()),
        pa.field("site", _dict_string(), nullable=False),
        pa.field("fetched_at", _UTC_US, nullable=False),
        pa.field("published_at", _UTC_US),
        pa.field("modified_at", _UTC_US),
        pa.field("title", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("section", pa.string()),
        pa.field("tags", pa.list_(pa.string())),
        pa.field("description", pa.string()),
        pa.field("site_name", pa.string()),
        pa.field("page_lang", pa.string()),
        pa.field("dir", _dict_string()),
        pa.field("image_url", pa.string()),
        pa.field("main_lang", _dict_string()),
        pa.field("lang_chars", LANG_CHARS_TYPE),
        pa.field("text", pa.string()),
        pa.field("n_segments", pa.int32()),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("version", pa.int32(), nullable=False),
        pa.field("cleaner_version", _dict_string()),
        pa.field("status", pa.int16()),
        pa.field("warc_ref", pa.string()),
        pa.field("dropped", DROPPED_TYPE),
        pa.field("empty_reason", pa.string()),
    ],
    metadata=_META,
)

SEGMENTS_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("position", pa.int32(), nullable=False),
        pa.field("kind", _dict_string()),
        pa.field("text", pa.string()),
        pa.field("lang", _dict_string()),
        pa.field("confidence", pa.float32()),
        pa.field("script", _dict_string()),
    ],
    metadata=_META,
)

#: Columns written with Parquet dictionary encoding (the low-cardinality ones); unique strings
#: such as doc_id, url or text would only pay the dictionary fallback cost.
DICTIONARY_COLUMNS: dict[str, list[str]] = {
    "documents": [
        f.name for f in DOCUMENTS_SCHEMA if pa.types.is_dictionary(f.type) or f.name == "page_lang"
    ],
    "segments": [f.name for f in SEGMENTS_SCHEMA if pa.types.is_dictionary(f.type)],
}

#: Columns with min/max statistics: the ones filters use. Statistics of long text columns (title,
#: text, url) would bloat every footer with two long strings per row group and prune nothing.
STATISTICS_COLUMNS: dict[str, list[str]] = {
    "documents": [
        "site",
        "fetched_at",
        "published_at",
        "modified_at",
        "main_lang",
        "version",
        "status",
        "n_segments",
        "cleaner_version",
        "dir",
        "page_lang",
    ],
    "segments": ["position", "kind", "lang", "confidence", "script"],
}

SCHEMAS: dict[str, pa.Schema] = {"documents": DOCUMENTS_SCHEMA, "segments": SEGMENTS_SCHEMA}


def check_schema_version(metadata: dict[bytes, bytes] | None, where: str) -> None:
    """Raise `DatasetVersionError` when `metadata` carries a schema major version newer than ours.

    Files without the key (foreign writers) are accepted: the explicit schema still validates them.
    """
    if not metadata or SCHEMA_VERSION_KEY not in metadata:
        return
    found = metadata[SCHEMA_VERSION_KEY].decode("utf-8", "replace")
    try:
        major = int(found.split(".", 1)[0])
    except ValueError as exc:
        raise DatasetVersionError(f"{where}: unreadable schema version {found!r}") from exc
    ours = int(SCHEMA_VERSION.split(".", 1)[0])
    if major > ours:
        raise DatasetVersionError(
            f"{where}: written with schema version {found}, newer than supported {SCHEMA_VERSION}; "
            "upgrade bilingual-scraper to read it"
        )
