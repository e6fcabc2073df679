"""Benchmark of the Parquet dataset: cron-like appends, compaction, filtered vs full reads.

Run `python bench/dataset.py [--docs 100000]`; prints throughput, files, peak RSS and read ratios.
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleaners.document import Document, Segment  # noqa: E402
from output import DatasetWriter, compact, load_documents  # noqa: E402
from output.layout import committed_partition, list_partitions  # noqa: E402

AR_WORDS = (
    "الحكومة وزير الخارجية اليوم قال مصدر في العاصمة الاقتصاد النفط الأسواق المالية الرئيس "
    "الانتخابات البرلمان مجلس الأمن الدولي الصحة التعليم الجامعة الطلاب المدينة الشرطة الحادث "
    "المطر الطقس الرياضة المنتخب المباراة الفريق الهدف المدرب الشركة الاستثمار المشروع الطاقة"
).split()
EN_WORDS = (
    "the government minister said on today in capital economy oil markets financial president "
    "election parliament security council international health education university students city "
    "police incident weather sport team match goal coach company investment project energy report"
).split()
KINDS = ("paragraph",) * 8 + ("heading", "quote", "list_item", "caption")
START = datetime(2024, 1, 1, tzinfo=UTC)


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_document(rng: random.Random, url: str, revision: int) -> Document:
    """A bilingual article with 20-40 segments of 10-40 words."""
    main = "ar" if rng.random() < 0.6 else "en"
    segments = []
    for _ in range(rng.randint(20, 40)):
        lang = main if rng.random() < 0.8 else ("en" if main == "ar" else "ar")
        words = AR_WORDS if lang == "ar" else EN_WORDS
        text = " ".join(rng.choices(words, k=rng.randint(10, 40)))
        segments.append(
            Segment(
                text,
                rng.choice(KINDS),
                lang,
                round(rng.uniform(0.7, 1.0), 3),
                "arabic" if lang == "ar" else "latin",
            )
        )
    ar = sum(len(s.text) for s in segments if s.lang == "ar")
    en = sum(len(s.text) for s in segments if s.lang == "en")
    return Document(
        url=url,
        title=f"{segments[0].text[:60]} ({revision})",
        authors=(rng.choice(("Reuters", "AFP", "Staff")),),
        published_at=START,
        section=rng.choice(("world", "economy", "sport")),
        tags=tuple(rng.sample(EN_WORDS, 3)),
        description=segments[0].text[:120],
        site_name="Site",
        page_lang=main,
        dir="rtl" if main == "ar" else "ltr",
        main_lang=main,
        segments=tuple(segments),
        dropped=(("boilerplate", rng.randint(0, 9)), ("link_density", rng.randint(0, 5))),
        lang_chars=(("ar", ar), ("en", en)),
    )


def appends(
    n_docs: int, per_append: int, n_sites: int, days: int, seed: int
) -> Iterator[list[tuple[Document, str, datetime]]]:
    """Batches of (document, site, fetched_at) in time order; ~5% re-fetches, ~2% updates."""
    rng = random.Random(seed)
    n_appends = math.ceil(n_docs / per_append)
    span = timedelta(days=days) / n_appends
    seen: list[tuple[str, str]] = []
    made = 0
    for k in range(n_appends):
        batch = []
        t0 = START + span * k
        for _ in range(min(per_append, n_docs - made)):
            made += 1
            fetched = t0 + span * rng.random()
            r = rng.random()
            if seen and r < 0.07:
                site, url = rng.choice(seen)
                doc = synthetic_document(random.Random(url), url, 0 if r < 0.05 else made)
            else:
                site = f"site{rng.randrange(n_sites):02d}.example"
                url = f"https://{site}/article/{made}"
                doc = synthetic_document(random.Random(url), url, 0)
                seen.append((site, url))
            batch.append((doc, site, fetched))
        yield batch


def timed(fn, repeat: int = 3) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    """Best wall time of `repeat` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--append", type=int, default=100, help="documents per writer session")
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--path", type=Path, default=None, help="dataset folder (default: a temp dir, removed)"
    )
    args = ap.parse_args(argv)
    root = args.path or Path(tempfile.mkdtemp(prefix="bench-dataset-")) / "data"

    try:
        written = dup = 0
        write_s = 0.0
        rss_start = rss_mb()
        rss_samples = []
        for batch in appends(args.docs, args.append, args.sites, args.days, args.seed):
            t = time.perf_counter()
            with DatasetWriter(root) as w:  # one session per append, like a cron run
                for doc, site, fetched in batch:
                    if w.add(doc, site=site, fetched_at=fetched) is None:
                        dup += 1
                    else:
                        written += 1
            write_s += time.perf_counter() - t
            rss_samples.append(rss_mb())
        peak = peak_rss_mb()
        files_before = sum(1 for _ in root.rglob("*.parquet"))
        parts = list_partitions(root)

        t = time.perf_counter()
        result = compact(root)
        compact_s = time.perf_counter() - t
        cap = 128 * 2**20
        worst = 0.0
        for site, day in parts:
            p = committed_partition(root, site, day)
            for files in (p.documents, p.segments):
                if files:
                    allowed = math.ceil(sum(f.stat().st_size for f in files) / cap)
                    worst = max(worst, len(files) / allowed)

        site = "site03.example"
        last = START + timedelta(days=args.days)
        since = (last - timedelta(days=7)).date()
        t_filtered, small = timed(lambda: load_documents(root, sites=[site], since=since))
        t_full, full = timed(lambda: pd.read_parquet(root / "documents"))
        assert isinstance(small, pd.DataFrame) and isinstance(full, pd.DataFrame)
        expected = full[
            (full["site"].astype(str) == site)
            & (full["fetched_at"] >= pd.Timestamp(since, tz="UTC"))
        ]
        assert len(small) == expected["url"].nunique(), "filtered load disagrees with the full read"

        size = sum(f.stat().st_size for f in root.rglob("*.parquet"))
        print(
            f"documents offered      {args.docs:>10}   written {written}, duplicates skipped {dup}"
        )
        print(
            f"writer sessions        {math.ceil(args.docs / args.append):>10}   of {args.append} docs, {args.sites} sites, {args.days} days"
        )
        print(f"write throughput       {written / write_s:>10.0f} docs/s  ({write_s:.1f} s)")
        print(
            f"peak RSS while writing {peak:>10.0f} MB   (RSS {rss_start:.0f} MB before, {rss_samples[0]:.0f} after first session, {rss_samples[-1]:.0f} after last)"
        )
        print(f"files before compaction{files_before:>10}   in {len(parts)} partitions x 2 tables")
        print(
            f"files after compaction {result.files_after:>10}   ({compact_s:.1f} s; worst partition {worst:.2f} x its 128 MB allowance)"
        )
        print(f"size on disk           {size / 2**20:>10.1f} MB")
        print(
            f"load_documents(1 site, last 7 days) {t_filtered * 1000:8.1f} ms  {len(small):>7} rows"
        )
        print(f"pd.read_parquet(documents) full     {t_full * 1000:8.1f} ms  {len(full):>7} rows")
        print(f"ratio full / filtered               {t_full / t_filtered:8.1f} x   (target >= 10)")
    finally:
        if args.path is None:
            shutil.rmtree(root.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
