"""Tests of cleaners.language: script decisions, the n-gram model, und reasons, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cleaners.language import (
    UnsupportedLanguageError,
    detect_language,
    detect_language_reason,
    document_languages,
    supported_languages,
    tag_texts,
)

FIVE = ("ar", "en", "fa", "ur", "fr")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("أعلنت وزارة الصحة اليوم عن تسجيل حالات جديدة في عدد من المحافظات.", "ar"),
        ("القاهرة", "ar"),
        ("كأس العالم", "ar"),
        ("COVID-19 في مصر", "ar"),
        ("The central bank decided to keep interest rates unchanged.", "en"),
        ("Obama", "en"),
        ("BREAKING NEWS", "en"),
        ("The word مرحبا means hello", "en"),
    ],
)
def test_ar_en_known_segments(text: str, lang: str) -> None:
    got, confidence = detect_language(text)
    assert got == lang
    assert 0.0 < confidence <= 1.0


def test_script_decision_confidence_is_the_script_share() -> None:
    assert detect_language_reason("مرحبا بكم") == detect_language_reason("مرحبا بكم", ["en", "ar"])
    decision = detect_language_reason("COVID-19 في مصر")
    assert (decision.lang, decision.reason, decision.confidence) == ("ar", "script", 0.5)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "too_few_letters"),
        ("2024", "too_few_letters"),
        ("١٢٣٤ — 12:45", "too_few_letters"),
        ("https://example.com/news/2024/03/story.html", "too_few_letters"),
        ("info@example.com", "too_few_letters"),
        ("🙂🙂 ***", "too_few_letters"),
        ("في", "too_few_letters"),
        ("שלום עולם", "no_candidate"),
    ],
)
def test_und_reasons(text: str, reason: str) -> None:
    decision = detect_language_reason(text)
    assert (decision.lang, decision.confidence, decision.reason) == ("und", 0.0, reason)


def test_min_letters_is_configurable() -> None:
    assert detect_language("في", min_letters=2) == ("ar", 1.0)
    assert detect_language("London", min_letters=10)[0] == "und"


def test_ngram_model_tells_latin_languages_apart() -> None:
    fr = "Le gouvernement a annoncé mardi une nouvelle réforme des retraites."
    en = "The government announced a new pension reform on Tuesday."
    assert detect_language_reason(fr, FIVE).lang == "fr"
    assert detect_language_reason(fr, FIVE).reason == "ngrams"
    assert detect_language(en, FIVE)[0] == "en"
    # With a single Latin-script candidate the script alone decides, even for French.
    assert detect_language(fr, ("ar", "en")) == ("en", 1.0)


def test_persian_and_urdu_evidence() -> None:
    assert detect_language("این کتاب درباره تاریخ ایران نوشته شده است.", FIVE)[0] == "fa"
    assert detect_language("یہ کتاب پاکستان کی تاریخ کے بارے میں ہے۔", FIVE)[0] == "ur"
    assert detect_language("گزارش ویژه", FIVE)[0] == "fa"
    # Without fa/ur among the candidates, Arabic script is Arabic.
    assert detect_language("این کتاب درباره تاریخ ایران نوشته شده است.")[0] == "ar"


@pytest.mark.parametrize(
    "text",
    ["قرار", "ستواصل", "شهر", "هشدار داد", "أعلنت وزارة الصحة اليوم عن تسجيل حالات جديدة."],
)
def test_arabic_letters_only_never_come_out_persian_or_urdu(text: str) -> None:
    # langdetect restricted to these five profiles calls several of these fa or ur.
    decision = detect_language_reason(text, FIVE)
    assert (decision.lang, decision.reason) == ("ar", "script")


def test_unsupported_and_empty_candidates() -> None:
    assert "ar" in supported_languages() and "en" in supported_languages()
    with pytest.raises(UnsupportedLanguageError):
        detect_language("hello there", ("en", "xx"))
    with pytest.raises(ValueError):
        detect_language("hello there", ())


def test_tag_texts_matches_detect_language() -> None:
    texts = ["Hello world", "مرحبا بالعالم", "42", "Bonjour à tous les amis"]
    assert tag_texts(texts, FIVE) == [detect_language(t, FIVE) for t in texts]
    assert tag_texts([], FIVE) == []


def test_document_languages() -> None:
    pairs = [("abcd", "en"), ("مرحبا بكم", "ar"), ("12345678901", "und"), ("xyz", "en")]
    assert document_languages(pairs) == ("ar", (("ar", 9), ("en", 7), ("und", 11)))
    assert document_languages([("2024", "und")]) == ("und", (("und", 4),))
    assert document_languages([]) == ("und", ())
    # Ties go to the alphabetically first tag, so the answer never depends on segment order.
    assert document_languages([("abc", "fr"), ("abc", "en")])[0] == "en"


_ITEMS = [
    "Hello world",
    "Bonjour tout le monde, comment allez-vous?",
    "این یک کتاب است",
    "یہ ایک کتاب ہے",
    "کتاب",
    "your code",
    "أعلنت وزارة الصحة",
    "ENGLISH HEADLINE",
]
_SCRIPT = (
    "import json, sys\n"
    "from cleaners.language import tag_texts\n"
    "items = json.loads(sys.stdin.read())\n"
    "print(json.dumps([[lang, repr(conf)] for lang, conf in tag_texts(items, "
    + repr(FIVE)
    + ")]))\n"
)


def _tag_in_subprocess(seed: str) -> str:
    env = {"PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        input=json.dumps(_ITEMS),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_deterministic_across_processes() -> None:
    # Different hash seeds change set/dict iteration order; the tags and confidences must not move.
    first, second = _tag_in_subprocess("1"), _tag_in_subprocess("2")
    assert first == second
    assert json.loads(first) == [[lang, repr(conf)] for lang, conf in tag_texts(_ITEMS, FIVE)]
