"""Boilerplate rules on segments: UI phrase lists (Arabic and English) and the learned site profile.

Both match on the normalised copy of a segment (`normalize_for_match`); stored text is never altered
except by cutting a whole leading or trailing UI phrase off a segment.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from cleaners.normalize import normalize_for_match

_TOKEN = re.compile("[\\w\u0610-\u061a\u064b-\u065f\u0670\u0640]+")
#: Punctuation that sets a UI phrase apart from the text it sits next to ("Read more »", "Share: ...").
_SEPARATORS = set(":|»«›‹•·–—-/>")
#: Characters read at each end of a long segment for the phrase check.
_END_WINDOW = 64


@dataclass(slots=True, frozen=True)
class PhraseRules:
    """A set of normalised UI phrases (each a tuple of normalised tokens)."""

    phrases: frozenset[tuple[str, ...]]
    longest: int
    #: First and last tokens of the phrases: a segment whose ends are neither cannot match.
    ends: frozenset[str] = frozenset()

    @classmethod
    def build(cls, extra: Iterable[str] = ()) -> PhraseRules:
        """The built-in Arabic and English lists plus `extra` phrases (from config)."""
        phrases = set(_builtin_phrases())
        for p in extra:
            key = tuple(normalize_for_match(p).split())
            if key:
                phrases.add(key)
        ends = frozenset(t for p in phrases for t in (p[0], p[-1]))
        return cls(frozenset(phrases), max((len(p) for p in phrases), default=0), ends)

    def match(self, text: str) -> tuple[str | None, str]:
        """Apply the rules to one segment.

        Returns (reason, kept_text): reason is "phrase" when the whole segment is UI phrases (kept_text
        is then ""), "phrase_affix" when a leading or trailing phrase was cut, else None.
        """
        head, tail = self._ends(text)
        if not head or (head[0] not in self.ends and tail[-1] not in self.ends):
            return None, text
        # Only a phrase at either end can match (see below): checked on the quick tokens before
        # the costlier tokenisation with offsets, which most segments ("Share" opening a sentence)
        # never need.
        phrases, top = self.phrases, min(self.longest, len(head), len(tail))
        if not any(tuple(head[:n]) in phrases for n in range(1, top + 1)) and not any(
            tuple(tail[-n:]) in phrases for n in range(1, top + 1)
        ):
            return None, text
        tokens = [
            (m.start(), m.end(), normalize_for_match(m.group())) for m in _TOKEN.finditer(text)
        ]
        tokens = [t for t in tokens if t[2]]
        if not tokens:
            return None, text
        keys = [t[2] for t in tokens]
        if self._covers(keys):
            return "phrase", ""
        start, end = 0, len(keys)
        # Strip leading phrases, longest first, as long as they match.
        while start < end:
            n = self._prefix_len(keys, start, end)
            if not n:
                break
            if start + n < end and not self._detached(text, tokens, start + n - 1, n, leading=True):
                break
            start += n
        while start < end:
            n = self._suffix_len(keys, start, end)
            if not n:
                break
            if end - n > start and not self._detached(text, tokens, end - n, n, leading=False):
                break
            end -= n
        if start >= end:
            return "phrase", ""
        if start == 0 and end == len(keys):
            return None, text
        lo = tokens[start][0] if start else 0
        hi = tokens[end][0] if end < len(keys) else len(text)
        kept = text[lo:hi].strip(" \t\n:|»«›‹•·–—-/>")
        return ("phrase_affix", kept) if kept else ("phrase", "")

    def _ends(self, text: str) -> tuple[list[str], list[str]]:
        """The normalised tokens at the start and at the end of `text` (at least `longest` of each,
        or all of them), without normalising the middle of a long segment.

        The windows are cut at a space: a space is a starter that nothing composes or reorders
        across, so a window normalises to exactly the whole text's tokens on its side of the cut.
        """
        if len(text) > 2 * _END_WINDOW:
            head_cut = text.rfind(" ", 0, _END_WINDOW)
            tail_cut = text.find(" ", len(text) - _END_WINDOW)
            if head_cut > 0 and tail_cut > head_cut:
                head = normalize_for_match(text[:head_cut]).split()
                tail = normalize_for_match(text[tail_cut:]).split()
                if len(head) >= self.longest and len(tail) >= self.longest:
                    return head, tail
        quick = normalize_for_match(text).split()
        return quick, quick

    def _covers(self, keys: list[str]) -> bool:
        """Whether the tokens are wholly a run of UI phrases ("Share: Facebook Twitter WhatsApp")."""
        start = 0
        while start < len(keys):
            n = self._prefix_len(keys, start, len(keys))
            if not n:
                return False
            start += n
        return True

    def _prefix_len(self, keys: list[str], start: int, end: int) -> int:
        for n in range(min(self.longest, end - start), 0, -1):
            if tuple(keys[start : start + n]) in self.phrases:
                return n
        return 0

    def _suffix_len(self, keys: list[str], start: int, end: int) -> int:
        for n in range(min(self.longest, end - start), 0, -1):
            if tuple(keys[end - n : end]) in self.phrases:
                return n
        return 0

    @staticmethod
    def _detached(
        text: str, tokens: list[tuple[int, int, str]], idx: int, n: int, *, leading: bool
    ) -> bool:
        """Whether a phrase of `n` tokens ending (leading) or starting (trailing) at token `idx`
        is set apart from the rest: multi-word phrases always are, one word needs punctuation."""
        if n >= 2:
            return True
        if leading:
            gap = text[tokens[idx][1] : tokens[idx + 1][0]]
        else:
            gap = text[tokens[idx - 1][1] : tokens[idx][0]]
        return any(c in _SEPARATORS for c in gap)


@lru_cache(maxsize=1)
def _builtin_phrases() -> frozenset[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for name in ("phrases_ar.txt", "phrases_en.txt"):
        raw = (
            resources.files("cleaners").joinpath("data").joinpath(name).read_text(encoding="utf-8")
        )
        for line in raw.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                key = tuple(normalize_for_match(line).split())
                if key:
                    out.add(key)
    return frozenset(out)


def segment_key(text: str) -> str:
    """The key a site profile counts: a short hash of the normalised segment."""
    norm = normalize_for_match(text)
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest() if norm else ""


PROFILE_FORMAT = 1


def _load_saved(raw: str, what: str) -> dict[str, Any]:
    """Parse a saved profile or learner; ValueError for another format version."""
    d = json.loads(raw)
    if not isinstance(d, dict) or d.get("format") != PROFILE_FORMAT:
        got = d.get("format") if isinstance(d, dict) else None
        raise ValueError(f"unsupported {what} format {got!r}")
    return d


@dataclass(slots=True, frozen=True)
class SiteProfile:
    """Segments that recur on a large share of one site's pages: the site's template.

    A value: learned by `ProfileLearner`, stored by the crawler (`to_json`/`from_json`), passed into
    `clean()`. It only applies once learned from at least `min_pages` pages.
    """

    site: str
    pages: int
    template: frozenset[str] = frozenset()
    min_pages: int = 10
    min_share: float = 0.3

    @property
    def applies(self) -> bool:
        """Whether enough pages were seen for the profile to be trusted."""
        return self.pages >= self.min_pages

    def is_template(self, text: str) -> bool:
        """Whether this segment is part of the site's template."""
        return self.applies and segment_key(text) in self.template

    def to_json(self) -> str:
        """Serialise (sorted, so the same profile gives the same bytes)."""
        return json.dumps(
            {
                "format": PROFILE_FORMAT,
                "site": self.site,
                "pages": self.pages,
                "min_pages": self.min_pages,
                "min_share": self.min_share,
                "template": sorted(self.template),
            },
            ensure_ascii=False,
            indent=0,
        )

    @classmethod
    def from_json(cls, raw: str) -> SiteProfile:
        """Load a profile saved by `to_json`."""
        d = _load_saved(raw, "site profile")
        return cls(
            site=d["site"],
            pages=int(d["pages"]),
            template=frozenset(d["template"]),
            min_pages=int(d["min_pages"]),
            min_share=float(d["min_share"]),
        )


@dataclass(slots=True)
class ProfileLearner:
    """Counts, per segment key, on how many pages of a site it occurs (once per page).

    Counting distinct keys per page makes the result independent of the order pages come in.
    Learning stops after `max_pages` pages, so a months-long crawl keeps a bounded state.
    """

    site: str
    min_pages: int = 10
    min_share: float = 0.3
    max_pages: int = 2000
    pages: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def add_page(self, segments: Sequence[str]) -> bool:
        """Count one page's segments; False when the learner is full and ignored the page."""
        return self.add_keys({k for k in map(segment_key, segments) if k})

    def add_keys(self, keys: Iterable[str]) -> bool:
        """Count one page given its segment keys (see `clean_with_keys`)."""
        if self.pages >= self.max_pages:
            return False
        self.pages += 1
        self.counts.update(set(keys))
        return True

    def profile(self) -> SiteProfile:
        """The profile of what was counted so far."""
        need = max(3, self.min_share * self.pages)
        template = frozenset(k for k, c in self.counts.items() if c >= need)
        return SiteProfile(self.site, self.pages, template, self.min_pages, self.min_share)

    def to_json(self) -> str:
        """Serialise the counts, so learning resumes across runs."""
        return json.dumps(
            {
                "format": PROFILE_FORMAT,
                "site": self.site,
                "pages": self.pages,
                "min_pages": self.min_pages,
                "min_share": self.min_share,
                "max_pages": self.max_pages,
                "counts": dict(sorted(self.counts.items())),
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> ProfileLearner:
        """Load counts saved by `to_json`."""
        d = _load_saved(raw, "profile learner")
        return cls(
            site=d["site"],
            min_pages=int(d["min_pages"]),
            min_share=float(d["min_share"]),
            max_pages=int(d["max_pages"]),
            pages=int(d["pages"]),
            counts=Counter(d["counts"]),
        )
