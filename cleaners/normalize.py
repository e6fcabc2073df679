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


def normalize_for_match(text: str) -> str:
    """Return the comparison key of `text`.

    NFKC, casefold, invisible marks removed, Arabic alef/ya/ta-marbuta/keheh unified, tatweel and
    diacritics removed, punctuation and symbols turned into single spaces, trimmed.
    """
    return _normalize(text)


#: Lower-case letters and digits kept, every other ASCII byte (and "?", the stand-in for any other
#: character) a space: the whole normalisation of ASCII text.
_ASCII_KEY = bytes(
    (b + 32 if 65 <= b <= 90 else b if 48 <= b <= 57 or 97 <= b <= 122 else 32) for b in range(256)
)
_MARKS = re.compile(_BIDI_MARKS.pattern[:-1] + _ARABIC_MARKS.pattern[1:])
#: A non-ASCII word character, or U+0345, the one non-word character whose casefold is a letter.
_NON_ASCII_WORD = re.compile("[^\\W\x00-\x7f]|\u0345")
_VARIANT_CHARS = re.compile("[" + "".join(map(chr, _ALEF_VARIANTS)) + "]")
_VARIANT_PAIRS = tuple((chr(k), str(v)) for k, v in _ALEF_VARIANTS.items())
_NON_WORD_OR_UNDERSCORE = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)
def _normalize(text: str) -> str:
    # Same result as: NFKC, marks removed, variants unified, casefold, every run of non-word
    # characters (and "_") a single space, trimmed. The paths below only skip work that cannot
    # change the result (tests/cleaners/test_fast_paths.py checks them against that reference).
    if text.isascii():
        return " ".join(text.encode().translate(_ASCII_KEY).decode().split())
    t = _MARKS.sub("", unicodedata.normalize("NFKC", text))
    if not _NON_ASCII_WORD.search(t):
        # Only ASCII words (English with curly quotes and dashes): the others are all separators.
        return " ".join(t.encode("ascii", "replace").translate(_ASCII_KEY).decode().split())
    t = _unify_variants(t)
    out: list[str] = []
    for token in t.casefold().split():
        # str.isalnum() is exactly "every character is \w and none is _".
        if token.isalnum():
            out.append(token)
        else:
            out.extend(_NON_WORD_OR_UNDERSCORE.sub(" ", token).split())
    return " ".join(out)


def fold_for_overlap(text: str) -> str:
    """A cheap fold for comparing the words of two long texts: casefold, Arabic diacritics, tatweel
    and invisible marks removed, alef/ya/ta-marbuta/keheh variants unified. No NFKC and no
    punctuation split (both texts keep the same punctuation): C-speed steps only."""
    t = text.casefold()
    if not t.isascii():
        t = _unify_variants(_MARKS.sub("", t))
    return t


def _unify_variants(t: str) -> str:
    """Alef/ya/ta-marbuta/keheh variants to their base letter (str.replace per variant: a dict
    translate costs ~55 ns a character, the replaces run at C speed and are skipped when absent)."""
    if _VARIANT_CHARS.search(t):
        for variant, base in _VARIANT_PAIRS:
            t = t.replace(variant, base)
    return t


def clean_whitespace(text: str) -> str:
    """Collapse runs of whitespace (including NBSP) to one space and strip invisible marks."""
    if not text.isascii():
        text = _BIDI_MARKS.sub("", text)
    return " ".join(text.split())
