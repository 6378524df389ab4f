"""Load and validate ``config.yaml`` into typed, frozen models.

This is the only module that reads YAML config. Every problem is reported as one
``ConfigError`` line naming the file and the key path (``sites.japantoday.remove.2: …``).
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from scraper.errors import ConfigError

__all__ = [
    "CleanSettings",
    "Config",
    "CrawlSettings",
    "FetchSettings",
    "ServeSettings",
    "SiteRule",
    "describe_yaml_error",
    "find_config",
    "load_config",
    "parse_duration",
]

DEFAULT_USER_AGENT = "scraper/0.1 (+https://github.com/scraper-project/scraper)"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> float:
    """``30m``, ``6h``, ``1d``, ``90`` (seconds) → seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"not a duration: {value!r} (use e.g. 30m, 6h, 1d)")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"duration must be positive: {value!r}")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


def _check_selector(selector: str) -> str:
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except SelectolaxError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}") from exc
    return selector


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc
    return pattern


Selector = Annotated[str, BeforeValidator(_check_selector)]
Regex = Annotated[str, BeforeValidator(_check_regex)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FetchSettings(_Model):
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = Field(20.0, gt=0, description="the whole response (request to last byte), s")
    connect_timeout: float = Field(10.0, gt=0)
    retries: int = Field(3, ge=0, le=20, description="retries after the first attempt")
    backoff: float = Field(0.5, ge=0, description="first backoff, seconds; doubles each retry")
    max_backoff: float = Field(30.0, ge=0)
    retry_after_cap: float = Field(120.0, ge=0, description="longest Retry-After we wait")
    max_bytes: int = Field(10_000_000, gt=0)
    max_redirects: int = Field(10, ge=0)


class CrawlSettings(_Model):
    concurrency: int = Field(8, ge=1)
    per_host: int = Field(1, ge=1)
    delay: float = Field(1.0, ge=0)
    state_dir: Path = Path(".scraper")
    output_dir: Path = Path("out")
    format: Literal["text", "markdown", "json"] = "text"
    warc: bool = False
    workers: int = Field(0, ge=0, description="cleaning processes; 0 means one per core")
    robots_ttl: Duration = Field(86400.0, le=86400, description="robots.txt cache, ≤ 24 h")
    robots_retry: Duration = Field(300.0, description="ask again after a 5xx robots.txt")
    max_sitemaps: int = Field(100, ge=1, description="sitemaps read per run, at most")
    max_sitemap_depth: int = Field(2, ge=0, description="sitemap index levels followed")
    clean_timeout: Duration = Field(30.0, description="longest time cleaning one page")
    store: str = Field("sqlite", description="sqlite, or a PostgreSQL DSN shared by workers")
    lease: Duration = Field(60.0, ge=1, description="a worker's hold on URLs and hosts")
    templates: bool = Field(True, description="learn each site's template as it crawls")
    template_pages: int = Field(5, ge=2, description="pages a site's template rests on, at least")
    template_sample: int = Field(8, ge=2, description="page fingerprints kept per site")

    @field_validator("store")
    @classmethod
    def _check_store(cls, store: str) -> str:
        store = store.strip()
        if store != "sqlite" and not store.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                f"not a store: {store!r} (use sqlite, or a DSN postgresql://user@host/db)"
            )
        return store


class CleanSettings(_Model):
    comments: bool = Field(False, description="render reader comments after the body")


def _network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"not a network in CIDR notation: {value!r} ({exc})") from exc


def _env_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError(f"not the name of an environment variable: {value!r}")
    return value


Network = Annotated[ipaddress.IPv4Network | ipaddress.IPv6Network, BeforeValidator(_network)]
EnvName = Annotated[str, BeforeValidator(_env_name)]


class ServeSettings(_Model):
    """``scraper serve``. Tokens are named here, never written: each is the name of an
    environment variable that holds one."""

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    workers: int = Field(0, ge=0, description="cleaning processes; 0 means one per core")
    allow_networks: list[Network] = Field(
        [], description="non-public addresses fetched on purpose (CIDRs)"
    )
    tokens: list[EnvName] = Field([], description="environment variables holding bearer tokens")
    rate_limit: float = Field(0.0, ge=0, description="requests per minute per client; 0: none")
    burst: int = Field(10, ge=1, description="requests a client may make at once")
    queue: int = Field(256, ge=1, description="requests in flight at most; more get 503")


class SiteRule(_Model):
    hosts: list[str] = Field(min_length=1)
    content: Selector | None = None
    remove: list[Selector] = []
    drop_lines: list[Regex] = []
    # crawl settings of the site
    start: list[str] = []
    sitemaps: list[str] = []
    feeds: list[str] = []
    include: list[Regex] = []
    exclude: list[Regex] = []
    max_depth: int = Field(2, ge=0)
    max_pages: int = Field(100, ge=1)
    every: Duration = 86400.0
    delay: float | None = Field(None, ge=0)
    comments: bool | None = Field(None, description="render reader comments (default: clean's)")

    @field_validator("hosts")
    @classmethod
    def _lower_hosts(cls, hosts: list[str]) -> list[str]:
        cleaned = [h.strip().lower().lstrip(".") for h in hosts]
        for host in cleaned:
            if not host or "/" in host or " " in host:
                raise ValueError(f"not a host name: {host!r}")
        return cleaned


class Config(_Model):
    fetch: FetchSettings = FetchSettings()
    crawl: CrawlSettings = CrawlSettings()
    clean: CleanSettings = CleanSettings()
    serve: ServeSettings = ServeSettings()
    sites: dict[str, SiteRule] = {}

    def comments_for(self, host: str | None) -> bool:
        """Whether reader comments are rendered for ``host``: its site's ``comments``,
        else ``clean.comments``."""
        match = self.site_for(host)
        if match is not None and match[1].comments is not None:
            return match[1].comments
        return self.clean.comments

    def site_for(self, host: str | None) -> tuple[str, SiteRule] | None:
        """The site whose hosts cover ``host`` (the most specific one wins)."""
        if not host:
            return None
        host = host.lower().rstrip(".")
        matches = [
            (len(h), name, rule)
            for name, rule in self.sites.items()
            for h in rule.hosts
            if host == h or host.endswith("." + h)
        ]
        if not matches:
            return None
        _, name, rule = max(matches, key=lambda m: m[0])
        return name, rule

    def without_site(self, name: str) -> Config:
        return self.model_copy(update={"sites": {k: v for k, v in self.sites.items() if k != name}})


def _format_error(source: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    path = ".".join(str(p) for p in err["loc"]) or "(top level)"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    more = len(exc.errors()) - 1
    tail = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
    return f"{source}: {path}: {msg}{tail}"


def config_from_mapping(data: Any, source: str = "<config>") -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: top level must be a mapping of keys, not {type(data).__name__}"
        )
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        key = ".".join(str(p) for p in exc.errors()[0]["loc"]) or None
        raise ConfigError(_format_error(source, exc), path=source, key=key) from None


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """``--config PATH``, else ``$SCRAPER_CONFIG``, else ``./config.yaml``, else none."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("SCRAPER_CONFIG")
    if env:
        return Path(env)
    local = Path("config.yaml")
    return local if local.is_file() else None


def load_config(path: str | os.PathLike[str] | None = None, *, search: bool = True) -> Config:
    """Load ``path`` (or the one ``find_config`` picks); built-in defaults when none is found."""
    found = find_config(path) if search or path is not None else None
    if found is None:
        return Config()
    try:
        raw = found.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{found}: config file not found", path=str(found)) from None
    except (OSError, UnicodeDecodeError) as exc:
        message = f"{found}: cannot read config file: {exc}"
        raise ConfigError(message, path=str(found)) from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{found}: {describe_yaml_error(exc)}", path=str(found)) from None
    return config_from_mapping(data, str(found))


def describe_yaml_error(exc: yaml.YAMLError) -> str:
    """``line N: invalid YAML: <problem>``, one line, for any YAML file we read."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}invalid YAML: {problem}"
