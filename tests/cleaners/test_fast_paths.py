"""The speed-ups keep their promises: one-pass script counts agree with the slow definitions."""

from __future__ import annotations

import random

from cleaners import clean
from cleaners.language import tag_texts, tag_texts_with_scripts
from cleaners.script import dominant_script, letter_counts, script_counts

SAMPLES = [
    "ENGLISH HEADLINEأخبار العالم",
    "COVID-19 في مصر",
    "قال الرئيس إن Joe Biden سيزور المنطقة",
    "😀 مرحبا 😀 hello 𝐀𝐁𝐂",
    "12345 — 678",
    "",
    "Ünïcödé façade naïve",
    "Привет мир and hello",
]


def test_letter_counts_match_script_counts() -> None:
    rng = random.Random(7)
    pool = "abcXYZ éü مرحبا بكم ١٢٣ 123 😀 𝐀 Ж ة ـ ً .,،"
    texts = SAMPLES + [
        "".join(rng.choice(pool) for _ in range(rng.randint(0, 40))) for _ in range(300)
    ]
    for t in texts:
        counts = script_counts(t)
        assert letter_counts(t) == (counts["arabic"], counts["latin"], counts["other"]), t


def test_tagger_scripts_equal_dominant_script() -> None:
    tagged = tag_texts_with_scripts(SAMPLES)
    assert [s for _, _, s in tagged] == [dominant_script(t) for t in SAMPLES]
    assert [(lang, conf) for lang, conf, _ in tagged] == tag_texts(SAMPLES)


def test_very_deep_nesting_does_not_raise() -> None:
    deep = (
        "<div>" * 3000
        + "<p>Deep text that is still the article, with enough words to count.</p>"
        + "</div>" * 3000
    )
    doc = clean(f"<html><body>{deep}</body></html>")
    assert doc.empty_reason is None
    assert doc.text == "Deep text that is still the article, with enough words to count."


def test_min_letters_threshold_reaches_the_tagger() -> None:
    html = (
        "<html><body><article><p>The minister met the delegation on Monday in the capital.</p>"
        "<p>Go</p></article></body></html>"
    )
    default = {s.text: s.lang for s in clean(html).segments}
    assert default["Go"] == "und"
    assert {s.text: s.lang for s in clean(html, min_letters=2).segments}["Go"] == "en"
