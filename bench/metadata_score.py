"""Score `extract_metadata` against pages with expected metadata (Readability's test-page layout).

Each page is a folder holding `source.html` and `expected-metadata.json`; run as a script for a table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from cleaners.metadata import PageMetadata, extract_metadata, parse_date

DEFAULT_PAGES = Path("/work/shared/devdata/readability-test-pages")

#: Expected-metadata key -> our field, in table order.
FIELDS = ("title", "publishedTime", "byline", "lang", "dir", "siteName")

_PUNCT_ENDS = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)


def normalise(text: str) -> str:
    """Casefold, NFKC, collapse whitespace, strip punctuation at both ends."""
    t = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return _PUNCT_ENDS.sub("", t)


def _title_ok(expected: str, ours: PageMetadata) -> bool:
    return bool(ours.title) and normalise(expected) == normalise(ours.title or "")


def _published_ok(expected: str, ours: PageMetadata) -> bool:
    want: datetime | None = parse_date(expected)
    return want is not None and ours.published_at is not None and want == ours.published_at


def _byline_ok(expected: str, ours: PageMetadata) -> bool:
    want = normalise(expected)
    for author in ours.authors:
        got = normalise(author)
        if got and (got in want or want in got):
            return True
    return False


def _lang_ok(expected: str, ours: PageMetadata) -> bool:
    return normalise(expected) == normalise(ours.page_lang or "")


def _dir_ok(expected: str, ours: PageMetadata) -> bool:
    return expected.lower() == (ours.dir or "")


def _site_ok(expected: str, ours: PageMetadata) -> bool:
    return normalise(expected) == normalise(ours.site_name or "")


_CHECKS: dict[str, Callable[[str, PageMetadata], bool]] = {
    "title": _title_ok,
    "publishedTime": _published_ok,
    "byline": _byline_ok,
    "lang": _lang_ok,
    "dir": _dir_ok,
    "siteName": _site_ok,
}


def score_metadata(pages_dir: str | Path = DEFAULT_PAGES) -> dict[str, Any]:
    """Share of pages whose expected value we match, per field, over pages that have the field.

    Returns {field: {"pages": n, "right": k, "share": k / n, "misses": [page names]}}; a page
    counts for a field only when its expected value is a non-empty string.
    """
    result: dict[str, Any] = {
        f: {"pages": 0, "right": 0, "share": 0.0, "misses": []} for f in FIELDS
    }
    for folder in sorted(Path(pages_dir).iterdir()):
        source = folder / "source.html"
        expected_file = folder / "expected-metadata.json"
        if not (source.is_file() and expected_file.is_file()):
            continue
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        html = source.read_text(encoding="utf-8", errors="replace")
        ours = extract_metadata(LexborHTMLParser(html), None)
        for field in FIELDS:
            want = expected.get(field)
            if not isinstance(want, str) or not want.strip():
                continue
            row = result[field]
            row["pages"] += 1
            if _CHECKS[field](want, ours):
                row["right"] += 1
            else:
                row["misses"].append(folder.name)
    for row in result.values():
        row["share"] = row["right"] / row["pages"] if row["pages"] else 0.0
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the per-field table; `-v` lists the pages missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pages_dir", nargs="?", default=str(DEFAULT_PAGES))
    parser.add_argument("-v", "--verbose", action="store_true", help="list missed pages")
    args = parser.parse_args(argv)
    scores = score_metadata(args.pages_dir)
    print(f"{'field':<15}{'pages':>7}{'right':>7}{'share':>8}")
    for field, row in scores.items():
        print(f"{field:<15}{row['pages']:>7}{row['right']:>7}{row['share']:>8.1%}")
        if args.verbose and row["misses"]:
            print("    missed: " + ", ".join(row["misses"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
