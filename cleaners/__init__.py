"""Cleaners: pure functions from a page's HTML (str) to a language-tagged `Document`.

No network, no disk: a learned `SiteProfile` and extra `PhraseRules` are values passed in.
"""

from cleaners.boilerplate import PhraseRules, ProfileLearner, SiteProfile
from cleaners.clean import clean, clean_with_keys
from cleaners.document import CLEANER_VERSION, Document, Segment
from cleaners.language import detect_language

__all__ = [
    "CLEANER_VERSION",
    "Document",
    "PhraseRules",
    "ProfileLearner",
    "Segment",
    "SiteProfile",
    "clean",
    "detect_language",
    "clean_with_keys",
]
