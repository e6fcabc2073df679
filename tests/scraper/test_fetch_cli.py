"""`scraper fetch URL` end to end against the loopback demo site: text, JSON, --save, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from scraper.cli import main
from scraper.demo_site import Site, SiteServer

ARABIC_CHROME = ("اظهر المزيد", "مقالات ذات صلة", "زر الذهاب إلى الأعلى", "إغلاق", "أخبار العالم")
ENGLISH_CHROME = ("Read more", "Share this", "Related Articles", "Back to top")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def config(tmp_path: Path, http: str = "{}") -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(f"output: {{path: data}}\nhttp: {http}\n", encoding="utf-8")
    return p


def test_english_article_with_arabic_chrome(
    site: SiteServer, demo_site: Site, capsys, tmp_path
) -> None:
    art = demo_site.articles_in("en")[0]
    code, out, err = run(capsys, "fetch", site.url_for(art.path), "--config", str(config(tmp_path)))
    assert code == 0, err
    assert out.startswith(f"# {art.title}\n")
    for para in art.paragraphs:
        assert f"[en] {para}" in out
    for chrome in ARABIC_CHROME:
        assert chrome not in out
    # Every printed segment is English: no Arabic chrome slipped through as a segment.
    seg_lines = [line for line in out.splitlines() if line.startswith("[")]
    assert seg_lines and all(line.startswith("[en] ") for line in seg_lines)


def test_arabic_article_is_tagged_ar(site: SiteServer, demo_site: Site, capsys, tmp_path) -> None:
    art = demo_site.articles_in("ar")[0]
    code, out, _ = run(
        capsys, "fetch", site.url_for(art.path), "--json", "--config", str(config(tmp_path))
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["main_lang"] == "ar" and doc["title"] == art.title
    texts = [s["text"] for s in doc["segments"]]
    for para in art.paragraphs:
        assert para in texts
    assert {s["lang"] for s in doc["segments"] if s["kind"] == "paragraph"} == {"ar"}
    for chrome in ENGLISH_CHROME:
        assert chrome not in doc["text"]
    assert set(doc) >= {"url", "title", "published_at", "main_lang", "text", "segments"}
    assert set(doc["segments"][0]) >= {"text", "kind", "lang", "confidence"}


@pytest.mark.parametrize(
    "path",
    [
        "/legacy/cp1256-header.html",
        "/legacy/cp1256-meta.html",
        "/legacy/cp1256-undeclared.html",
        "/legacy/utf8-bom.html",
    ],
)
def test_legacy_encodings_print_correct_arabic(
    site: SiteServer, demo_site: Site, capsys, tmp_path, path
) -> None:
    art = demo_site.article(path)
    code, out, _ = run(capsys, "fetch", site.url_for(path), "--config", str(config(tmp_path)))
    assert code == 0
    for para in art.paragraphs:
        assert f"[{art.lang}] {para}" in out


def test_save_twice_then_read_back(site: SiteServer, demo_site: Site, capsys, tmp_path) -> None:
    cfg = config(tmp_path)
    en, ar = demo_site.articles_in("en")[1], demo_site.articles_in("ar")[1]
    errs = []
    for art in (en, en, ar):
        code, _, err = run(capsys, "fetch", site.url_for(art.path), "--save", "--config", str(cfg))
        assert code == 0, err
        errs.append(err)
    assert "saved as" in errs[0] and "unchanged" in errs[1]
    data = tmp_path / "data"
    docs = pd.read_parquet(data / "documents")
    assert sorted(docs["title"]) == sorted(
        [en.title, ar.title]
    )  # the second save of `en` wrote nothing
    assert {
        "doc_id",
        "url",
        "site",
        "fetched_at",
        "main_lang",
        "text",
        "content_hash",
        "version",
    } <= set(docs.columns)
    segs = duckdb.sql(
        f"SELECT doc_id, position, kind, text, lang, confidence, script, site "
        f"FROM read_parquet('{data}/segments/**/*.parquet', hive_partitioning=true)"
    ).df()
    assert set(segs["doc_id"]) == set(docs["doc_id"])
    assert set(segs["lang"]) >= {"en", "ar"}
    ar_doc = docs[docs["title"] == ar.title].iloc[0]
    assert ar_doc["main_lang"] == "ar"


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/fault/404", "http-error: HTTP 404"),
        ("/fault/500", "http-error: HTTP 500"),
        ("/fault/pdf", "not-html"),
        ("/fault/binary", "not-html"),
        ("/fault/binary-as-html", "not-html"),
        ("/fault/redirect-loop", "redirect-loop"),
        ("/fault/slow?s=3", "timeout"),
        ("/fault/huge", "too-large"),
    ],
)
def test_clear_one_line_errors(site: SiteServer, capsys, tmp_path, path: str, needle: str) -> None:
    cfg = config(tmp_path, "{timeout_s: 1, connect_timeout_s: 1, max_bytes: 2000000}")
    code, out, err = run(capsys, "fetch", site.url + path, "--config", str(cfg))
    assert code == 1
    assert out == ""
    assert needle in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("ftp://example.org/x", "bad-url"),
        ("not a url", "bad-url"),
        ("http://no-such-host.invalid/", "dns"),
    ],
)
def test_bad_urls_and_dns(capsys, tmp_path, url: str, needle: str) -> None:
    code, _, err = run(capsys, "fetch", url, "--config", str(config(tmp_path)))
    assert code == 1 and needle in err and err.count("\n") == 1


def test_malformed_html_still_gives_a_document(site: SiteServer, capsys, tmp_path) -> None:
    code, out, _ = run(
        capsys, "fetch", site.url + "/fault/malformed", "--json", "--config", str(config(tmp_path))
    )
    assert code == 0
    assert isinstance(json.loads(out)["segments"], list)


def test_broken_config_exits_2(capsys, tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("http: {timeout_s: -1}\n", encoding="utf-8")
    code, _, err = run(capsys, "fetch", "http://127.0.0.1:9/", "--config", str(bad))
    assert code == 2 and "http.timeout_s" in err


def test_console_entry_point(site: SiteServer, demo_site: Site, tmp_path) -> None:
    art = demo_site.articles_in("en")[0]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scraper",
            "fetch",
            site.url_for(art.path),
            "--json",
            "--config",
            str(config(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["title"] == art.title
