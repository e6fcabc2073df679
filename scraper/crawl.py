"""`scraper crawl`: one incremental, polite, resumable run over the configured sites.

The frontier (SQLite) is the memory between runs; a lock file keeps two runs off one data directory.
Document rows reach Parquet before their URLs are marked fetched, so a kill -9 loses nothing and a
rerun duplicates nothing (the writer drops a URL whose content hash is already stored).
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import json
import logging
import os
import random
import re
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from protego import Protego

from scraper.config import Config, SiteConfig, parse_duration
from scraper.discovery import parse_robots, parse_xml_links
from scraper.fetch import HTML_TYPES, FetchError, build_client, decode_page, fetch_response
from scraper.frontier import Frontier, UrlRow
from scraper.pipeline import PageWork, process_page, site_phrases
from scraper.politeness import HostGate, backoff_delay
from scraper.urls import host_of, normalize_url, trap_reason

if TYPE_CHECKING:  # imported when a run cleans: a fetch-only run needs neither (nor pandas)
    from cleaners import ProfileLearner
    from output import DatasetWriter
    from scraper.archive import WarcArchive

log = logging.getLogger("scraper.crawl")

#: Fetch failures worth another attempt (with backoff).
RETRYABLE = frozenset({"timeout", "connect", "truncated", "protocol"})
#: Link verdicts remembered per site (cleared when full, so memory does not grow with the site).
ACCEPT_MEMO_SIZE = 50_000
#: hrefs whose resolution ignores the base: absolute http(s) URLs, and other schemes
#: (mailto:, javascript:, tel:), which urljoin returns untouched and the crawl always rejects.
_BASE_FREE = re.compile(r"(?i:https?://|(?!https?:)[a-z][a-z0-9+.-]*:)")
#: The scheme and authority of an absolute http(s) URL (urlsplit's netloc), when no tab or line
#: break (which urlsplit deletes before splitting) could move where the authority ends.
_AUTHORITY = re.compile(r"(?i:https?)://[^/?#\t\r\n]*(?=[/?#]|$)(?![^\t\r\n]*[\t\r\n])")
_OTHER_SCHEME = re.compile(r"(?!(?i:https?):)[a-zA-Z][a-zA-Z0-9+.-]*:")
#: Seconds between writer flushes (also bounded by `output.flush_every_docs`).
FLUSH_EVERY_S = 15.0
#: Buffered URL outcomes written in one transaction (the scheduler also writes them before it
#: reads the due URLs, so this only bounds what a kill -9 can lose).
STATE_BATCH = 256


class LockHeld(Exception):
    """Another crawl holds the data directory's lock."""


@dataclass(slots=True)
class CrawlOptions:
    """Run bounds and presentation."""

    sites: tuple[str, ...] = ()
    max_pages: int | None = None
    max_duration_s: float | None = None
    workers: int | None = None  # cleaning processes; 0 cleans in this process
    progress: bool = False
    #: False: fetch, follow links and keep the frontier, but clean and write nothing (the crawl
    #: benchmark's floor of our own stack). Link extraction then runs in this process.
    clean: bool = True


@dataclass(slots=True)
class CrawlSummary:
    """What a run did: namespaced counters (`fetch/status/200`, `urls/new`, `docs/new`, ...)."""

    stats: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    finished: float = 0.0
    completed: bool = False
    interrupted: bool = False

    @property
    def failures(self) -> int:
        """URLs that ended this run in state failed."""
        return sum(v for k, v in self.stats.items() if k.startswith("state/failed/"))

    @property
    def exit_code(self) -> int:
        """130 when interrupted, 1 when some URLs failed, else 0."""
        if self.interrupted:
            return 130
        return 1 if self.failures else 0

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form for `--log-format json`."""
        return {
            "event": "crawl_summary",
            "seconds": round(self.finished - self.started, 3),
            "completed": self.completed,
            "interrupted": self.interrupted,
            "exit_code": self.exit_code,
            "stats": dict(sorted(self.stats.items())),
        }

    def as_text(self) -> str:
        """A short human summary."""
        s = self.stats
        secs = self.finished - self.started
        lines = [
            f"crawl {'completed' if self.completed else 'stopped'} in {secs:.1f} s",
            f"  urls found (new)     {s['urls/new']}",
            f"  pages fetched        {s['fetch/ok']}",
            f"  not modified (304)   {s['fetch/not-modified']}",
            f"  new documents        {s['docs/new']}",
            f"  unchanged documents  {s['docs/unchanged']}",
            f"  robots denied        {s['state/denied']}",
            f"  gone (404/410)       {s['state/gone']}",
            f"  retries scheduled    {s['fetch/retry']}",
        ]
        fails = sorted(
            (k.removeprefix("state/failed/"), v)
            for k, v in s.items()
            if k.startswith("state/failed/")
        )
        lines.append(f"  failures             {sum(v for _, v in fails)}")
        lines += [f"    {k:<20} {v}" for k, v in fails]
        skipped = sorted(
            (k.removeprefix("urls/skipped/"), v)
            for k, v in s.items()
            if k.startswith("urls/skipped/")
        )
        if skipped:
            lines.append("  urls not queued      " + ", ".join(f"{k} {v}" for k, v in skipped))
        dropped = sorted(
            (
                (k.removeprefix("clean/dropped/"), v)
                for k, v in s.items()
                if k.startswith("clean/dropped/")
            ),
            key=lambda kv: -kv[1],
        )[:8]
        if dropped:
            lines.append("  cleaner dropped      " + ", ".join(f"{k} {v}" for k, v in dropped))
        return "\n".join(lines)


@contextmanager
def data_lock(state_dir: Path) -> Iterator[None]:
    """Hold the crawl lock of a data directory; LockHeld if another process has it.

    An flock dies with its process, so a kill -9 never leaves a stale lock behind.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "crawl.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise LockHeld(
                f"another crawl (pid {holder}) is running on {state_dir.parent}"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def run_crawl(cfg: Config, opts: CrawlOptions) -> CrawlSummary:
    """Run one crawl under the data directory's lock (LockHeld if another run has it).

    SIGINT/SIGTERM arriving before the event loop takes them over (while starting up) still mean
    a graceful stop, never a kill halfway through opening the dataset.
    """
    early: list[int] = []
    previous: dict[signal.Signals, object] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda signum, _frame: early.append(signum))
    try:
        with data_lock(cfg.state_path):
            crawl = Crawl(cfg, opts)
            crawl.early_signals = early
            return asyncio.run(crawl.run())
    finally:
        for prev_sig, handler in previous.items():
            signal.signal(prev_sig, handler)  # type: ignore[arg-type]


class Crawl:
    """One run: seeds, schedules, fetches, hands pages to the cleaning pool, writes, records."""

    def __init__(self, cfg: Config, opts: CrawlOptions) -> None:
        self.cfg = cfg
        self.opts = opts
        self.sites = [s for s in cfg.sites if not opts.sites or s.name in opts.sites]
        self.summary = CrawlSummary()
        self.stats = self.summary.stats
        self.frontier = Frontier(cfg.state_path / "frontier.sqlite")
        self.gates: dict[str, HostGate] = {}
        self.robots: dict[str, Protego | None] = {}
        self.robots_locks: dict[str, asyncio.Lock] = {}
        self.accept_memo: dict[str, dict[object, tuple[str | None, str | None]]] = {}
        #: Per site: "scheme://authority" -> whether such URLs are surely off site (see `_judge`).
        self.off_site_memo: dict[str, dict[str, bool]] = {}
        #: Per site: absolute hrefs already queued (or off site) this run; see `_discover_links`.
        self.settled: dict[str, set[str]] = {}
        self.pending: list[dict[str, object]] = []
        self.archives: dict[str, WarcArchive] = {}
        #: URLs whose documents wait in the writer's buffer: done, but not yet recorded as fetched.
        self.awaiting_flush: set[str] = set()
        #: Other outcomes (no document behind them), written in batches by `_write_states`: a
        #: kill -9 loses at most these, and their URLs are simply fetched again.
        self.buffered: list[dict[str, object]] = []
        #: URLs of `buffered`, whose rows still say "queued": the scheduler writes the buffer
        #: before it reads what is due (or waits for a retry time), so none is handed out twice.
        self.held: set[str] = set()
        #: Links found on pages, queued in the same batches (before the states of their pages).
        self.found: list[tuple[str, str, str, int]] = []
        self.last_flush = time.monotonic()
        self.requests = 0
        self.rng = random.Random(0)
        self.learners: dict[str, ProfileLearner] = {}
        self.profiles: dict[str, str | None] = {}
        self.stopping = False
        #: Signals received before the loop's handlers were in place (see run_crawl).
        self.early_signals: list[int] = []
        self.deadline = (time.monotonic() + opts.max_duration_s) if opts.max_duration_s else None
        self.progress: tuple[Any, Any] | None = None
        #: The dataset writer, opened by `run` when the run cleans.
        self.writer: DatasetWriter | None = None

    # ---- run -------------------------------------------------------------------------------
    async def run(self) -> CrawlSummary:
        self.summary.started = time.time()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_stop, sig)
        for early in self.early_signals:
            self.request_stop(early)
        run_id = self.frontier.start_run()
        workers = self.opts.workers if self.opts.workers is not None else (os.cpu_count() or 1)
        pool: Executor | None = ProcessPoolExecutor(max_workers=workers) if workers > 0 else None
        self.global_sem = asyncio.Semaphore(self.cfg.http.concurrency)
        if self.opts.clean:
            from output import DatasetWriter

            self.writer = DatasetWriter(self.cfg.data_path)
        self.pool = pool
        client = build_client(self.cfg.http)
        assert isinstance(client, httpx.AsyncClient)
        self.client = client
        completed = False
        try:
            with self._progress_bar():
                for site in self.sites:
                    if self.opts.clean:
                        self._load_profile(site)
                    self._seed(site)
                results = await asyncio.gather(*(self._run_site(s) for s in self.sites))
                completed = all(results) and not self.stopping
        finally:
            await client.aclose()
            self._flush()
            if self.writer is not None:
                self.writer.close()
            for archive in self.archives.values():
                archive.close()
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            if completed and self.opts.clean:  # a fetch-only run learns nothing
                for site in self.sites:
                    self._save_profile(site)
            self.frontier.finish_run(run_id, completed=completed)
            self.frontier.close()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
        self.summary.completed = completed
        self.summary.finished = time.time()
        return self.summary

    def request_stop(self, sig: int | None = None) -> None:
        """Stop scheduling new fetches; what is in flight finishes and is written."""
        if not self.stopping:
            log.warning(
                "stop requested%s: finishing what is in flight", f" (signal {sig})" if sig else ""
            )
        self.stopping = True
        if sig is not None:
            self.summary.interrupted = True

    def _bounded(self) -> bool:
        if self.stopping:
            return True
        if self.opts.max_pages is not None and self.requests >= self.opts.max_pages:
            return True
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return True
        return False

    # ---- seeding ---------------------------------------------------------------------------
    def _seed(self, site: SiteConfig) -> None:
        items = []
        for u in site.start_urls:
            items.append((normalize_url(u), site.name, "hub", 0))
        for u in site.sitemaps:
            items.append((normalize_url(u), site.name, "sitemap", 0))
        for u in site.feeds:
            items.append((normalize_url(u), site.name, "feed", 0))
        self.stats["urls/new"] += self.frontier.add(items)
        # Hubs, feeds and sitemaps are read again every run (conditionally, with validators).
        self.frontier.requeue(site.name, ("sitemap", "feed", "hub"))
        if site.refresh_after:
            window = parse_duration(site.refresh_after)
            self.frontier.refresh_articles(site.name, younger_than_s=window, every_s=0)

    # ---- per-site scheduler ------------------------------------------------------------------
    async def _run_site(self, site: SiteConfig) -> bool:
        """Fetch the site's due URLs until none are left or the run is bounded; True if it ran dry."""
        cap = max(2, self.cfg.http.per_host_concurrency * 4)
        if not self.opts.clean:
            # Without cleaning no URL waits for a worker process: URLs beyond the concurrency
            # would only queue on the semaphore, and that costs httpx's pool (measured, the same
            # fetch loop: 32 fetchers on 8 connections 6.1 s, 8 fetchers 5.0 s).
            cap = max(2, min(cap, self.cfg.http.concurrency))
        in_flight: set[str] = set()
        # Long-lived workers take URLs from `todo` and report to `finished`: a new task per URL
        # costs httpx/anyio per-task set-up (measured, a bare fetch loop over the bench site on
        # 8 connections: 8 workers 5.0 s, a task per URL 6.6-7.1 s).
        todo: asyncio.Queue[UrlRow] = asyncio.Queue()
        finished: deque[tuple[str, Exception | None]] = deque()
        wake = asyncio.Event()

        async def worker() -> None:
            while True:
                row = await todo.get()
                error: Exception | None = None
                try:
                    await self._handle(site, row)
                except Exception as exc:  # recorded below as the URL's internal error
                    error = exc
                finished.append((row.url, error))
                wake.set()

        workers = [asyncio.create_task(worker()) for _ in range(cap)]
        try:
            return await self._schedule(site, cap, in_flight, todo, finished, wake)
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _schedule(
        self,
        site: SiteConfig,
        cap: int,
        in_flight: set[str],
        todo: asyncio.Queue[UrlRow],
        finished: deque[tuple[str, Exception | None]],
        wake: asyncio.Event,
    ) -> bool:
        # Due URLs are read in batches: the ordered query sorts every queued URL of the site, so
        # asking once per finished fetch made the scheduler cost grow with the frontier.
        ready: deque[UrlRow] = deque()
        batch = max(64, cap * 4)
        epoch = self.frontier.discovery_added
        while True:
            if not self._bounded() and len(in_flight) < cap:
                # New sitemaps, feeds or hubs were queued: they go before the held batch.
                if not ready or epoch != self.frontier.discovery_added:
                    # The frontier answers for what it holds: buffered outcomes and links first.
                    self._write_states()
                    epoch = self.frontier.discovery_added
                    ready.clear()
                    waiting = self.awaiting_flush
                    busy = len(in_flight) + len(waiting)
                    ready.extend(
                        r
                        for r in self.frontier.due(
                            site.name, ("sitemap", "feed", "hub", "article"), batch + busy
                        )
                        if r.url not in in_flight and r.url not in waiting
                    )
                while ready and len(in_flight) < cap and not self._bounded():
                    row = ready.popleft()
                    self.requests += 1
                    in_flight.add(row.url)
                    todo.put_nowait(row)
            if not in_flight:
                if self.awaiting_flush:
                    self._flush()  # their URLs are done: record them before asking what is due
                    continue
                if self.held or self.found:
                    self._write_states()  # retry times must be stored before next_due_at reads them
                    continue
                if self._bounded():
                    return False
                nxt = self.frontier.next_due_at(site.name)
                if nxt is None:
                    return True
                wait = nxt - time.time()
                if wait > 60 or (
                    self.deadline is not None and time.monotonic() + wait > self.deadline
                ):
                    return False  # retries due later are left queued for the next run
                await asyncio.sleep(max(0.05, wait))
                continue
            if not finished:
                wake.clear()
                await wake.wait()
            while finished:
                url, exc = finished.popleft()
                in_flight.discard(url)
                if exc is not None:
                    log.error("internal error on %s: %r", url, exc)
                    self.stats["state/failed/internal-error"] += 1
                    self._record(
                        {"url": url, "state": "failed", "reason": f"internal-error: {exc!r}"[:500]}
                    )
            self._maybe_flush()

    # ---- one URL -----------------------------------------------------------------------------
    async def _handle(self, site: SiteConfig, row: UrlRow) -> None:
        host = host_of(row.url)
        robots = await self._robots(site, host)
        if robots is not None and not robots.can_fetch(row.url, self.cfg.http.user_agent):
            self.stats["state/denied"] += 1
            self._record({"url": row.url, "state": "denied", "reason": "robots.txt"})
            return
        headers: dict[str, str] = {}
        if row.etag:
            headers["If-None-Match"] = row.etag
        if row.last_modified:
            headers["If-Modified-Since"] = row.last_modified
        try:
            async with self.global_sem, self._gate(site, host, robots):
                raw = await fetch_response(
                    self.client,
                    row.url,
                    max_bytes=self.cfg.http.max_bytes,
                    headers=headers or None,
                    allow_not_modified=bool(headers),
                    html_only=row.kind == "article",
                )
        except FetchError as exc:
            self._failed(row, exc)
            return
        self._advance_progress()
        self.stats[f"fetch/status/{raw.status}"] += 1
        update: dict[str, object] = {
            "url": row.url,
            "status": raw.status,
            "fetched_at": time.time(),
            "reason": None,
            "etag": raw.headers.get("etag"),
            "last_modified": raw.headers.get("last-modified"),
        }
        if raw.status == 304:
            self.stats["fetch/not-modified"] += 1
            update.update(state="not-modified", etag=row.etag, last_modified=row.last_modified)
            self._record(update)
            return
        self.stats["fetch/ok"] += 1
        final = raw.final_url
        if final != row.url and host_of(final) not in site.allowed_hosts:
            self.stats["state/skipped/off-site-redirect"] += 1
            self._record(
                {**update, "state": "skipped", "reason": f"redirected off site to {final}"}
            )
            return
        if row.kind in ("sitemap", "feed") or "xml" in raw.mime and raw.mime not in HTML_TYPES:
            # A linked feed or sitemap found as an <a href> is read as what it is.
            self._discover_xml(site, row, raw.body)
            self._record({**update, "state": "fetched"})
            return
        if raw.mime and raw.mime not in HTML_TYPES:
            self._failed(
                row, FetchError("not-html", f"content type is {raw.mime!r}, not HTML", url=row.url)
            )
            return
        try:
            page = decode_page(raw)
        except FetchError as exc:
            self._failed(row, exc)
            return
        work = PageWork(
            page.text,
            row.url,
            row.kind == "article",
            tuple(site.languages),
            site_phrases(self.cfg, site),
            self.profiles.get(site.name),
            self.opts.clean,
            self.cfg.cleaner.min_letters,
        )
        if self.opts.clean:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self.pool, process_page, work)
        else:
            # Link extraction alone (~0.5 ms a page) costs less than shipping the page to a worker
            # (measured: 15.3 s with two workers against 12.7 s in-process on the bench site).
            result = process_page(work)
        if not result.links.nofollow and row.depth < site.max_depth:
            self._discover_links(site, row, final, result.links.links, result.links.feeds)
        canonical = self._canonical(site, final, result.links.canonical)
        if result.is_article and canonical is not None and canonical != row.url:
            self.found.append((canonical, site.name, "article", row.depth))
            self.stats["state/skipped/non-canonical"] += 1
            self._record({**update, "state": "skipped", "reason": f"canonical is {canonical}"})
            return
        if not result.is_article:
            self._record({**update, "state": "fetched"})
            return
        if row.kind != "article":
            update["kind"] = "article"  # the page says so: stored with its outcome
        if result.doc is None:  # fetch-only mode (CrawlOptions.clean=False): nothing to write
            self.stats["docs/not-cleaned"] += 1
            self._record({**update, "state": "fetched"})
            return
        doc = result.doc
        for reason, n in doc.dropped:
            self.stats[f"clean/dropped/{reason}"] += n
        self.learners[site.name].add_keys(result.keys)
        if not doc.segments:
            self.stats["docs/empty"] += 1
            self._record(
                {**update, "state": "fetched", "reason": f"no article text ({doc.empty_reason})"}
            )
            return
        if doc.content_hash == row.content_hash:
            self.stats["docs/unchanged"] += 1
            self._record({**update, "state": "fetched", "content_hash": doc.content_hash})
            return
        warc_ref = None
        if self.cfg.output.warc:
            archive = self.archives.get(site.name)
            if archive is None:
                from scraper.archive import WarcArchive

                archive = self.archives[site.name] = WarcArchive(self.cfg.data_path, site.name)
            warc_ref = archive.write_response(
                row.url, raw.status, _reason(raw.status), raw.headers, raw.body, raw.fetched_at
            )
        assert self.writer is not None  # documents exist only when the run cleans
        doc_id = self.writer.add(
            doc,
            site=site.name,
            fetched_at=raw.fetched_at.astimezone(UTC),
            status=raw.status,
            final_url=final,
            warc_ref=warc_ref,
        )
        self.stats["docs/new" if doc_id else "docs/unchanged"] += 1
        # Recorded only after the writer has flushed the row: see the module docstring.
        self.pending.append({**update, "state": "fetched", "content_hash": doc.content_hash})
        self.awaiting_flush.add(row.url)

    def _failed(self, row: UrlRow, exc: FetchError) -> None:
        state = exc.state
        status = exc.status
        if status is not None:
            self.stats[f"fetch/status/{status}"] += 1
        if status in (404, 410):
            self.stats["state/gone"] += 1
            self._record(
                {
                    "url": row.url,
                    "state": "gone",
                    "status": status,
                    "reason": str(exc),
                    "fetched_at": time.time(),
                }
            )
            return
        retryable = state in RETRYABLE or status == 429 or (status is not None and status >= 500)
        attempts = row.attempts + 1
        if retryable and attempts <= self.cfg.http.retries:
            delay = backoff_delay(
                attempts, self.cfg.http.backoff_s, retry_after=exc.retry_after, rng=self.rng
            )
            self.stats["fetch/retry"] += 1
            log.info("retry %d for %s in %.1f s (%s)", attempts, row.url, delay, exc)
            self._record(
                {
                    "url": row.url,
                    "state": "queued",
                    "attempts": attempts,
                    "status": status,
                    "next_at": time.time() + delay,
                    "reason": str(exc),
                }
            )
            return
        key = f"http-{status}" if state == "http-error" else state
        self.stats[f"state/failed/{key}"] += 1
        log.warning("failed %s: %s", row.url, exc)
        self._record(
            {
                "url": row.url,
                "state": "failed",
                "attempts": attempts,
                "status": status,
                "reason": str(exc),
                "fetched_at": time.time(),
            }
        )

    # ---- discovery ---------------------------------------------------------------------------
    def _accept(self, site: SiteConfig, url: str, base: str | None = None) -> str | None:
        # Every page repeats the site's menus and boxes (~145 links a page here), and judging a
        # link is the crawl's main CPU cost; the verdict is memoised per site, keyed by the href
        # alone when it is absolute (then the base cannot change it: urljoin returns it as is).
        memo = self.accept_memo.get(site.name)
        if memo is None:
            memo = self.accept_memo[site.name] = {}
        verdict = memo.get(url)  # the common case: an absolute href seen before, as written
        if verdict is None:
            stripped = url.strip()
            key: object
            if stripped.startswith("#"):
                key = (base,)  # a same-page anchor is the page itself (fragments are dropped)
            elif _BASE_FREE.match(stripped):
                # Nor does a fragment change the verdict: ".../story/#respond" is ".../story/".
                key = url.partition("#")[0]
            else:
                key = (stripped, base)
            verdict = memo.get(key)
        if verdict is None:
            verdict = self._judge(site, url, base)
            if len(memo) >= ACCEPT_MEMO_SIZE:
                memo.clear()  # bounded: memory stays flat however big the site is
            memo[key] = verdict
        norm, skipped = verdict
        if skipped:
            self.stats[skipped] += 1
        return norm

    def _judge(self, site: SiteConfig, url: str, base: str | None) -> tuple[str | None, str | None]:
        """(normal form or None, the stats key of the reason it was skipped or None)."""
        stripped = url.strip()
        # Share buttons name the page they share, so each page has its own: their verdict
        # depends on the scheme and authority alone, remembered per site.
        authority = _AUTHORITY.match(stripped)
        if authority is not None:
            memo = self.off_site_memo.setdefault(site.name, {})
            off = memo.get(authority[0])
            if off is None:
                off = memo[authority[0]] = _off_site(authority[0], site.allowed_hosts)
                if len(memo) >= ACCEPT_MEMO_SIZE:
                    memo.clear()
        else:
            off = _off_site(stripped, site.allowed_hosts)
        if off:
            return None, None  # share buttons and the like: not worth normalising
        if _OTHER_SCHEME.match(stripped):
            return None, "urls/skipped/bad-url"  # mailto:, javascript:: what normalize_url says
        try:
            norm = normalize_url(url, base)
        except ValueError:  # UrlRejected, or urljoin's own (an unclosed "[" of an IPv6 host)
            return None, "urls/skipped/bad-url"
        if host_of(norm) not in site.allowed_hosts:
            return None, None
        trap = trap_reason(norm)
        if trap:
            return None, f"urls/skipped/{trap}"
        if site.include and not any(_search(p, norm) for p in site.include):
            return None, "urls/skipped/not-included"
        if any(_search(p, norm) for p in site.exclude):
            return None, "urls/skipped/excluded"
        return norm, None

    def _kind(self, site: SiteConfig, url: str, default: str) -> str:
        if site.article_patterns:
            return "article" if any(_search(p, url) for p in site.article_patterns) else "hub"
        return default

    def _discover_links(
        self, site: SiteConfig, row: UrlRow, base: str, links: list[str], feeds: list[str]
    ) -> None:
        # Most hrefs of a page were settled on earlier pages (menus, boxes, latest-news lists):
        # absolute ones whose page is already queued, or that lead off site, need no look at all.
        # Hrefs skipped for a counted reason never enter `settled`: every occurrence is counted.
        settled = self.settled.get(site.name)
        if settled is None:
            settled = self.settled[site.name] = set()
        elif len(settled) >= ACCEPT_MEMO_SIZE:
            settled.clear()  # bounded, like the verdict memo
        memo = self.accept_memo.setdefault(site.name, {})  # the dict `_accept` fills
        items = []
        seen: set[str] = set()
        depth = row.depth + 1
        for href in [h for h in links if h not in settled] if settled else links:
            norm = self._accept(site, href, base)
            if norm is None:
                verdict = memo.get(href)
                if verdict is not None and verdict[1] is None:
                    settled.add(href)  # off site: nothing to queue, nothing to count
                continue
            if norm not in seen:
                seen.add(norm)
                items.append((norm, site.name, self._kind(site, norm, "hub"), depth))
            if href in memo:
                settled.add(href)  # absolute (memoised as written): queued below, for good
        for href in feeds:
            norm = self._accept(site, href, base)
            if norm and norm not in seen:
                seen.add(norm)
                items.append((norm, site.name, "feed", row.depth))
        self.found.extend(items)

    def _discover_xml(self, site: SiteConfig, row: UrlRow, body: bytes) -> None:
        found = parse_xml_links(body)
        if found.error:
            self.stats["discovery/xml-error"] += 1
            log.warning("cannot read %s: %s", row.url, found.error)
        items = []
        lastmods: dict[str, str] = {}
        for sm in found.sitemaps:
            norm = self._accept(site, sm, row.url)
            if norm:
                items.append((norm, site.name, "sitemap", row.depth))
        for url, lastmod in found.pages:
            norm = self._accept(site, url, row.url)
            if norm:
                items.append((norm, site.name, self._kind(site, norm, "article"), row.depth + 1))
                if lastmod:
                    lastmods[norm] = lastmod
        if items:
            self.stats["urls/new"] += self.frontier.add(items, lastmods=lastmods)
        # An article whose sitemap or feed date changed since the last reading is fetched again.
        self.stats["urls/changed"] += len(
            self.frontier.note_lastmods(lastmods, since=self.summary.started)
        )

    def _canonical(self, site: SiteConfig, final: str, canonical: str | None) -> str | None:
        if not canonical:
            return None
        try:
            norm = normalize_url(canonical, final)
        except ValueError:  # UrlRejected, or urljoin's own on a malformed IPv6 host
            return None
        return norm if host_of(norm) in site.allowed_hosts and trap_reason(norm) is None else None

    # ---- robots and politeness ---------------------------------------------------------------
    async def _robots(self, site: SiteConfig, host: str) -> Protego | None:
        if host in self.robots:
            return self.robots[host]
        lock = self.robots_locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host in self.robots:
                return self.robots[host]
            scheme = (
                "https"
                if any(u.startswith("https://") and host_of(u) == host for u in site.start_urls)
                else "http"
            )
            port_url = next(
                (u for u in site.start_urls if host_of(u) == host), f"{scheme}://{host}/"
            )
            robots_url = normalize_url("/robots.txt", port_url)
            parsed: Protego | None
            try:
                async with self.global_sem:
                    raw = await fetch_response(self.client, robots_url, max_bytes=500_000)
                parsed = parse_robots(raw.body.decode("utf-8", "replace"))
                self.stats["robots/ok"] += 1
            except FetchError as exc:
                if exc.status is not None and 400 <= exc.status < 500:
                    parsed = None  # no robots.txt: everything is allowed
                    self.stats["robots/missing"] += 1
                else:
                    # Unreachable robots.txt: treat the host as closed for this run (RFC 9309 2.3.1.4).
                    parsed = parse_robots("User-agent: *\nDisallow: /\n")
                    self.stats["robots/unavailable"] += 1
                    log.warning(
                        "robots.txt of %s unavailable (%s): not crawling it this run", host, exc
                    )
            self.robots[host] = parsed
            if parsed is not None:
                sitemaps = []
                for sm in parsed.sitemaps:
                    norm = self._accept(site, sm, robots_url)
                    if norm:
                        sitemaps.append((norm, site.name, "sitemap", 0))
                if sitemaps:
                    self.stats["urls/new"] += self.frontier.add(sitemaps)
            return parsed

    def _gate(self, site: SiteConfig, host: str, robots: Protego | None) -> HostGate:
        gate = self.gates.get(host)
        if gate is None:
            delay = site.delay_s if site.delay_s is not None else self.cfg.http.delay_s
            if robots is not None:
                crawl_delay = robots.crawl_delay(self.cfg.http.user_agent)
                if crawl_delay:
                    delay = max(delay, float(crawl_delay))
            gate = HostGate(self.cfg.http.per_host_concurrency, delay)
            self.gates[host] = gate
        return gate

    # ---- state -------------------------------------------------------------------------------
    def _record(self, update: dict[str, object]) -> None:
        # Buffered: one transaction per batch, not per URL (see `_write_states`).
        self.buffered.append(update)
        self.held.add(update["url"])  # type: ignore[arg-type]

    def _write_states(self) -> None:
        """Write the buffered links and outcomes, links first: a page never counts as done
        before the links found on it are queued."""
        if self.found:
            found, self.found = self.found, []
            self.stats["urls/new"] += self.frontier.add(found)
        if self.buffered:
            buffered, self.buffered = self.buffered, []
            self.frontier.record(buffered)
            self.held.clear()

    def _maybe_flush(self) -> None:
        if (
            len(self.pending) >= self.cfg.output.flush_every_docs
            or time.monotonic() - self.last_flush > FLUSH_EVERY_S
        ):
            self._flush()
        elif len(self.buffered) >= STATE_BATCH:
            self._write_states()

    def _flush(self) -> None:
        # Archive records first, then the rows that reference them, then the frontier states.
        for archive in self.archives.values():
            archive.flush()
        if self.writer is not None:
            self.writer.flush()
        self._write_states()
        if self.pending:
            self.frontier.record(self.pending)
            self.pending = []
            self.awaiting_flush.clear()
        self.last_flush = time.monotonic()

    def _profile_path(self, site: SiteConfig) -> Path:
        return self.cfg.state_path / "profiles" / f"{site.name}.json"

    def _load_profile(self, site: SiteConfig) -> None:
        from cleaners import ProfileLearner

        path = self._profile_path(site)
        learner = None
        if path.exists():
            try:
                learner = ProfileLearner.from_json(path.read_text(encoding="utf-8"))
            except (ValueError, KeyError, OSError) as exc:
                log.warning("ignoring unreadable site profile %s: %s", path, exc)
        if learner is None:
            learner = ProfileLearner(
                site.name,
                min_pages=self.cfg.cleaner.profile_min_pages,
                min_share=self.cfg.cleaner.profile_min_share,
            )
        self.learners[site.name] = learner
        profile = learner.profile()
        # Only a profile learned in earlier, completed runs applies: a run's output never depends
        # on the order its own pages arrived in.
        self.profiles[site.name] = profile.to_json() if profile.applies else None

    def _save_profile(self, site: SiteConfig) -> None:
        path = self._profile_path(site)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(self.learners[site.name].to_json(), encoding="utf-8")
        os.replace(tmp, path)

    # ---- progress ----------------------------------------------------------------------------
    @contextmanager
    def _progress_bar(self) -> Iterator[None]:
        if not self.opts.progress:
            yield
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            TextColumn("crawl"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[info]}"),
            transient=False,
        ) as progress:
            self.progress = (
                progress,
                progress.add_task("crawl", total=self.opts.max_pages, info=""),
            )
            yield
            self.progress = None

    def _advance_progress(self) -> None:
        if self.progress is not None:
            progress, task = self.progress
            progress.update(task, advance=1, info=f"docs {self.stats['docs/new']}")


def _off_site(url: str, allowed_hosts: list[str]) -> bool:
    """True for an absolute http(s) URL whose ASCII host is not allowed: the verdict the full
    normalisation would reach (its host is the lower-cased hostname), for a fraction of the cost.
    False whenever unsure, so the full path decides (and counts malformed URLs)."""
    if not url[:8].lower().startswith(("http://", "https://")):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a malformed port must reach the full path: it is counted there)
    except ValueError:
        return False
    host = (parts.hostname or "").rstrip(".")
    return bool(host) and host.isascii() and host not in allowed_hosts


def _search(pattern: str, url: str) -> bool:
    # `re` caches compiled patterns; config validation already proved they compile.
    return re.search(pattern, url) is not None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def summary_json(summary: CrawlSummary) -> str:
    """The summary as one JSON line."""
    return json.dumps(summary.as_dict(), ensure_ascii=False)
