"""Dataset statistics for `scraper stats`: documents and segments per site, day and language,
newest fetch and size on disk, plus a plain-text rendering.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.dataset as ds

from output.layout import committed_partition, list_partitions
from output.loader import load_documents, load_segments
from output.schema import check_schema_version


def dataset_stats(path: str | Path = "data") -> dict[str, Any]:
    """Counts for a dataset directory.

    Returns a dict with DataFrames `per_site` (site, documents, urls, segments, newest_fetch,
    bytes), `per_day` (date, documents, segments), `per_language` (lang, documents by main_lang,
    segments by segment lang), and scalars `documents`, `urls`, `segments`, `files`, `bytes`,
    `newest_fetch` (Timestamp or None). Documents count every stored version; urls count distinct.
    Only three small columns of documents and one of segments are read.
    """
    root = Path(path)
    docs = load_documents(root, latest=False, columns=["site", "url", "fetched_at", "main_lang"])
    segs = load_segments(root, columns=["site", "lang"])
    files: list[Path] = []
    seg_days: list[tuple[str, str, int]] = []
    for site, day in list_partitions(root):
        part = committed_partition(root, site, day)
        files += part.documents + part.segments
        # Segment counts per day come from footers: no need to read the rows again.
        if part.segments:
            dataset = ds.dataset([str(f) for f in part.segments], format="parquet")
            n = 0
            for frag in dataset.get_fragments():
                check_schema_version(frag.metadata.metadata, frag.path)
                n += frag.metadata.num_rows
            seg_days.append((site, day, n))
    sizes = {f: f.stat().st_size for f in files}
    site_bytes: dict[str, int] = {}
    for f, size in sizes.items():
        site = f.parent.parent.name.split("=", 1)[1]
        site_bytes[site] = site_bytes.get(site, 0) + size

    docs = docs.assign(
        site=docs["site"].astype(str),
        date=docs["fetched_at"].dt.strftime("%Y-%m-%d"),
        main_lang=docs["main_lang"].astype(str),
    )
    segs = segs.assign(site=segs["site"].astype(str), lang=segs["lang"].astype(str))
    seg_site = segs.groupby("site").size().rename("segments")
    per_site = (
        docs.groupby("site")
        .agg(documents=("url", "size"), urls=("url", "nunique"), newest_fetch=("fetched_at", "max"))
        .join(seg_site, how="outer")
    )
    per_site["bytes"] = pd.Series(site_bytes)
    per_site = per_site.fillna({"documents": 0, "urls": 0, "segments": 0, "bytes": 0})
    per_site = per_site.astype(
        {"documents": "int64", "urls": "int64", "segments": "int64", "bytes": "int64"}
    )
    per_site = per_site.rename_axis("site").reset_index()[
        ["site", "documents", "urls", "segments", "newest_fetch", "bytes"]
    ]

    seg_day = (
        pd.DataFrame(seg_days, columns=["site", "date", "segments"])
        .groupby("date")["segments"]
        .sum()
    )
    per_day = docs.groupby("date").size().rename("documents").to_frame().join(seg_day, how="outer")
    per_day = per_day.fillna(0).astype("int64").rename_axis("date").reset_index()

    per_language = (
        docs.groupby("main_lang")
        .size()
        .rename("documents")
        .to_frame()
        .join(segs.groupby("lang").size().rename("segments"), how="outer")
        .fillna(0)
        .astype("int64")
        .rename_axis("lang")
        .reset_index()
    )
    newest = docs["fetched_at"].max() if len(docs) else None
    return {
        "documents": int(len(docs)),
        "urls": int(docs["url"].nunique()),
        "segments": int(len(segs)),
        "files": len(files),
        "bytes": int(sum(sizes.values())),
        "newest_fetch": None if newest is None or pd.isna(newest) else newest,
        "per_site": per_site,
        "per_day": per_day,
        "per_language": per_language,
    }


def _human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def format_stats(stats: dict[str, Any], *, max_days: int = 14) -> str:
    """Render `dataset_stats()` as plain-text tables (the last `max_days` days only)."""
    newest = stats["newest_fetch"]
    lines = [
        f"documents: {stats['documents']}  urls: {stats['urls']}  segments: {stats['segments']}",
        f"files: {stats['files']}  size on disk: {_human_bytes(stats['bytes'])}  "
        f"newest fetch: {newest.isoformat() if newest is not None else '-'}",
    ]
    per_site = stats["per_site"].copy()
    if len(per_site):
        per_site["newest_fetch"] = per_site["newest_fetch"].map(
            lambda t: "-" if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M")
        )
        per_site["bytes"] = per_site["bytes"].map(_human_bytes)
    for title, frame in (
        ("per site", per_site),
        (f"per day (last {max_days})", stats["per_day"].tail(max_days)),
        ("per language", stats["per_language"]),
    ):
        lines += ["", title]
        lines.append(frame.to_string(index=False) if len(frame) else "  (empty)")
    return "\n".join(lines)
