"""The README is what a newcomer reads first: keep its commands and exit codes true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import scraper
from scraper.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_the_readme_uses_exists():
    used = set(re.findall(r"^\s*(?:\.venv/bin/)?scraper ([a-z-]+)", README, re.M))
    assert {"clean", "crawl", "diff", "snapshot"} <= used
    assert used <= set(main.commands), used - set(main.commands)


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_exit_code_table_matches_the_error_classes():
    table = dict(re.findall(r"^\| (\d+) \| ([^|]+) \|", README, re.M))
    for cls in (
        scraper.ConfigError,
        scraper.InputError,
        scraper.FetchError,
        scraper.ContentError,
        scraper.ExtractionError,
        scraper.StateError,
        scraper.SnapshotError,
    ):
        assert str(cls.exit_code) in table, cls.__name__


def test_readme_opens_with_the_two_commands():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "pip install -e ." in first_block and "scraper clean tests/pages/" in first_block
    assert "pip install -e '.[test]'" in first_block and "pytest" in first_block
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(line for line in first_block.splitlines() if "pytest" in line)
    assert test_command.strip() in ci
