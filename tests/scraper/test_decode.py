"""Decoding order: BOM, HTTP charset, <meta charset>, then detection."""

from __future__ import annotations

from scraper.decode import decode_html

ARABIC = (
    "قالت وزارة الصحة إن عدد الإصابات ارتفع خلال الأسبوع الماضي في عدة محافظات، "
    "وأكدت أن الوضع تحت السيطرة وأن المستشفيات تعمل بكامل طاقتها."
)
PAGE = f"<html><head><title>خبر</title></head><body><p>{ARABIC}</p></body></html>"


def test_windows_1256_by_header_meta_and_detection() -> None:
    body = PAGE.encode("cp1256")
    text, how = decode_html(body, "text/html; charset=windows-1256")
    assert ARABIC in text and how == "cp1256:http"
    text, how = decode_html(b'<meta charset="windows-1256">' + body, "text/html")
    assert ARABIC in text and how == "cp1256:meta"
    text, how = decode_html(body, "text/html")
    assert ARABIC in text and how.endswith(":detected")


def test_bom_wins_over_a_wrong_header() -> None:
    text, how = decode_html(b"\xef\xbb\xbf" + PAGE.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert ARABIC in text and how == "utf-8:bom"


def test_latin1_label_means_windows_1252() -> None:
    text, _ = decode_html("<p>“quoted” café</p>".encode("cp1252"), "text/html; charset=ISO-8859-1")
    assert "“quoted” café" in text


def test_declared_utf8_that_is_not_falls_back_to_detection() -> None:
    text, how = decode_html(PAGE.encode("cp1256"), "text/html; charset=utf-8")
    assert ARABIC in text and how.endswith(":detected")


def test_unknown_label_is_ignored() -> None:
    text, _ = decode_html(PAGE.encode("utf-8"), "text/html; charset=x-no-such-charset")
    assert ARABIC in text
