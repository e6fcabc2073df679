"""Tests of cleaners.script: letter counts per script, dominant script, mixed-run splitting."""

from __future__ import annotations

import pytest

from cleaners.script import dominant_script, script_counts, split_scripts, strip_direction_marks


def test_script_counts_ignores_digits_marks_and_tatweel() -> None:
    # "مُحـمد" has a damma and a tatweel: 4 letters; digits and punctuation are not letters.
    assert script_counts("مُحـمد 2024, abc! шар") == {"arabic": 4, "latin": 3, "other": 3}
    assert script_counts("") == {"arabic": 0, "latin": 0, "other": 0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أخبار العالم اليوم", "arabic"),
        ("World news today", "latin"),
        ("שלום עולם", "other"),
        ("2024 — 12:45", "other"),
        ("COVID-19 في مصر", "mixed"),
        ("قال Joe Biden إن الاقتصاد قوي اليوم", "arabic"),
    ],
)
def test_dominant_script(text: str, expected: str) -> None:
    assert dominant_script(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ENGLISH HEADLINEأخبار العالم", ["ENGLISH HEADLINE", "أخبار العالم"]),
        ("Read more اقرأ المزيد", ["Read more", "اقرأ المزيد"]),
        # Closing punctuation stays left; what follows the first space goes right.
        ("Breaking News. عاجل: الرئيس يعلن", ["Breaking News.", "عاجل: الرئيس يعلن"]),
        ("World news 2024 أخبار العالم اليوم", ["World news", "2024 أخبار العالم اليوم"]),
        # A run inside a sentence, with no hard boundary on either side, stays in the sentence.
        (
            "The phrase كل عام وأنتم بخير means happy new year",
            ["The phrase كل عام وأنتم بخير means happy new year"],
        ),
        (
            "The phrase: كل عام وأنتم بخير. It means happy new year",
            ["The phrase:", "كل عام وأنتم بخير.", "It means happy new year"],
        ),
        # A quotation stays with the sentence that quotes it.
        (
            "The banner read «مرحباً بكم في المعرض», welcoming visitors",
            ["The banner read «مرحباً بكم في المعرض», welcoming visitors"],
        ),
        # One Latin token in Arabic, one Arabic word in English, a name inside a sentence: whole.
        ("COVID-19 في مصر", ["COVID-19 في مصر"]),
        ("He said مرحبا to them", ["He said مرحبا to them"]),
        ("قال Joe Biden إن الاقتصاد قوي اليوم", ["قال Joe Biden إن الاقتصاد قوي اليوم"]),
        ("Home | الرئيسية", ["Home | الرئيسية"]),
        ("  only English here  ", ["only English here"]),
        ("   ", []),
    ],
)
def test_split_scripts(text: str, expected: list[str]) -> None:
    assert split_scripts(text) == expected


def test_split_scripts_parts_cover_the_text() -> None:
    text = "Sports news today\u00a0الأخبار الرياضية اليوم"
    parts = split_scripts(text)
    assert len(parts) == 2
    assert parts == ["Sports news today", "الأخبار الرياضية اليوم"]
    assert "".join("".join(p.split()) for p in parts) == "".join(text.split())  # only spaces go


def test_strip_direction_marks() -> None:
    text = "\u200fمرحبا\u200e \u202bworld\u202c \u2066x\u2069\u061c"
    assert strip_direction_marks(text) == "مرحبا world x"
    assert strip_direction_marks("plain") == "plain"
