"""Config loading: validation names the key, paths resolve against the file's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.config import ConfigError, load_config, parse_duration

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_config_is_valid() -> None:
    cfg = load_config(ROOT / "config.yaml")
    assert cfg.sites and cfg.sites[0].languages == ["ar", "en"]
    assert cfg.data_path == ROOT / "data"


def test_relative_paths_resolve_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = write(
        tmp_path, "output: {path: out}\nsites: [{name: a, start_urls: ['http://a.example/']}]\n"
    )
    monkeypatch.chdir("/")
    cfg = load_config(p)
    assert cfg.data_path == tmp_path / "out"
    assert cfg.state_path == tmp_path / "out" / "state"
    assert cfg.sites[0].allowed_hosts == ["a.example"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("http: {timeout: 3}\n", "http.timeout: unknown key"),
        ("outptu: {path: x}\n", "outptu: unknown key"),
        ("sites: [{name: a, start_urls: ['ftp://a/']}]\n", "sites[a].start_urls"),
        (
            "sites: [{name: a, start_urls: ['http://a/'], languages: [arabic]}]\n",
            "sites[a].languages",
        ),
        ("sites: [{name: a, start_urls: ['http://a/'], include: ['(']}]\n", "sites[a].include"),
        ("sites: [{name: a}]\n", "sites[a].start_urls: required key is missing"),
        ("http: {concurrency: 0}\n", "http.concurrency"),
        ("sites: [{name: a, start_urls: ['http://a/'], refresh_after: soon}]\n", "refresh_after"),
        (
            "sites: [{name: a, start_urls: ['http://a/']}, {name: a, start_urls: ['http://b/']}]\n",
            "unique",
        ),
        ("- just a list\n", "top level must be a mapping"),
        ("http: {timeout_s: [\n", "not valid YAML"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert needle in str(err.value)
    assert str(tmp_path) in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    assert load_config(tmp_path / "nope.yaml", required=False).sites == []


def test_durations() -> None:
    assert parse_duration("2d") == 172800
    assert parse_duration("90s") == 90
    with pytest.raises(ValueError):
        parse_duration("2 days")
