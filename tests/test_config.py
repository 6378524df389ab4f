from __future__ import annotations

from pathlib import Path

import pytest

from scraper import Config, ConfigError, load_config
from scraper.config import parse_duration

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_repository_config_loads():
    config = load_config(ROOT / "config.yaml")
    assert "japantoday" in config.sites
    assert "scraper" in config.fetch.user_agent and "http" in config.fetch.user_agent


def test_no_config_found_gives_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCRAPER_CONFIG", raising=False)
    assert load_config() == Config()


def test_env_variable_picks_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, "fetch: {retries: 7}\n")
    monkeypatch.setenv("SCRAPER_CONFIG", str(path))
    assert load_config().fetch.retries == 7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sites:\n  japantoday:\n    hosts: [japantoday.com]\n    remove: [a, b, 'div[']\n",
            "sites.japantoday.remove.2: invalid CSS selector 'div['",
        ),
        (
            "sites:\n  jt:\n    hosts: [x.com]\n    content: 'p >> q'\n",
            "sites.jt.content: invalid CSS selector",
        ),
        (
            "sites:\n  jt:\n    hosts: [x.com]\n    drop_lines: ['ok', '(unclosed']\n",
            "sites.jt.drop_lines.1: invalid regular expression '(unclosed'",
        ),
        ("fetch:\n  timeot: 3\n", "fetch.timeot: unknown key"),
        ("sites:\n  jt:\n    hosts: [x.com]\n    colour: red\n", "sites.jt.colour: unknown key"),
        ("fetch:\n  retries: many\n", "fetch.retries: "),
        ("sites:\n  jt:\n    hosts: [x.com]\n    every: soon\n", "sites.jt.every: not a duration"),
        ("sites:\n  jt:\n    remove: [a]\n", "sites.jt.hosts: Field required"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("fetch: {retries: [\n", "line 2: invalid YAML"),
    ],
)
def test_bad_config_names_the_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    line = str(info.value)
    assert "\n" not in line
    assert line.startswith(str(path) + ": ")
    assert message in line


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("value", "seconds"), [("30m", 1800), ("6h", 21600), ("1d", 86400), (90, 90), ("45s", 45)]
)
def test_durations(value, seconds):
    assert parse_duration(value) == seconds


def test_most_specific_site_wins():
    config = Config.model_validate(
        {"sites": {"all": {"hosts": ["example.com"]}, "blog": {"hosts": ["blog.example.com"]}}}
    )
    assert config.site_for("blog.example.com")[0] == "blog"
    assert config.site_for("www.example.com")[0] == "all"
    assert config.site_for("example.org") is None


def test_example_config_shows_every_setting():
    """config.yaml is the example: every fetch, crawl, serve and site key appears in it."""
    from scraper.config import CrawlSettings, FetchSettings, ServeSettings, SiteRule

    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    for model in (FetchSettings, CrawlSettings, ServeSettings, SiteRule):
        for name in model.model_fields:
            assert f" {name}:" in text, f"{model.__name__}.{name} missing from config.yaml"
