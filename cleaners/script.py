"""Unicode script of text: letters per script, the dominant script, and splitting mixed runs.

The cheap first pass of language tagging; pure functions over `str`, no model and no state.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType

import numpy as np

# Letters of the Arabic script: the Arabic, Arabic Supplement, Extended-B/A blocks and the
# presentation forms. Tatweel (U+0640) is a letter to Unicode (Lm) but only stretches a word.
_ARABIC_LETTER_CLASS = (
    "\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06e5\u06e6\u06ee\u06ef"
    "\u06fa-\u06fc\u06ff\u0750-\u077f\u0870-\u0887\u0889-\u088e\u08a0-\u08c9"
    "\ufb50-\ufbb1\ufbd3-\ufd3d\ufd50-\ufd8f\ufd92-\ufdc7\ufdf0-\ufdfb\ufe70-\ufe74\ufe76-\ufefc"
)
# Latin letters: ASCII, Latin-1, Extended-A/B, IPA, Extended Additional/C/D, fullwidth.
_LATIN_LETTER_CLASS = (
    "A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u1e00-\u1eff"
    "\u2c60-\u2c7f\ua720-\ua7ff\uff21-\uff3a\uff41-\uff5a"
)
_ARABIC_LETTER = re.compile(f"[{_ARABIC_LETTER_CLASS}]")
_LATIN_LETTER = re.compile(f"[{_LATIN_LETTER_CLASS}]")
# Any letter: word characters minus digits, underscore, tatweel and the common non-decimal
# numerics (superscripts, vulgar fractions) that `\w` also accepts.
_ANY_LETTER = re.compile("[^\\W\\d_\u0640\u00b2\u00b3\u00b9\u00bc-\u00be]")
# One run of letters of a single script (Arabic or Latin), used to find script boundaries.
_SCRIPT_RUN = re.compile(f"([{_ARABIC_LETTER_CLASS}]+)|([{_LATIN_LETTER_CLASS}]+)")

_DIRECTION_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")

# Punctuation that closes the run before it, so a split keeps it with the left part.
_CLOSING_PUNCT = frozenset(".,;:!?)]}»”’›…،؛؟%")

#: A run stands alone when it has at least this many words ...
SPLIT_MIN_WORDS = 2
#: ... or at least this many letters.
SPLIT_MIN_LETTERS = 12
#: A run with the other script on both sides (a name or term inside a sentence) needs this
#: many words (or SPLIT_MIN_LETTERS letters) to stand alone.
SPLIT_MIN_WORDS_EMBEDDED = 3

#: Share of the letters the top script needs for `dominant_script` to name it.
DOMINANT_SHARE = 0.6


def strip_direction_marks(text: str) -> str:
    """Remove invisible bidi controls (LRM, RLM, ALM, embeddings, overrides, isolates)."""
    return _DIRECTION_MARKS.sub("", text)


def script_counts(text: str) -> dict[str, int]:
    """Count the letters of `text` per script: ``{"arabic": n, "latin": n, "other": n}``.

    Digits, punctuation, spaces, diacritics and tatweel are not letters and are not counted.
    """
    arabic, latin, other = letter_counts(text)
    return {"arabic": arabic, "latin": latin, "other": other}


def dominant_script(text: str) -> str:
    """Return the script of most letters: "arabic", "latin", "other" or "mixed".

    "other" also covers text without letters. "mixed" means no script holds at least
    `DOMINANT_SHARE` (60%) of the letters, e.g. "COVID-19 في مصر".
    """
    return dominant_of(*letter_counts(text))


def dominant_of(arabic: int, latin: int, other: int) -> str:
    """`dominant_script` from letter counts already made (see `script_counts`)."""
    total = arabic + latin + other
    if total == 0:
        return "other"
    # Fixed order (arabic, latin, other) breaks ties, as max() over that order would.
    if arabic >= latin and arabic >= other:
        best, n = "arabic", arabic
    elif latin >= other:
        best, n = "latin", latin
    else:
        best, n = "other", other
    return best if n >= DOMINANT_SHARE * total else "mixed"


def letter_counts(text: str) -> tuple[int, int, int]:
    """(arabic, latin, other) letter counts of `text`: `script_counts` as a tuple, in one pass."""
    if text.isascii():
        # ASCII letters are all Latin: count them by deleting them (a fast ASCII translate).
        return 0, len(text) - len(text.translate(_ASCII_LETTERS_DELETED)), 0
    classes = letter_classes(text)
    return classes.count("a"), classes.count("l"), classes.count("o")


def letter_counts_many(texts: Sequence[str]) -> list[tuple[int, int, int]]:
    """`letter_counts` of each text, in one vectorised pass over all of them (a page's segments).

    The texts are joined and classified by a table lookup per UTF-16 code unit; per-text counts are
    differences of running sums. Text outside the Basic Multilingual Plane (surrogate pairs) takes
    the per-text path, as do small batches, where the set-up costs more than it saves.
    """
    if not isinstance(texts, list | tuple):
        texts = list(texts)  # read more than once below
    if sum(map(len, texts)) < _BATCH_MIN_CHARS:
        return [letter_counts(t) for t in texts]
    joined = "\x00".join(texts)
    units = np.frombuffer(joined.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    classes = _class_codes()[units]
    if len(units) != len(joined):
        return [letter_counts(t) for t in texts]
    # Each code unit counts towards (its text, its class); the separators count for the text
    # before them, as non-letters.
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)[: len(units)]
    counts = np.bincount(owner * 4 + classes, minlength=4 * len(texts)).reshape(-1, 4)
    return list(map(tuple, counts[:, 1:].tolist()))


#: Below this many characters in all, `letter_counts_many` counts text by text.
_BATCH_MIN_CHARS = 2000


@lru_cache(maxsize=1)
def _class_codes() -> np.ndarray:
    """The class table as an array over UTF-16 code units: 0 not a letter, 1 Arabic, 2 Latin,
    3 other letter (surrogates, which only occur in pairs outside the BMP, are 0)."""
    codes = {".": 0, "a": 1, "l": 2, "o": 3}
    table = _class_table()
    return np.array([codes[table[cp]] for cp in range(0x10000)], dtype=np.uint8)


def letter_classes(text: str) -> str:
    """The class of each character of `text`, position for position: "a" an Arabic letter, "l" a
    Latin letter, "o" another letter, "." not a letter (count a span's with str.count)."""
    classes = text.translate(_class_table())
    if not classes.isascii():
        # A character beyond the table (outside the Basic Multilingual Plane): classify each.
        classes = "".join(map(_letter_class, text))
    return classes


def _letter_class(ch: str) -> str:
    """The class of one character: "a" Arabic letter, "l" Latin letter, "o" other letter, "." none."""
    if not _ANY_LETTER.match(ch):
        # Also the few symbols inside the Latin blocks (modifier tone letters): not letters.
        return "."
    if _ARABIC_LETTER.match(ch):
        return "a"
    return "l" if _LATIN_LETTER.match(ch) else "o"


_ASCII_LETTERS_DELETED = str.maketrans("", "", string.ascii_letters)


@lru_cache(maxsize=1)
def _class_table() -> Mapping[int, str]:
    """str.translate table of the Basic Multilingual Plane: each character to its class, "a"
    (Arabic letter), "l" (Latin letter), "o" (other letter) or "." (not a letter).

    One table lookup per character replaces three regex passes over the text.
    """
    table = {cp: _letter_class(chr(cp)) for cp in range(0x10000)}
    return MappingProxyType(table)


def split_scripts(text: str) -> list[str]:
    """Split a block mixing Arabic-script and Latin-script runs into single-script parts.

    Rule: the block is cut into maximal runs of Arabic or Latin letters (other characters are
    neutral and never start a run). A run may stand alone only when it is substantial: at least
    `SPLIT_MIN_WORDS` (2) words or `SPLIT_MIN_LETTERS` (12) letters, and, when it sits between two
    runs of the other script (a name or a term inside a sentence), at least
    `SPLIT_MIN_WORDS_EMBEDDED` (3) words or 12 letters. Insubstantial runs are merged into their
    neighbours (embedded ones first, then the smallest), so "COVID-19 في مصر" or "He said مرحبا to them" stay whole while
    "ENGLISH HEADLINEأخبار العالم" becomes ["ENGLISH HEADLINE", "أخبار العالم"].
    Between two parts the cut is at the first whitespace of the gap (so closing punctuation stays
    left and digits or opening brackets after the space go right); with no whitespace it is after
    the closing punctuation. Parts are stripped; empty parts are dropped.
    """
    # One script alone never splits: two cheap searches spare the run scan of most blocks.
    if _LATIN_LETTER.search(text) is None or _ARABIC_LETTER.search(text) is None:
        stripped = text.strip()
        return [stripped] if stripped else []
    runs = _script_runs(text)
    if len(runs) < 2:
        stripped = text.strip()
        return [stripped] if stripped else []
    runs = _merge_small_runs(text, runs)
    parts: list[str] = []
    start = 0
    for left, right in zip(runs, runs[1:], strict=False):
        cut = _cut_position(text, left[1], right[0])
        parts.append(text[start:cut])
        start = cut
    parts.append(text[start:])
    return [p for p in (p.strip() for p in parts) if p]


def _script_runs(text: str) -> list[tuple[int, int, str]]:
    """Maximal (start, end, script) spans of one script's letters, neutral gaps inside a run."""
    runs: list[tuple[int, int, str]] = []
    for m in _SCRIPT_RUN.finditer(text):
        script = "arabic" if m.group(1) else "latin"
        if runs and runs[-1][2] == script:
            runs[-1] = (runs[-1][0], m.end(), script)
        else:
            runs.append((m.start(), m.end(), script))
    return runs


def _merge_small_runs(text: str, runs: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Merge insubstantial runs into their neighbours until every run is substantial."""
    classes = letter_classes(text)
    # A run's verdict depends only on its span and its neighbours' facing ends: each merge step
    # changes one run, so the verdicts of the others are looked up, not recomputed.
    verdicts: dict[tuple[int, int, int, int], tuple[bool, int] | None] = {}
    while len(runs) > 1:
        weak: list[tuple[bool, int, int]] = []  # (at an edge, letters, index)
        last = len(runs) - 1
        for i, (start, end, _script) in enumerate(runs):
            prev_end = runs[i - 1][1] if i > 0 else -1
            next_start = runs[i + 1][0] if i < last else -1
            key = (start, end, prev_end, next_start)
            if key in verdicts:
                verdict = verdicts[key]
            else:
                verdict = verdicts[key] = _weak_run(text, classes, start, end, prev_end, next_start)
            if verdict is not None:
                weak.append((verdict[0], verdict[1], i))
        if not weak:
            break
        # Embedded runs first (a name inside a sentence joins the sentence, which then no longer
        # looks like a short edge run), then fewest letters, then the leftmost.
        _, _, i = min(weak)
        lo = max(0, i - 1)
        hi = min(len(runs) - 1, i + 1)
        # The merged run takes its neighbours' script: they are the context it sits in.
        script = runs[i - 1][2] if i > 0 else runs[i + 1][2]
        merged = (runs[lo][0], runs[hi][1], script)
        runs = runs[:lo] + [merged] + runs[hi + 1 :]
    return runs


def _weak_run(
    text: str, classes: str, start: int, end: int, prev_end: int, next_start: int
) -> tuple[bool, int] | None:
    """(at an edge, letters) of a run that must merge into a neighbour; None for a run that stands.

    `prev_end` / `next_start` are the neighbours' facing ends, -1 where the run is at an edge.
    """
    letters = end - start - classes.count(".", start, end)
    words = len(text[start:end].split())
    embedded = prev_end >= 0 and next_start >= 0
    need_words = SPLIT_MIN_WORDS_EMBEDDED if embedded else SPLIT_MIN_WORDS
    small = words < need_words and letters < SPLIT_MIN_LETTERS
    # A quotation, or a run inside a sentence with no hard boundary on either side, is part
    # of that sentence however long it is ("The banner read «مرحبا بكم», welcoming ...").
    inline = _quoted(text, start, end) or (
        embedded and not _hard_gap(text, prev_end, start) and not _hard_gap(text, end, next_start)
    )
    return (not embedded, letters) if small or inline else None


_OPEN_QUOTES = "«“\"'‹(„「"
_CLOSE_QUOTES = "»”\"'›)“」"
_HARD = set(".!?|•·—–:؟؛\n\r\t")


def _quoted(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] sits between an opening and a closing quote mark."""
    before = text[:start].rstrip()
    after = text[end:].lstrip(" .,،!?؟")
    return bool(before) and before[-1] in _OPEN_QUOTES and bool(after) and after[0] in _CLOSE_QUOTES


def _hard_gap(text: str, gap_start: int, gap_end: int) -> bool:
    """A boundary that ends a sentence or a UI item: scripts touching with no gap, or a gap with
    sentence-final punctuation, a separator or a line break."""
    if gap_start >= gap_end:
        return True
    return any(c in _HARD for c in text[gap_start:gap_end])


def _cut_position(text: str, gap_start: int, gap_end: int) -> int:
    """Where to cut the neutral gap text[gap_start:gap_end] between two runs."""
    for i in range(gap_start, gap_end):
        if text[i].isspace():
            return i
    i = gap_start
    while i < gap_end and (text[i] in _CLOSING_PUNCT or unicodedata.category(text[i]) == "Mn"):
        i += 1
    return i
