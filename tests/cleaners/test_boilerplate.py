"""Phrase rules and the learned site profile."""

from __future__ import annotations

import random

import pytest

from cleaners.boilerplate import PhraseRules, ProfileLearner, SiteProfile
from cleaners.normalize import normalize_for_match

RULES = PhraseRules.build(["حمل التطبيق", "Download our app"])


@pytest.mark.parametrize(
    "text",
    [
        "اظهر المزيد",
        "أظهِرْ المزيـــد",  # diacritics and tatweel
        "مقالات ذات صلة",
        "زر الذهاب إلى الأعلى",
        "إغلاق",
        "اغلاق",
        "شارك: فيسبوك تويتر واتساب",
        "اقرأ أيضاً",
        "Read more »",
        "SHARE THIS",
        "Related Articles",
        "Back to top",
        "حمل التطبيق",
        "download our APP",
    ],
)
def test_whole_segment_phrases_are_dropped(text: str) -> None:
    assert RULES.match(text) == ("phrase", "")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Read more: Storm hits the coast", "Storm hits the coast"),
        ("The minister resigned on Monday. Read more", "The minister resigned on Monday."),
        ("اقرأ أيضا: الحكومة تعلن خطة جديدة", "الحكومة تعلن خطة جديدة"),
    ],
)
def test_leading_and_trailing_runs_are_cut(text: str, kept: str) -> None:
    assert RULES.match(text) == ("phrase_affix", kept)


@pytest.mark.parametrize(
    "text",
    [
        "Home prices rose sharply this year.",
        "The door was close to the edge.",
        "More than 100 people were hurt.",
        "شارك آلاف المتظاهرين في المسيرة يوم الجمعة",
    ],
)
def test_prose_that_starts_with_a_ui_word_is_kept(text: str) -> None:
    assert RULES.match(text) == (None, text)


def test_normalisation() -> None:
    assert normalize_for_match("أَخْبَارُ  العـالم") == normalize_for_match("اخبار العالم")
    assert normalize_for_match("مكتبة") == normalize_for_match("مكتبه")
    assert normalize_for_match("\u200fRead  MORE!") == "read more"


def _pages(n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    template = ["أخبار العالم", "Subscribe to the morning briefing", "© 2024 Example News"]
    return [template + [f"unique paragraph {i} {rng.random()}"] for i in range(n)]


def test_profile_is_order_independent_and_round_trips() -> None:
    pages = _pages(20, 1)
    a, b = ProfileLearner("s", min_pages=10), ProfileLearner("s", min_pages=10)
    for p in pages:
        a.add_page(p)
    for p in reversed(pages):
        b.add_page(p)
    pa, pb = a.profile(), b.profile()
    assert pa == pb and pa.applies
    assert pa.is_template("أخبار العالم") and pa.is_template("subscribe to the MORNING briefing")
    assert not pa.is_template(pages[0][-1])
    assert SiteProfile.from_json(pa.to_json()) == pa
    assert ProfileLearner.from_json(a.to_json()).profile() == pa


def test_profile_needs_min_pages() -> None:
    learner = ProfileLearner("s", min_pages=10)
    for p in _pages(5, 2):
        learner.add_page(p)
    prof = learner.profile()
    assert not prof.applies and not prof.is_template("أخبار العالم")


def test_learner_is_bounded() -> None:
    learner = ProfileLearner("s", max_pages=3)
    assert [learner.add_page(p) for p in _pages(5, 3)] == [True, True, True, False, False]
