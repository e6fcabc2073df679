"""Segment language tagging: a script pass first, then a deterministic n-gram naive Bayes.

The n-gram statistics are langdetect's shipped profiles, restricted to the candidate languages.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import langdetect
import numpy as np
from langdetect.utils.ngram import NGram

from cleaners.script import (
    dominant_of,
    letter_classes,
    letter_counts,
    letter_counts_many,
    script_counts,
)

__all__ = [
    "LanguageDecision",
    "UnsupportedLanguageError",
    "detect_language",
    "detect_language_reason",
    "document_languages",
    "supported_languages",
    "tag_texts",
    "tag_texts_with_scripts",
]

_PROFILE_DIR = Path(langdetect.__file__).parent / "profiles"

# Same URL and e-mail patterns langdetect drops before counting n-grams.
_URL_OR_MAIL = re.compile(
    r"https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}"
    r"|[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}"
    r"|www\.[-_.?&~;+=/#0-9A-Za-z]{1,2076}"
)
_LATIN_LETTERS = re.compile(
    "[A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u1e00-\u1eff]+"
)
_ARABIC_LETTERS = re.compile("[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+")
_WORD_SPLIT = re.compile(r"\S+")

# Letters of the Arabic language itself, including the Maghrebi veh/gaf/qaf/feh spellings
# (ڤ ڨ ڭ ڢ ڧ ڥ) and alef wasla. Any other Arabic-script letter (پ چ ژ گ ک ی ٹ ڈ ڑ ں ے ہ ھ ...)
# is evidence of Persian, Urdu or another language written in Arabic script.
_ARABIC_LANGUAGE_LETTERS = frozenset(
    [chr(c) for c in range(0x0621, 0x063B)]
    + [chr(c) for c in range(0x0641, 0x064B)]
    + ["\u0671", "\u06a4", "\u06a8", "\u06ad", "\u06a2", "\u06a7", "\u06a5", "\u066e", "\u066f"]
)


def _non_arabic_letter_class() -> str:
    """Regex class of Arabic-script letters that the Arabic language does not use."""
    chars = []
    for cp in [*range(0x0600, 0x0700), *range(0x0750, 0x0780), *range(0x08A0, 0x0900)]:
        ch = chr(cp)
        if ch.isalpha() and ch != "\u0640" and ch not in _ARABIC_LANGUAGE_LETTERS:
            chars.append(ch)
    for cp in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
        ch = chr(cp)
        # A presentation form counts when what it stands for has a non-Arabic letter.
        if ch.isalpha() and any(
            c.isalpha() and c != "\u0640" and c not in _ARABIC_LANGUAGE_LETTERS
            for c in unicodedata.normalize("NFKC", ch)
        ):
            chars.append(ch)
    return "".join(re.escape(c) for c in chars)


_NON_ARABIC_LETTER = re.compile(f"[{_non_arabic_letter_class()}]")

# Scripts whose languages are told apart by letters alone when only one candidate writes them.
_SCRIPTS = ("arabic", "latin", "other")

# langdetect's smoothing: each n-gram multiplies a language's probability by p + alpha/BASE_FREQ.
_SMOOTHING = 0.5 / 10000
# Longer text adds nothing to the decision and costs time; langdetect cuts at 10,000 characters.
_MAX_SCORED_CHARS = 3000


class UnsupportedLanguageError(ValueError):
    """A candidate language has no shipped n-gram profile."""


@dataclass(slots=True, frozen=True)
class LanguageDecision:
    """The tag of one text, its confidence in [0, 1], and why.

    `reason` is "script" (the only candidate writing this script), "ngrams" (naive Bayes over
    candidates of the script), or, with lang "und": "too_few_letters", "no_candidate" (no
    candidate writes the text's script) or "no_features" (no known n-gram in the text).
    """

    lang: str
    confidence: float
    reason: str


@dataclass(slots=True, frozen=True)
class _NgramModel:
    """Log-probabilities of the n-grams of a few languages, one column per language."""

    languages: tuple[str, ...]
    index: Mapping[str, int]
    logprob: np.ndarray  # shape (n_ngrams, n_languages), read-only


@lru_cache(maxsize=1)
def supported_languages() -> tuple[str, ...]:
    """The ISO 639-1 codes that have a shipped n-gram profile (langdetect's), sorted."""
    return tuple(sorted(p.name for p in _PROFILE_DIR.iterdir() if p.is_file()))


@lru_cache(maxsize=128)
def _profile(lang: str) -> tuple[Mapping[str, float], str]:
    """P(n-gram | lang) over lowercased n-grams, and the script of the language's letters."""
    if lang not in supported_languages():
        raise UnsupportedLanguageError(f"no language profile for {lang!r}")
    data = json.loads((_PROFILE_DIR / lang).read_text(encoding="utf-8"))
    n_words: list[int] = data["n_words"]
    merged: dict[str, int] = {}
    # Profiles keep case; the text is lowercased before scoring so all-caps headlines still count.
    for gram, freq in data["freq"].items():
        if 1 <= len(gram) <= 3:
            key = gram.lower()
            merged[key] = merged.get(key, 0) + int(freq)
    probs = {g: f / n_words[len(g) - 1] for g, f in merged.items() if n_words[len(g) - 1] > 0}
    # The language's script is the script of most of its single-letter mass.
    mass = dict.fromkeys(_SCRIPTS, 0)
    for gram, freq in merged.items():
        if len(gram) == 1 and gram.isalpha():
            counts = script_counts(gram)
            mass[max(_SCRIPTS, key=lambda s: counts[s])] += freq
    script = max(_SCRIPTS, key=lambda s: mass[s])
    return MappingProxyType(probs), script


def _language_script(lang: str) -> str:
    return _profile(lang)[1]


@lru_cache(maxsize=64)
def _model(languages: tuple[str, ...]) -> _NgramModel:
    """The naive Bayes table for one sorted tuple of candidate languages."""
    profiles = [_profile(lang)[0] for lang in languages]
    grams = sorted(set().union(*profiles))
    index = {g: i for i, g in enumerate(grams)}
    table = np.empty((len(grams), len(languages)), dtype=np.float64)
    for j, prof in enumerate(profiles):
        col = np.fromiter((prof.get(g, 0.0) for g in grams), dtype=np.float64, count=len(grams))
        table[:, j] = np.log(col + _SMOOTHING)
    table.flags.writeable = False
    return _NgramModel(languages, MappingProxyType(index), table)


@lru_cache(maxsize=1)
def _normalization_table() -> Mapping[int, str]:
    """langdetect's per-character normalisation (NGram.normalize) as a str.translate table."""
    table: dict[int, str] = {}
    for cp in range(0x80):
        if not chr(cp).isalpha():
            table[cp] = " "
    for ch in NGram.LATIN1_EXCLUDED:
        table[ord(ch)] = " "
    for cp in range(0x2000, 0x2070):  # General Punctuation
        table[cp] = " "
    table[0x0219] = "\u015f"  # Romanian s/t with comma -> cedilla, as the profiles were built
    table[0x021B] = "\u0163"
    table[0x06CC] = "\u064a"  # Persian yeh -> Arabic yeh, as in the profiles
    for cp in range(0x1EA0, 0x1F00):
        table[cp] = "\u1ec3"
    for cp in range(0x3040, 0x30A0):
        table[cp] = "\u3042"
    for cp in range(0x30A0, 0x3100):
        table[cp] = "\u30a2"
    for cp in [*range(0x3100, 0x3130), *range(0x31A0, 0x31C0)]:
        table[cp] = "\u3105"
    for cp in range(0xAC00, 0xD7B0):
        table[cp] = "\uac00"
    for src, dst in NGram.CJK_MAP.items():
        table[ord(src)] = dst
    return MappingProxyType(table)


def _score(text: str, languages: tuple[str, ...]) -> tuple[str, float] | None:
    """Naive Bayes over the n-grams of `text`; the winner and its posterior, None if no n-gram.

    Trigrams (words padded with a space, as in the profiles) carry the evidence; unigrams and
    bigrams only stand in when no trigram is known. Counting the nested 1- and 2-grams as well
    counts the same letters three times: it made short items worse in bench/language.py
    (1 word: 84.0% vs 85.4%, 2 words: 92.6% vs 93.4% with five candidates).
    """
    model = _model(languages)
    if "vi" in languages:
        text = NGram.normalize_vi(text)
    norm = text[:_MAX_SCORED_CHARS].lower().translate(_normalization_table())
    index = model.index
    words = norm.split()
    ids: list[int] = []
    for word in words:
        padded = f" {word} "
        for i in range(len(padded) - 2):
            j = index.get(padded[i : i + 3])
            if j is not None:
                ids.append(j)
    if not ids:
        for word in words:
            padded = f" {word} "
            for i in range(1, len(padded) - 1):
                for gram in (padded[i], padded[i - 1 : i + 1]):
                    j = index.get(gram)
                    if j is not None:
                        ids.append(j)
            j = index.get(padded[-2:])
            if j is not None:
                ids.append(j)
    if not ids:
        return None
    loglik = model.logprob[ids].sum(axis=0)
    best = int(np.argmax(loglik))  # first maximum: ties go to the first language in sorted order
    posterior = 1.0 / float(np.exp(loglik - loglik[best]).sum())
    return languages[best], posterior


def _strip_other_scripts(text: str, script: str) -> str:
    """Blank out the letters of the other scripts, as langdetect drops Latin in non-Latin text."""
    if script == "arabic":
        return _LATIN_LETTERS.sub(" ", text)
    if script == "latin":
        return _ARABIC_LETTERS.sub(" ", text)
    return _ARABIC_LETTERS.sub(" ", _LATIN_LETTERS.sub(" ", text))


def _primary_script(text: str, counts: tuple[int, int, int]) -> str:
    """The script to decide on: the only one with letters, else most words, then most letters."""
    present = [s for s, n in zip(_SCRIPTS, counts, strict=True) if n]
    if len(present) == 1:
        return present[0]
    classes = letter_classes(text)
    words = dict.fromkeys(_SCRIPTS, 0)
    for token in _WORD_SPLIT.finditer(text):
        start, end = token.span()
        a = classes.count("a", start, end)
        lat = classes.count("l", start, end)
        o = classes.count("o", start, end)
        if a or lat or o:
            # Ties go to the first script in _SCRIPTS order.
            words["arabic" if a >= lat and a >= o else "latin" if lat >= o else "other"] += 1
    by_script = dict(zip(_SCRIPTS, counts, strict=True))
    return max(present, key=lambda s: (words[s], by_script[s]))


def _candidates(languages: Sequence[str]) -> tuple[str, ...]:
    return _plan(tuple(languages))[0]


@lru_cache(maxsize=64)
def _plan(languages: tuple[str, ...]) -> tuple[tuple[str, ...], Mapping[str, tuple[str, ...]]]:
    """The sorted candidates and, per script, the candidates writing it (validated once per set)."""
    langs = tuple(sorted(set(languages)))
    if not langs:
        raise ValueError("languages must name at least one candidate")
    for lang in langs:
        _profile(lang)  # raises UnsupportedLanguageError early, for every call
    groups = {s: tuple(lang for lang in langs if _language_script(lang) == s) for s in _SCRIPTS}
    return langs, MappingProxyType(groups)


def _decide(
    text: str,
    groups: Mapping[str, tuple[str, ...]],
    min_letters: int,
    text_counts: tuple[int, int, int] | None = None,
) -> tuple[str, float, str, tuple[int, int, int]]:
    """(lang, confidence, reason, letter counts of `text` itself); see detect_language_reason.
    `text_counts`, when given, are `letter_counts(text)` computed beforehand."""
    if text_counts is None:
        text_counts = letter_counts(text)
    has_link = "@" in text or "/" in text or "www" in text
    cleaned = _URL_OR_MAIL.sub(" ", text) if has_link else text
    counts = letter_counts(cleaned) if cleaned != text else text_counts
    total = counts[0] + counts[1] + counts[2]
    if total < max(1, min_letters):
        return "und", 0.0, "too_few_letters", text_counts
    script = _primary_script(cleaned, counts)
    share = counts[_SCRIPTS.index(script)] / total
    group = groups[script]
    if not group:
        return "und", 0.0, "no_candidate", text_counts
    if len(group) == 1:
        return group[0], share, "script", text_counts
    if script == "arabic" and "ar" in group and not _NON_ARABIC_LETTER.search(cleaned):
        return "ar", share, "script", text_counts
    scored = _score(_strip_other_scripts(cleaned, script), group)
    if scored is None:
        return "und", 0.0, "no_features", text_counts
    lang, posterior = scored
    return lang, posterior * share, "ngrams", text_counts


def detect_language_reason(
    text: str, languages: Sequence[str] = ("ar", "en"), *, min_letters: int = 3
) -> LanguageDecision:
    """Tag `text` with one of `languages` (or "und") and say how the decision was made.

    Steps: drop URLs and e-mails; fewer than `min_letters` letters -> "und"/"too_few_letters".
    Pick the text's primary script. If one candidate writes it, that is the answer ("script").
    Arabic script without letters the Arabic language does not use is "ar" whenever "ar" is a
    candidate, so short Arabic never comes out Persian or Urdu. Otherwise a naive Bayes over the
    n-grams of the script's candidates decides ("ngrams"). Confidence: the winner's posterior
    (1.0 for a script decision) times the share of the letters that are in the decided script.
    Deterministic: no sampling, fixed tie order (candidates sorted).
    Raises UnsupportedLanguageError for a candidate without a profile.
    """
    lang, confidence, reason, _counts = _decide(text, _plan(tuple(languages))[1], min_letters)
    return LanguageDecision(lang, confidence, reason)


def detect_language(
    text: str, languages: Sequence[str] = ("ar", "en"), *, min_letters: int = 3
) -> tuple[str, float]:
    """Return (ISO 639-1 tag or "und", confidence in [0, 1]) for `text`; see detect_language_reason."""
    lang, confidence, _reason, _counts = _decide(text, _plan(tuple(languages))[1], min_letters)
    return lang, confidence


def tag_texts(
    texts: Sequence[str], languages: Sequence[str] = ("ar", "en"), *, min_letters: int = 3
) -> list[tuple[str, float]]:
    """Tag many texts with the same candidates; the same result as calling detect_language each."""
    groups = _plan(tuple(languages))[1]
    return [_decide(t, groups, min_letters)[:2] for t in texts]


def tag_texts_with_scripts(
    texts: Sequence[str], languages: Sequence[str] = ("ar", "en"), *, min_letters: int = 3
) -> list[tuple[str, float, str]]:
    """`tag_texts` plus each text's `script.dominant_script`, from the one letter count."""
    groups = _plan(tuple(languages))[1]
    texts = texts if isinstance(texts, list | tuple) else list(texts)  # read twice below
    out: list[tuple[str, float, str]] = []
    for t, counts in zip(texts, letter_counts_many(texts), strict=True):
        lang, confidence, _reason, _counts = _decide(t, groups, min_letters, counts)
        out.append((lang, confidence, dominant_of(*counts)))
    return out


def document_languages(
    pairs: Iterable[tuple[str, str]],
) -> tuple[str, tuple[tuple[str, int], ...]]:
    """Main language and characters per language of a document's (text, lang) segments.

    The main language has the most characters among tags other than "und" ("und" if none; ties go
    to the alphabetically first tag). The counts include "und" and are sorted by tag.
    """
    chars: dict[str, int] = {}
    for text, lang in pairs:
        chars[lang] = chars.get(lang, 0) + len(text)
    tagged = [(n, lang) for lang, n in chars.items() if lang != "und" and n > 0]
    main = min(tagged, key=lambda x: (-x[0], x[1]))[1] if tagged else "und"
    return main, tuple(sorted(chars.items()))
