"""The `scraper` command: fetch one URL, crawl configured sites, run the demo, inspect the dataset.

Exit codes: 0 all good; 1 some pages failed (or `fetch` could not get the page); 2 config or usage
error; 3 another crawl holds the data directory's lock; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_CONFIG = 2
EXIT_LOCKED = 3
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scraper", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    f = sub.add_parser("fetch", help="fetch one URL and print the cleaned, language-tagged article")
    f.add_argument("url")
    f.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    f.add_argument("--save", action="store_true", help="append the document to the dataset")
    f.add_argument("--config", type=Path, help="config file (default: ./config.yaml if it exists)")
    f.add_argument("--data", type=Path, help="dataset folder (overrides output.path)")

    d = sub.add_parser(
        "demo", help="serve the bundled demo site on 127.0.0.1 and collect it into the dataset"
    )
    d.add_argument(
        "--data",
        type=Path,
        help="dataset folder (default: output.path of ./config.yaml, else ./data)",
    )
    d.add_argument("--config", type=Path, help="config file (default: ./config.yaml if it exists)")
    d.add_argument(
        "--articles", type=int, default=24, help="articles in the generated site (default 24)"
    )

    cr = sub.add_parser("crawl", help="crawl the configured sites once (what cron runs)")
    cr.add_argument(
        "--config",
        type=Path,
        default=Path("config.yaml"),
        help="config file (default ./config.yaml)",
    )
    cr.add_argument("--data", type=Path, help="dataset folder (overrides output.path)")
    cr.add_argument(
        "--site", action="append", default=[], metavar="NAME", help="only this site (repeatable)"
    )
    cr.add_argument("--max-pages", type=int, help="stop after this many page requests")
    cr.add_argument("--max-duration", help="stop after this long, e.g. 30m, 2h")
    cr.add_argument(
        "--workers", type=int, help="cleaning processes (default: one per core; 0: in-process)"
    )
    cr.add_argument("--log-format", choices=("text", "json"), default="text")
    cr.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    rc = sub.add_parser(
        "reclean", help="rebuild the dataset from the WARC archive with the current cleaner"
    )
    rc.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder of the rebuilt dataset (must not be the data path)",
    )
    rc.add_argument("--config", type=Path, help="config file (default: ./config.yaml if it exists)")
    rc.add_argument("--data", type=Path, help="dataset folder whose warc/ archive is read")

    s = sub.add_parser("stats", help="print a short summary of the dataset")
    s.add_argument("--data", type=Path)
    s.add_argument("--config", type=Path)

    c = sub.add_parser("compact", help="merge each partition's small files into few large ones")
    c.add_argument("--data", type=Path)
    c.add_argument("--config", type=Path)
    c.add_argument("--site", help="only this site's partitions")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `scraper` console script."""
    args = _parser().parse_args(argv)
    from scraper.config import ConfigError

    try:
        handler = {
            "fetch": _cmd_fetch,
            "crawl": _cmd_crawl,
            "demo": _cmd_demo,
            "stats": _cmd_stats,
            "reclean": _cmd_reclean,
            "compact": _cmd_compact,
        }
        return handler[args.command](args)
    except ConfigError as exc:
        print(f"scraper: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        print("scraper: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from scraper.config import load_config

    cfg = load_config(args.config, required=args.config is not None)
    if getattr(args, "data", None) is not None:
        cfg = cfg.model_copy(
            update={"output": cfg.output.model_copy(update={"path": args.data.resolve()})}
        )
    return cfg


def _cmd_fetch(args: argparse.Namespace) -> int:
    from scraper.fetch import FetchError, fetch_one
    from scraper.pipeline import clean_page, document_json, site_label

    cfg = _config(args)
    try:
        page = fetch_one(args.url, cfg.http)
    except FetchError as exc:
        print(f"scraper: cannot fetch {args.url}: {exc}", file=sys.stderr)
        return EXIT_FAILURES
    site = cfg.site_for_url(page.final_url)
    doc = clean_page(page, cfg, site)
    if args.json:
        print(
            json.dumps(
                document_json(doc, fetched_at=page.fetched_at, status=page.status),
                ensure_ascii=False,
            )
        )
    else:
        _print_document(doc)
    if args.save:
        from output import DatasetWriter
        from scraper.crawl import LockHeld, data_lock

        try:
            with data_lock(cfg.state_path), DatasetWriter(cfg.data_path) as writer:
                doc_id = writer.add(
                    doc,
                    site=site_label(page.final_url, site),
                    fetched_at=page.fetched_at,
                    status=page.status,
                    final_url=page.final_url,
                )
        except LockHeld as exc:
            print(f"scraper: not saved: {exc}; try again when it has finished", file=sys.stderr)
            return EXIT_LOCKED
        where = cfg.data_path
        msg = (
            f"saved as {doc_id} in {where}"
            if doc_id
            else f"unchanged since the last save; nothing written to {where}"
        )
        print(f"scraper: {msg}", file=sys.stderr)
    if not doc.segments:
        print(f"scraper: no article text found ({doc.empty_reason})", file=sys.stderr)
    return EXIT_OK


def _print_document(doc) -> None:  # type: ignore[no-untyped-def]
    print(f"# {doc.title or '(no title)'}")
    meta = [
        x
        for x in (
            doc.url,
            doc.published_at.isoformat() if doc.published_at else None,
            f"main language: {doc.main_lang}",
        )
        if x
    ]
    print(" · ".join(meta))
    if doc.authors:
        print("by " + ", ".join(doc.authors))
    print()
    for seg in doc.segments:
        print(f"[{seg.lang}] {seg.text}")
        print()


def setup_logging(fmt: str) -> None:
    """Plain log lines on stderr, or one JSON object a line for log shippers."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":

        class _Json(logging.Formatter):
            def format(self, record: logging.LogRecord) -> str:
                return json.dumps(
                    {
                        "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                        "level": record.levelname.lower(),
                        "logger": record.name,
                        "message": record.getMessage(),
                    },
                    ensure_ascii=False,
                )

        handler.setFormatter(_Json())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("scraper")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


def _cmd_crawl(args: argparse.Namespace) -> int:
    from scraper.config import ConfigError, parse_duration
    from scraper.crawl import CrawlOptions, LockHeld, run_crawl, summary_json

    setup_logging(args.log_format)
    cfg = _config(args)
    if not cfg.sites:
        raise ConfigError(f"{cfg.source}: no sites configured")
    for name in args.site:
        cfg.site(name)
    try:
        max_s = parse_duration(args.max_duration) if args.max_duration else None
    except ValueError as exc:
        raise ConfigError(f"--max-duration: {exc}") from None
    opts = CrawlOptions(
        sites=tuple(args.site),
        max_pages=args.max_pages,
        max_duration_s=max_s,
        workers=args.workers,
        progress=sys.stdout.isatty() and not args.no_progress and args.log_format == "text",
    )
    try:
        summary = run_crawl(cfg, opts)
    except LockHeld as exc:
        print(f"scraper: {exc}; not starting a second crawl", file=sys.stderr)
        return EXIT_LOCKED
    print(summary_json(summary) if args.log_format == "json" else summary.as_text())
    return summary.exit_code


def _cmd_demo(args: argparse.Namespace) -> int:
    from scraper.demo import run_demo

    cfg = _config(args)
    return run_demo(cfg, n_articles=args.articles)


def _cmd_reclean(args: argparse.Namespace) -> int:
    from scraper.config import ConfigError
    from scraper.pipeline import reclean

    cfg = _config(args)
    out = args.out.resolve()
    if out == cfg.data_path.resolve():
        raise ConfigError("--out must be a new folder, not the data path the archive belongs to")
    summary = reclean(cfg, out)
    for problem in summary.problems:
        print(f"scraper: {problem}", file=sys.stderr)
    print(
        f"re-cleaned {summary.records} archived pages into {out}: {summary.documents} documents, "
        f"{summary.duplicates} unchanged duplicates skipped"
    )
    return EXIT_FAILURES if summary.problems else EXIT_OK


def _cmd_stats(args: argparse.Namespace) -> int:
    from output import dataset_stats, format_stats

    cfg = _config(args)
    print(format_stats(dataset_stats(cfg.data_path)))
    return EXIT_OK


def _cmd_compact(args: argparse.Namespace) -> int:
    from output import compact
    from scraper.crawl import LockHeld, data_lock

    cfg = _config(args)
    try:
        with data_lock(cfg.state_path):
            result = compact(cfg.data_path, site=args.site)
    except LockHeld as exc:
        print(f"scraper: not compacting: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    print(
        f"compacted {result.compacted} of {result.partitions} partitions: files {result.files_before} -> "
        f"{result.files_after}, bytes {result.bytes_before:,} -> {result.bytes_after:,}; "
        f"{result.documents} documents and {result.segments} segments kept"
    )
    return EXIT_OK
