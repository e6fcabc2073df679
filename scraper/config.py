"""Configuration: `config.yaml` loaded and validated with pydantic.

Unknown keys are rejected, every error names the key; relative paths resolve against the file's folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_USER_AGENT = "bilingual-scraper/0.1 (+https://example.invalid/bot; research crawler)"


class ConfigError(Exception):
    """The configuration file is missing, unreadable or invalid; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpConfig(_Strict):
    """HTTP client settings."""

    user_agent: str = DEFAULT_USER_AGENT
    timeout_s: Annotated[float, Field(gt=0, le=600)] = 20.0
    connect_timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0
    concurrency: Annotated[int, Field(ge=1, le=512)] = 16
    per_host_concurrency: Annotated[int, Field(ge=1, le=64)] = 4
    delay_s: Annotated[float, Field(ge=0, le=3600)] = 1.0
    max_bytes: Annotated[int, Field(ge=1024)] = 10_000_000
    max_redirects: Annotated[int, Field(ge=0, le=30)] = 5
    retries: Annotated[int, Field(ge=0, le=10)] = 3
    backoff_s: Annotated[float, Field(ge=0, le=600)] = 1.0
    max_retry_after_s: Annotated[float, Field(ge=0, le=86400)] = 120.0
    refuse_private_addresses: bool = False


class OutputConfig(_Strict):
    """Where the dataset (and, by default, the crawl state) lives."""

    path: Path = Path("data")
    state_path: Path | None = None  # default: <path>/state
    #: A crawl flushes the writer (and then marks those URLs fetched) after this many new documents.
    flush_every_docs: Annotated[int, Field(ge=1, le=100_000)] = 200
    #: Archive every stored article's HTTP response in <path>/warc/<site>/ (for `scraper reclean`).
    warc: bool = False


class CleanerConfig(_Strict):
    """Cleaner rules shared by all sites."""

    boilerplate: list[str] = []
    profile_min_pages: Annotated[int, Field(ge=1)] = 10
    profile_min_share: Annotated[float, Field(gt=0, le=1)] = 0.3
    min_letters: Annotated[int, Field(ge=1, le=50)] = 3


class SiteConfig(_Strict):
    """One site to crawl."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    start_urls: Annotated[list[str], Field(min_length=1)]
    allowed_hosts: list[str] = []
    languages: Annotated[list[str], Field(min_length=1)] = ["ar", "en"]
    sitemaps: list[str] = []
    feeds: list[str] = []
    include: list[str] = []
    exclude: list[str] = []
    article_patterns: list[str] = []
    max_depth: Annotated[int, Field(ge=0, le=50)] = 3
    refresh_after: str | None = None
    boilerplate: list[str] = []
    delay_s: Annotated[float | None, Field(ge=0)] = None

    @field_validator("start_urls", "sitemaps", "feeds")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for u in urls:
            parts = urlsplit(u)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{u!r} is not an http(s) URL")
        return urls

    @field_validator("include", "exclude", "article_patterns")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"{p!r} is not a valid regular expression: {exc}") from None
        return patterns

    @field_validator("languages")
    @classmethod
    def _langs(cls, langs: list[str]) -> list[str]:
        for lang in langs:
            if not re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", lang):
                raise ValueError(f"{lang!r} is not an ISO 639-1 code such as 'ar' or 'en'")
        return langs

    @field_validator("refresh_after")
    @classmethod
    def _duration(cls, v: str | None) -> str | None:
        if v is not None:
            parse_duration(v)
        return v

    @model_validator(mode="after")
    def _default_hosts(self) -> SiteConfig:
        if not self.allowed_hosts:
            hosts = sorted({urlsplit(u).hostname or "" for u in self.start_urls})
            object.__setattr__(self, "allowed_hosts", hosts)
        return self


class Config(_Strict):
    """The whole configuration file."""

    output: OutputConfig = OutputConfig()
    http: HttpConfig = HttpConfig()
    cleaner: CleanerConfig = CleanerConfig()
    sites: list[SiteConfig] = []
    source: Path | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        names = [s.name for s in self.sites]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"site names must be unique; repeated: {', '.join(dup)}")
        return self

    @property
    def data_path(self) -> Path:
        """The dataset folder."""
        return self.output.path

    @property
    def state_path(self) -> Path:
        """Where the frontier, profiles and lock live."""
        return self.output.state_path or self.output.path / "state"

    def site(self, name: str) -> SiteConfig:
        """The site named `name`; ConfigError if there is none."""
        for s in self.sites:
            if s.name == name:
                return s
        raise ConfigError(
            f"no site named {name!r} in the config (have: {', '.join(s.name for s in self.sites) or 'none'})"
        )

    def site_for_url(self, url: str) -> SiteConfig | None:
        """The configured site whose allowed hosts include the URL's host."""
        host = (urlsplit(url).hostname or "").lower()
        for s in self.sites:
            if host in (h.lower() for h in s.allowed_hosts):
                return s
        return None


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """Seconds in a duration such as "90s", "15m", "2h", "2d", "1w"."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a duration such as '30m', '2h' or '2d'")
    return float(m.group(1)) * _UNIT_S[m.group(2)]


def load_config(path: str | Path | None = None, *, required: bool = True) -> Config:
    """Load and validate a config file; relative paths resolve against its folder.

    With `required=False` a missing file gives the defaults (output under ./data).
    """
    p = Path(path) if path is not None else Path("config.yaml")
    if not p.exists():
        if required:
            raise ConfigError(f"{p}: config file not found")
        return _resolve(Config(), Path.cwd(), None)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{p}: the top level must be a mapping of keys (output, http, cleaner, sites)"
        )
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{p}: " + format_validation_error(exc, raw)) from None
    return _resolve(cfg, p.resolve().parent, p.resolve())


def _resolve(cfg: Config, base: Path, source: Path | None) -> Config:
    out = cfg.output
    path = out.path if out.path.is_absolute() else base / out.path
    state = out.state_path
    if state is not None and not state.is_absolute():
        state = base / state
    return cfg.model_copy(
        update={
            "output": out.model_copy(update={"path": path, "state_path": state}),
            "source": source,
        }
    )


def format_validation_error(exc: ValidationError, raw: Any) -> str:
    """One line per problem: the key path, what is wrong, what is expected."""
    lines = []
    for err in exc.errors():
        loc = _loc_name(err["loc"], raw)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling; see config.yaml comments for the keys)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"{loc}: {msg}")
    return "; ".join(lines)


def _loc_name(loc: tuple[Any, ...], raw: Any) -> str:
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            name = None
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                name = node[item].get("name")
            parts[-1 if parts else 0 :] = [f"{parts[-1] if parts else ''}[{name or item}]"]
            node = node[item] if isinstance(node, list) and item < len(node) else None
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"
