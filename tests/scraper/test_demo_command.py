"""`scraper demo`: the README's main-job command, run in-process against its own loopback site."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scraper.cli import main


def test_demo_collects_the_site_and_a_rerun_adds_nothing(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./config.yaml here: defaults apply
    data = tmp_path / "data"
    assert main(["demo", "--data", str(data), "--articles", "8"]) == 0
    out = capsys.readouterr().out
    assert "new documents        8" in out
    docs = pd.read_parquet(data / "documents")
    assert len(docs) == 8 and set(docs["main_lang"]) == {"ar", "en"}
    assert main(["demo", "--data", str(data), "--articles", "8"]) == 0
    assert "new documents        0" in capsys.readouterr().out
    assert len(pd.read_parquet(data / "documents")) == 8


def test_stats_and_compact_commands(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    assert main(["demo", "--data", str(data), "--articles", "6"]) == 0
    assert main(["demo", "--data", str(data), "--articles", "6"]) == 0
    capsys.readouterr()
    assert main(["stats", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "documents: 6" in out and "demo-site" in out
    before = len(list((data / "documents").rglob("*.parquet")))
    assert main(["compact", "--data", str(data)]) == 0
    assert "6 documents" in capsys.readouterr().out
    after = len(list((data / "documents").rglob("*.parquet")))
    assert after <= before
    assert len(pd.read_parquet(data / "documents")) == 6
