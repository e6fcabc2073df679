"""Writer memory tests: the dedup index holds ~20 bytes a url and its dict never outgrows the buffer.

Also checks, against a plain-dict model of the dedup rules, that the compact index changes no result.
"""

from __future__ import annotations

import random
import shutil
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pytest
from conftest import BASE_TIME, make_doc

from output import DatasetWriter, compact, load_documents
from output.writer import make_doc_id

SITE = "news.example.net"


def _fill(root: Path, ids: range, *, site: str = SITE, row_group_docs: int = 2000) -> None:
    """Write one-segment documents `ids` of `site` in one session."""
    with DatasetWriter(root, row_group_docs=row_group_docs) as w:
        for i in ids:
            assert w.add(make_doc(i, site=site, n_segments=1), site=site, fetched_at=BASE_TIME)


def test_index_holds_20_bytes_a_url_and_pending_is_bounded_by_the_buffer(tmp_path: Path) -> None:
    root = tmp_path / "data"
    most_pending = 0
    with DatasetWriter(root, row_group_docs=300) as w:
        for i in range(2000):
            w.add(make_doc(i, n_segments=1), site=SITE, fetched_at=BASE_TIME)
            most_pending = max(most_pending, len(w._index[SITE].pending))
        assert w.index_footprint() == (2000, 20 * (2000 - len(w._index[SITE].pending)))
    assert most_pending == 299  # merged by the flush the 300th add triggers
    with DatasetWriter(root) as w:
        assert w.add(make_doc(5, n_segments=1), site=SITE, fetched_at=BASE_TIME) is None
        assert w.index_footprint() == (2000, 20 * 2000)
    # On disk too: three fixed-width columns, no url strings.
    cache = root / ".index" / f"{SITE}.arrow"
    assert feather.read_table(cache).schema.types == [pa.uint64(), pa.int32(), pa.uint64()]
    assert cache.stat().st_size < 24 * 2000 + 4096


def test_loading_the_index_allocates_tens_of_bytes_a_url(tmp_path: Path) -> None:
    root = tmp_path / "data"
    n = 6000
    _fill(root, range(n))
    for from_cache in (True, False):
        if not from_cache:
            shutil.rmtree(root / ".index")  # rebuild from the parquet files
        w = DatasetWriter(root)
        tracemalloc.start()
        arrow_before = pa.total_allocated_bytes()
        try:
            index = w._site_index(SITE)
            held = tracemalloc.get_traced_memory()[0] + pa.total_allocated_bytes() - arrow_before
        finally:
            tracemalloc.stop()
        assert len(index) == n
        # A dict of url -> (version, content_hash) strings holds > 250 bytes a url.
        assert held < 40 * n + 64 * 1024, (from_cache, held / n)
        w.close()


def test_old_format_or_unsorted_cache_is_rebuilt(tmp_path: Path) -> None:
    root = tmp_path / "data"
    _fill(root, range(10))
    cache = root / ".index" / f"{SITE}.arrow"
    good = feather.read_table(cache)
    old = pa.table(
        {
            "url": [f"https://{SITE}/a/{i}" for i in range(10)],
            "version": pa.array([1] * 10, pa.int32()),
            "content_hash": [make_doc(i).content_hash for i in range(10)],
        }
    ).replace_schema_metadata(good.schema.metadata)
    unsorted = good.take(pa.array(range(9, -1, -1))).replace_schema_metadata(good.schema.metadata)
    for k, bad in enumerate((old, unsorted)):
        feather.write_feather(bad, cache)
        with DatasetWriter(root) as w:
            ids = [
                w.add(make_doc(i, n_segments=1), site=SITE, fetched_at=BASE_TIME)
                for i in [*range(10), 20 + k]
            ]
            assert w.stats["output/index_rebuilt"] == 1
        assert ids[:10] == [None] * 10 and ids[10] is not None
    assert len(load_documents(root)) == 12


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_results_as_a_dict_of_urls(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random sessions, crashes, lost caches and compactions against the documented rules."""
    import output.writer

    monkeypatch.setattr(output.writer, "_INDEX_READ_BATCH", 7)  # rebuilds span many batches
    rng = random.Random(seed)
    root = tmp_path / "data"
    stored: dict[str, tuple[int, str]] = {}  # url -> newest committed (version, content_hash)
    rows: set[tuple[str, int]] = set()
    for session in range(14):
        crash = rng.random() < 0.25
        w = DatasetWriter(root, row_group_docs=1000 if crash else rng.choice((1, 3, 50)))
        seen = dict(stored)
        new_rows: set[tuple[str, int]] = set()
        flushed_at: tuple[dict[str, tuple[int, str]], set[tuple[str, int]]] | None = None
        for step in range(rng.randint(1, 40)):
            site = rng.choice((SITE, "other.example.org"))
            doc = make_doc(rng.randrange(25), site=site, revision=rng.randrange(3), n_segments=1)
            day = BASE_TIME.replace(day=1 + rng.randrange(3))
            url = doc.url
            assert url is not None
            prev = seen.get(url)
            if prev is not None and prev[1] == doc.content_hash:
                expected = None
            else:
                version = prev[0] + 1 if prev else 1
                expected = make_doc_id(url, version, doc.content_hash)
                seen[url] = (version, doc.content_hash)
                new_rows.add((url, version))
            assert w.add(doc, site=site, fetched_at=day) == expected, (session, step)
            if crash and flushed_at is None and rng.random() < 0.3:
                w.flush()
                flushed_at = (dict(seen), set(new_rows))
        if crash:  # the process dies: unflushed rows are lost, the cache is not saved
            if flushed_at is not None:
                stored, flushed = flushed_at
                rows |= flushed
            del w
        else:
            w.close()
            stored, rows = seen, rows | new_rows
        r = rng.random()
        if r < 0.15:
            shutil.rmtree(root / ".index", ignore_errors=True)
        elif r < 0.3:
            compact(root)
    with DatasetWriter(root):  # recover after a last crash before reading
        pass
    got = load_documents(root, latest=False)
    assert set(zip(got["url"], got["version"].astype(int), strict=True)) == rows
    assert len(got) == len(rows)
