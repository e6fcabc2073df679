"""The speed-ups keep their promises: one-pass script counts agree with the slow definitions."""

from __future__ import annotations

import random
import re
import unicodedata

from cleaners import clean
from cleaners.boilerplate import PhraseRules
from cleaners.language import tag_texts, tag_texts_with_scripts
from cleaners.normalize import _normalize
from cleaners.script import (
    _letter_class,
    dominant_script,
    letter_counts,
    letter_counts_many,
    script_counts,
)

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


def _reference_counts(text: str) -> tuple[int, int, int]:
    """(arabic, latin, other) letters, one regex test per character (the definition)."""
    classes = [_letter_class(c) for c in text]
    return classes.count("a"), classes.count("l"), classes.count("o")


def test_letter_counts_match_the_per_character_definition() -> None:
    rng = random.Random(7)
    pool = "abcXYZ éü مرحبا بكم ١٢٣ 123 😀 𝐀 Ж ة ـ ً .,،’—"
    texts = SAMPLES + [
        "".join(rng.choice(pool) for _ in range(rng.randint(0, 40))) for _ in range(300)
    ]
    for t in texts:
        assert letter_counts(t) == _reference_counts(t), t
        counts = script_counts(t)
        assert (counts["arabic"], counts["latin"], counts["other"]) == _reference_counts(t), t
    # The batched count, over a batch large enough for the vectorised path, with and without text
    # outside the Basic Multilingual Plane, and with empty texts between.
    bmp = [t for t in texts if all(ord(c) < 0x10000 for c in t)] + ["", ""]
    for batch in (texts, bmp, bmp * 5):
        assert letter_counts_many(batch) == [_reference_counts(t) for t in batch]


def test_tagger_scripts_equal_dominant_script() -> None:
    tagged = tag_texts_with_scripts(SAMPLES)
    assert tag_texts_with_scripts(t for t in SAMPLES * 300) == tagged * 300  # any iterable
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


def _reference_normalize(text: str) -> str:
    """normalize_for_match as its docstring defines it, step by step (the slow, obvious way)."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]", "", t)
    t = re.sub("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]", "", t)
    for variant, base in zip("آأإٱىةیک", "اااايهيك", strict=True):
        t = t.replace(variant, base)
    t = re.sub(r"\W+", " ", t.casefold()).replace("_", " ")
    return " ".join(t.split())


def test_normalize_fast_paths_equal_the_reference() -> None:
    # ASCII, English with typographic punctuation, Arabic with marks and variants, NFKC
    # compatibility characters (™ -> tm, ﬁ -> fi, full-width), and U+0345, whose casefold is a letter.
    samples = SAMPLES + [
        "The minister’s “final” offer — rejected…",
        "a_b C-D e.f",
        "قالَ الرئيسُ إنّ المحادثاتِ ستُستأنف، وفقاً لمصادر «مطلعة».",
        "أخبار‏ العالم ـــ إغلاق",
        "Brand™ ﬁne ｆｕｌｌ №5 ½ ℃",
        "pͺَ̣ۚ",
        "x\x1cy\x1fz\x0b\u00a0w",
    ]
    rng = random.Random(11)
    ranges = [(0, 0x3FF), (0x600, 0x6FF), (0x900, 0x97F), (0x2000, 0x218F), (0xFB00, 0xFF6F)]
    pool = [chr(c) for lo, hi in ranges for c in range(lo, hi + 1)] + ["\U0001d400", "😀"]
    samples += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 16))) for _ in range(20000)]
    for text in samples:
        assert _normalize.__wrapped__(text) == _reference_normalize(text), repr(text)


def test_phrase_check_on_the_ends_of_long_segments_sees_the_whole_text_tokens() -> None:
    rules = PhraseRules.build()
    rng = random.Random(5)
    # Combining marks that NFKC reorders or composes (l + macron + ypogegrammeni + dot below)
    # would break a window cut inside a word; the windows are cut at spaces.
    words = ["Read", "more", "»", "اقرأ", "أيضا", "المزيد", "the", "minister’s", "a-b", "ﬁne", "،"]
    words += ["l\u0304\u0345", "\u0323x", "e\u0301", "\u0345", "ﾊﾟ"]
    for _ in range(300):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(40, 120)))
        whole = _normalize.__wrapped__(text).split()
        head, tail = rules._ends(text)
        assert head == whole[: len(head)] and tail == whole[len(whole) - len(tail) :], text
        assert len(head) >= min(rules.longest, len(whole)) <= len(tail)
    # A mark after the cut that NFKC moves before one inside the window (the window must not end
    # inside "l\u0304\u0345\u0323").
    pre = " ".join(["word"] * 12) + " "
    pre = pre + "x" * (60 - len(pre)) + " l\u0304\u0345"
    text = pre + "\u0323 " + " ".join(["tail"] * 40)
    whole = _normalize.__wrapped__(text).split()
    head, tail = rules._ends(text)
    assert head == whole[: len(head)] and tail == whole[len(whole) - len(tail) :]
    long_text = "The minister met the delegation on Monday. " * 10
    assert rules.match(long_text + "Read more »") == ("phrase_affix", long_text.strip())
    assert rules.match("Share: " + long_text) == ("phrase_affix", long_text.strip())
    assert rules.match(long_text) == (None, long_text)
