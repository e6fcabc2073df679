"""Shared builders for the output tests: synthetic bilingual documents and small datasets.

Deterministic: content depends only on the arguments.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cleaners.document import Document, Segment
from output import DatasetWriter

BASE_TIME = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


def make_doc(
    i: int, *, site: str = "news.example.net", revision: int = 0, n_segments: int = 3
) -> Document:
    """A document with Arabic and English segments; `revision` changes its content."""
    segs = []
    for p in range(n_segments):
        if p % 2 == 0:
            segs.append(
                Segment(
                    f"خبر رقم {i} الفقرة {p} نسخة {revision}", "paragraph", "ar", 0.99, "arabic"
                )
            )
        else:
            segs.append(
                Segment(
                    f"Story {i} paragraph {p} rev {revision}",
                    "heading" if p == 1 else "quote",
                    "en",
                    0.875,
                    "latin",
                )
            )
    return Document(
        url=f"https://{site}/a/{i}",
        title=f"Title {i} عنوان",
        authors=("Alice", "بشير"),
        published_at=BASE_TIME - timedelta(hours=i),
        modified_at=None if i % 2 else BASE_TIME,
        section="world",
        tags=("politics", "سياسة"),
        description=f"desc {i}",
        canonical_url=f"https://{site}/a/{i}?c=1",
        site_name="Example",
        page_lang="ar",
        dir="rtl",
        image_url=f"https://{site}/img/{i}.jpg",
        main_lang="ar" if i % 3 else "en",
        segments=tuple(segs),
        dropped=(("link_density", 2), ("nav", 5)),
        lang_chars=(("ar", 120 + i), ("en", 40)),
    )


def write_docs(
    root: Path,
    ids: range,
    *,
    site: str = "news.example.net",
    day_offset: int = 0,
    revision: int = 0,
    **kw: int,
) -> list[str | None]:
    """One writer session adding documents `ids`, fetched `day_offset` days after BASE_TIME."""
    out = []
    with DatasetWriter(root, **kw) as w:
        for i in ids:
            out.append(
                w.add(
                    make_doc(i, site=site, revision=revision),
                    site=site,
                    fetched_at=BASE_TIME + timedelta(days=day_offset, minutes=i),
                    status=200,
                    final_url=f"https://{site}/a/{i}/",
                    warc_ref=f"warc/{i}.warc.gz:{i * 100}",
                )
            )
    return out


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """Two sites over three days, 10 documents per site and day."""
    root = tmp_path / "data"
    for day in range(3):
        for site in ("news.example.net", "akhbar.example.org"):
            write_docs(root, range(day * 10, day * 10 + 10), site=site, day_offset=day)
    return root
