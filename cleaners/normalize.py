"""Arabic-aware text normalisation for matching (phrase rules, site profiles).

Stored text is never changed by this module; it builds the comparison key only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef, Quranic marks) and tatweel.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF_VARIANTS = str.maketrans(
    {
        "\u0622": "\u0627",  # آ
        "\u0623": "\u0627",  # أ
        "\u0625": "\u0627",  # إ
        "\u0671": "\u0627",  # ٱ
        "\u0649": "\u064a",  # ى -> ي
        "\u0629": "\u0647",  # ة -> ه: spelling varies between sites, the phrase does not
        "\u06cc": "\u064a",  # Persian yeh, seen in Arabic pages typed on Persian keyboards
        "\u06a9": "\u0643",  # keheh -> kaf
    }
)
_BIDI_MARKS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalize_for_match(text: str) -> str:
    """Return the comparison key of `text`.

    NFKC, casefold, invisible marks removed, Arabic alef/ya/ta-marbuta/keheh unified, tatweel and
    diacritics removed, punctuation and symbols turned into single spaces, trimmed.
    """
    return _normalize(text)


@lru_cache(maxsize=65536)
def _normalize(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = _BIDI_MARKS.sub("", t)
    t = _ARABIC_MARKS.sub("", t)
    t = t.translate(_ALEF_VARIANTS).casefold()
    t = _NON_WORD.sub(" ", t).replace("_", " ")
    return " ".join(t.split())


def clean_whitespace(text: str) -> str:
    """Collapse runs of whitespace (including NBSP) to one space and strip invisible marks."""
    if not text.isascii():
        text = _BIDI_MARKS.sub("", text)
    return " ".join(text.split())
