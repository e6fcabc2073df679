"""Turn response bytes into text: BOM, then the HTTP charset, then <meta charset>, then a detector.

Labels follow the WHATWG encoding rules where Python's codec names differ (latin-1 means windows-1252).
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
#: WHATWG: these labels mean windows-1252 in browsers, and pages rely on it.
_ALIASES = {
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1256": "cp1256",
    "x-user-defined": "cp1252",
    "iso-8859-6": "iso8859_6",
    "unicode": "utf-8",
    "utf8": "utf-8",
}


def normalize_label(label: str | None) -> str | None:
    """Python codec name for a charset label, or None if Python does not know it."""
    if not label:
        return None
    name = _ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    """The charset named in a Content-Type header value."""
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1) if m else None


def meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (<meta charset> or http-equiv)."""
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML body; returns (text, "codec:source"), source being bom, http, meta, valid,
    detected or fallback.

    Never raises: undecodable bytes become U+FFFD.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace"), f"{name}:bom"
    for source, label in (("http", header_charset(content_type)), ("meta", meta_charset(body))):
        found = normalize_label(label)
        if found is None:
            continue
        name = found
        # utf-16 declared in <meta> is always a lie (the meta itself was readable as ASCII).
        if source == "meta" and name.startswith("utf-16"):
            name = "utf-8"
        try:
            return body.decode(name), f"{name}:{source}"
        except UnicodeDecodeError:
            if name != "utf-8":
                return body.decode(name, errors="replace"), f"{name}:{source}"
            # Declared UTF-8 but is not: fall through to detection.
    try:
        return body.decode("utf-8"), "utf-8:valid"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        name = normalize_label(best.encoding) or "cp1252"
        return body.decode(name, errors="replace"), f"{name}:detected"
    return body.decode("utf-8", errors="replace"), "utf-8:fallback"
