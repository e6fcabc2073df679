"""The Parquet side of the scraper: schemas, the deduplicating writer, loaders, compaction, stats.

Public surface re-exported here; the modules behind it are private.
"""

from output.compaction import CompactResult, compact
from output.loader import load_documents, load_segments
from output.schema import (
    DOCUMENTS_SCHEMA,
    SCHEMA_VERSION,
    SEGMENTS_SCHEMA,
    DatasetVersionError,
)
from output.stats import dataset_stats, format_stats
from output.writer import DatasetWriter

__all__ = [
    "DOCUMENTS_SCHEMA",
    "SCHEMA_VERSION",
    "SEGMENTS_SCHEMA",
    "CompactResult",
    "DatasetVersionError",
    "DatasetWriter",
    "compact",
    "dataset_stats",
    "format_stats",
    "load_documents",
    "load_segments",
]
