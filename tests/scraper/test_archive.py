"""WARC archive and `scraper reclean`: the dataset rebuilt from the archive equals the original."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from output import load_documents, load_segments
from scraper.archive import WarcArchive, iter_archive
from scraper.cli import main


def test_archive_round_trip_and_a_cut_record_is_reported(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path, "s")
    when = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    refs = [
        archive.write_response(
            f"http://h/{i}",
            200,
            "OK",
            {"content-type": "text/html; charset=windows-1256", "content-encoding": "gzip"},
            f"<p>مرحبا {i}</p>".encode("cp1256") * 40,
            when,
        )
        for i in range(3)
    ]
    archive.close()
    got = [r for r in iter_archive(tmp_path)]
    assert [r.ref for r in got] == refs  # type: ignore[union-attr]
    first = got[0]
    assert not isinstance(first, str)
    assert first.url == "http://h/0" and first.site == "s" and first.fetched_at == when
    assert first.body.decode("cp1256").startswith("<p>مرحبا 0</p>")
    assert "content-encoding" not in first.headers  # the stored body is the decoded one
    # A run killed mid-record leaves a cut last record: it is reported, not replayed.
    path = next((tmp_path / "warc").rglob("*.warc.gz"))
    path.write_bytes(path.read_bytes()[:-40])
    items = list(iter_archive(tmp_path))
    assert [i.ref for i in items if not isinstance(i, str)] == refs[:2]
    assert any(isinstance(i, str) for i in items)


def test_reclean_rebuilds_the_dataset_from_the_archive(
    site_factory, tmp_path: Path, capsys
) -> None:
    server = site_factory(n_articles=6)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "output: {path: data, warc: true}\nhttp: {delay_s: 0}\n"
        f"sites: [{{name: demo, start_urls: ['{server.url}/'], article_patterns: ['/\\d{{4}}/'], max_depth: 5}}]\n",
        encoding="utf-8",
    )
    assert main(["crawl", "--config", str(cfg), "--workers", "0"]) == 0
    original = load_documents(tmp_path / "data")
    assert original["warc_ref"].notna().all()
    assert main(["reclean", "--config", str(cfg), "--out", str(tmp_path / "rebuilt")]) == 0
    assert "6 documents" in capsys.readouterr().out
    rebuilt = load_documents(tmp_path / "rebuilt")
    key = ["url", "content_hash", "version", "site", "title", "main_lang"]
    assert (
        rebuilt[key]
        .sort_values("url")
        .reset_index(drop=True)
        .astype(str)
        .equals(original[key].sort_values("url").reset_index(drop=True).astype(str))
    )
    # Original fetch times (to the second, as WARC-Date holds them), so partitions match too.
    assert list(rebuilt.sort_values("url")["fetched_at"]) == list(
        original.sort_values("url")["fetched_at"].dt.floor("s")
    )
    assert len(load_segments(tmp_path / "rebuilt")) == len(load_segments(tmp_path / "data"))
    # --out may not be the dataset itself.
    assert main(["reclean", "--config", str(cfg), "--out", str(tmp_path / "data")]) == 2
