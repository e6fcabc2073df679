"""Interoperability: pandas, pyarrow, DuckDB and Polars read the same rows from the raw files,
and they match what the loaders return.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds

from output import load_documents, load_segments


def _keys(df: pd.DataFrame, cols: list[str]) -> list[tuple]:
    return sorted(map(tuple, df[cols].astype(str).itertuples(index=False, name=None)))


def test_all_readers_agree(dataset: Path) -> None:
    seg_glob = f"{dataset}/segments/**/*.parquet"
    doc_glob = f"{dataset}/documents/**/*.parquet"
    seg_cols = ["doc_id", "position", "lang", "site", "text"]

    ours = load_segments(dataset)
    by_pandas = pd.read_parquet(dataset / "segments")
    by_arrow = (
        ds.dataset(dataset / "segments", format="parquet", partitioning="hive")
        .to_table()
        .to_pandas()
    )
    by_duckdb = duckdb.sql(f"select * from read_parquet('{seg_glob}', hive_partitioning=true)").df()
    by_polars = pl.read_parquet(seg_glob, hive_partitioning=True).to_pandas()
    expected = _keys(ours, seg_cols)
    assert len(expected) == 180
    for name, df in (
        ("pandas", by_pandas),
        ("pyarrow", by_arrow),
        ("duckdb", by_duckdb),
        ("polars", by_polars),
    ):
        assert _keys(df, seg_cols) == expected, name
        assert set(df["date"].astype(str)) == {"2024-03-01", "2024-03-02", "2024-03-03"}, name

    doc_cols = ["doc_id", "url", "site", "fetched_at", "main_lang", "version", "content_hash"]
    docs = load_documents(dataset, latest=False)
    expected_docs = _keys(docs, doc_cols)
    for name, df in (
        ("pandas", pd.read_parquet(dataset / "documents")),
        (
            "duckdb",
            duckdb.sql(f"select * from read_parquet('{doc_glob}', hive_partitioning=true)").df(),
        ),
        ("polars", pl.read_parquet(doc_glob, hive_partitioning=True).to_pandas()),
    ):
        df = df.assign(fetched_at=pd.to_datetime(df["fetched_at"], utc=True))
        assert _keys(df, doc_cols) == expected_docs, name

    # Nested columns come back as lists of structs everywhere.
    row = duckdb.sql(
        f"select lang_chars[1].lang as l, dropped[2].count as c, authors[2] as a from read_parquet('{doc_glob}') limit 1"
    ).fetchall()[0]
    assert row == ("ar", 5, "بشير")
    pl_docs = pl.read_parquet(doc_glob, hive_partitioning=True)
    assert (
        pl_docs.select(pl.col("lang_chars").list.first().struct.field("lang"))
        .to_series()
        .to_list()[0]
        == "ar"
    )
    assert (
        pl_docs.select(pl.col("dropped").list.eval(pl.element().struct.field("count")).list.sum())
        .to_series()
        .to_list()[0]
        == 7
    )
