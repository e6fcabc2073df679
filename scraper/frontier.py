"""The crawl frontier in SQLite: every URL with its state, attempts, validators and content hash.

WAL mode and one short transaction per change batch, so a kill -9 loses at most the uncommitted batch.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

#: URL kinds, in the order a run fetches them (discovery sources first).
KINDS = ("robots", "sitemap", "feed", "hub", "article")
#: URLs `Frontier.add` remembers as already written (cleared when full: memory stays flat).
TOUCHED_MEMO_SIZE = 100_000
#: States a URL can be in.
STATES = ("queued", "fetched", "not-modified", "failed", "denied", "gone", "skipped")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'queued',
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    lastmod TEXT,
    status INTEGER,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    fetched_at REAL,
    run_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS urls_due ON urls (site, state, next_at);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL,
    finished REAL,
    completed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(slots=True, frozen=True)
class UrlRow:
    """One frontier entry."""

    url: str
    site: str
    kind: str
    depth: int
    state: str
    attempts: int
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    fetched_at: float | None


class Frontier:
    """SQLite-backed URL store for one data directory (shared by all sites)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        #: URLs inserted or bumped by `add` through this object (bounded; see TOUCHED_MEMO_SIZE).
        self._touched: set[str] = set()
        #: New non-article URLs queued through this object: a scheduler holding a batch of due
        #: URLs re-reads the queue when this moves, so discovery URLs keep going first.
        self.discovery_added = 0

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def start_run(self) -> int:
        """Record the start of a run; returns its id."""
        cur = self.db.execute("INSERT INTO runs (started) VALUES (?)", (time.time(),))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, *, completed: bool) -> None:
        """Record the end of a run (completed: it ran out of work rather than being stopped)."""
        self.db.execute(
            "UPDATE runs SET finished = ?, completed = ? WHERE run_id = ?",
            (time.time(), int(completed), run_id),
        )

    def add(
        self, items: Iterable[tuple[str, str, str, int]], *, lastmods: dict[str, str] | None = None
    ) -> int:
        """Queue new URLs as (url, site, kind, depth); known URLs only get `last_seen` bumped.

        A URL already added or bumped through this Frontier object is skipped outright (its row
        cannot change: the insert is ignored and `last_seen` already says "seen this run"); hub
        pages repeat the same links hundreds of times. Returns how many were new.
        """
        now = time.time()
        new = 0
        touched = self._touched
        fresh = []
        batch: set[str] = set()  # a batch may name a URL twice: the first wins, as the insert would
        for it in items:
            if it[0] not in touched and it[0] not in batch:
                batch.add(it[0])
                fresh.append(it)
        if not fresh:
            return 0
        with self._tx():
            for url, site, kind, depth in fresh:
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO urls (url, site, kind, depth, first_seen, last_seen, lastmod)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (url, site, kind, depth, now, now, (lastmods or {}).get(url)),
                )
                if cur.rowcount:
                    new += 1
                    if kind != "article":
                        self.discovery_added += 1
                else:
                    self.db.execute("UPDATE urls SET last_seen = ? WHERE url = ?", (now, url))
        if len(self._touched) + len(fresh) > TOUCHED_MEMO_SIZE:
            self._touched.clear()  # bounded: a bigger site costs SQLite lookups, not memory
        self._touched.update(batch)
        return new

    def note_lastmods(self, lastmods: dict[str, str], *, since: float | None = None) -> list[str]:
        """Store the sitemap/feed dates of URLs; queue again the fetched ones whose date changed.

        Comparing a source's date with the newest one seen before (not with our clock) makes change
        detection immune to clock skew and to sites that backdate; an older date than the stored
        one (two sitemaps dating a page differently) changes nothing. With `since` (the run's start),
        a copy fetched during this run is already fresh and is not queued again: a site whose
        news sitemap and post sitemap date a page differently would otherwise have it fetched
        twice in one run. Returns the re-queued URLs.
        """
        changed: list[str] = []
        with self._tx():
            for url, lastmod in sorted(lastmods.items()):
                row = self.db.execute(
                    "SELECT lastmod, state, fetched_at FROM urls WHERE url = ?", (url,)
                ).fetchone()
                if row is None or row[0] == lastmod:
                    continue
                newer = _newer(lastmod, row[0])
                if newer is False:
                    continue  # an older date from another source (news vs post sitemap): keep ours
                fresh = since is not None and row[2] is not None and row[2] >= since
                if row[0] is not None and row[1] in ("fetched", "not-modified") and not fresh:
                    self.db.execute(
                        "UPDATE urls SET lastmod = ?, state = 'queued', attempts = 0, next_at = 0 WHERE url = ?",
                        (lastmod, url),
                    )
                    changed.append(url)
                else:
                    self.db.execute("UPDATE urls SET lastmod = ? WHERE url = ?", (lastmod, url))
        return changed

    def requeue(self, site: str, kinds: Iterable[str]) -> int:
        """Make every URL of these kinds due again (hubs, feeds and sitemaps are re-read each run)."""
        ks = tuple(kinds)
        marks = ",".join("?" * len(ks))
        with self._tx():
            cur = self.db.execute(
                f"UPDATE urls SET state = 'queued', attempts = 0, next_at = 0 WHERE site = ? AND kind IN ({marks})"
                " AND state IN ('fetched', 'not-modified', 'failed')",
                (site, *ks),
            )
        return cur.rowcount

    def refresh_articles(self, site: str, *, younger_than_s: float, every_s: float) -> int:
        """Queue articles first seen less than `younger_than_s` ago and last fetched over `every_s` ago."""
        now = time.time()
        with self._tx():
            cur = self.db.execute(
                "UPDATE urls SET state = 'queued', attempts = 0, next_at = 0 WHERE site = ? AND kind = 'article'"
                " AND state IN ('fetched', 'not-modified') AND first_seen > ? AND COALESCE(fetched_at, 0) < ?",
                (site, now - younger_than_s, now - every_s),
            )
        return cur.rowcount

    def due(self, site: str, kinds: tuple[str, ...], limit: int) -> list[UrlRow]:
        """Queued URLs of a site whose next attempt time has come, discovery kinds first, stable order."""
        marks = ",".join("?" * len(kinds))
        order = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS))
        rows = self.db.execute(
            "SELECT url, site, kind, depth, state, attempts, etag, last_modified, content_hash, fetched_at"
            f" FROM urls WHERE site = ? AND state = 'queued' AND next_at <= ? AND kind IN ({marks})"
            f" ORDER BY CASE kind {order} END, depth, first_seen, url LIMIT ?",
            (site, time.time(), *kinds, limit),
        ).fetchall()
        return [UrlRow(*r) for r in rows]

    def next_due_at(self, site: str) -> float | None:
        """The earliest next-attempt time among a site's queued URLs, or None if none are queued."""
        row = self.db.execute(
            "SELECT MIN(next_at) FROM urls WHERE site = ? AND state = 'queued'", (site,)
        ).fetchone()
        return row[0] if row and row[0] is not None else None

    def get(self, url: str) -> UrlRow | None:
        """The entry of one URL."""
        r = self.db.execute(
            "SELECT url, site, kind, depth, state, attempts, etag, last_modified, content_hash, fetched_at"
            " FROM urls WHERE url = ?",
            (url,),
        ).fetchone()
        return UrlRow(*r) if r else None

    def record(self, updates: Iterable[dict[str, object]]) -> None:
        """Write fetch outcomes: each dict has `url`, `state` and any of the columns to set."""
        with self._tx():
            for u in updates:
                cols = [k for k in u if k != "url"]
                sets = ", ".join(f"{k} = ?" for k in cols)
                self.db.execute(
                    f"UPDATE urls SET {sets} WHERE url = ?", (*[u[k] for k in cols], u["url"])
                )

    def set_kind(self, url: str, kind: str) -> None:
        """Reclassify a URL (a page that says it is an article, or a hub)."""
        self.db.execute("UPDATE urls SET kind = ? WHERE url = ?", (kind, url))

    def counts(self, site: str | None = None) -> dict[tuple[str, str], int]:
        """(kind, state) -> number of URLs, for one site or all."""
        q = "SELECT kind, state, COUNT(*) FROM urls"
        args: tuple[object, ...] = ()
        if site is not None:
            q += " WHERE site = ?"
            args = (site,)
        return {(k, s): n for k, s, n in self.db.execute(q + " GROUP BY kind, state", args)}

    def _tx(self) -> _Tx:
        return _Tx(self.db)


def _date_key(value: str) -> float | None:
    v = value.strip()
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(v)
        except (TypeError, ValueError, IndexError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _newer(new: str, old: str | None) -> bool | None:
    """Whether date `new` is later than `old`; None when either cannot be read (then: changed)."""
    if old is None:
        return None
    a, b = _date_key(new), _date_key(old)
    if a is None or b is None:
        return None
    return a > b


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def iter_chunks(items: list[UrlRow], size: int) -> Iterator[list[UrlRow]]:
    """Split a list into chunks of at most `size`."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
