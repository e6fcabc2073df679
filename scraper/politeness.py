"""Politeness: per-host concurrency and minimum delay between requests, plus retry backoff.

One `HostGate` per host; the crawl acquires it around every request to that host.
"""

from __future__ import annotations

import asyncio
import random
import time


class HostGate:
    """At most `concurrency` requests in flight to one host, started at least `delay_s` apart."""

    def __init__(self, concurrency: int, delay_s: float) -> None:
        self._sem = asyncio.Semaphore(concurrency)
        self._lock = asyncio.Lock()
        self.delay_s = delay_s
        self._next_start = 0.0

    async def __aenter__(self) -> HostGate:
        await self._sem.acquire()
        if self.delay_s > 0:
            async with self._lock:
                now = time.monotonic()
                wait = self._next_start - now
                self._next_start = max(now, self._next_start) + self.delay_s
            if wait > 0:
                await asyncio.sleep(wait)
        return self

    async def __aexit__(self, *_: object) -> None:
        self._sem.release()


def backoff_delay(
    attempt: int,
    base_s: float,
    *,
    retry_after: float | None = None,
    cap_s: float = 300.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number `attempt` (1-based): exponential with full jitter,
    never less than the server's Retry-After."""
    r = rng or random
    expo = min(cap_s, base_s * (2 ** (attempt - 1)))
    delay = expo / 2 + r.random() * expo / 2
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, cap_s) if retry_after is None else delay
