"""The README is what a newcomer reads first: keep its commands and exit codes true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import scraper
from scraper.cli import EXIT_CODES, EXIT_INTERRUPTED, EXIT_SOME_FAILED, EXIT_USAGE, exit_code, main

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
    for cls, code in EXIT_CODES:
        assert str(code) in table, cls.__name__
    for code in (EXIT_USAGE, EXIT_SOME_FAILED, EXIT_INTERRUPTED):
        assert str(code) in table, code


def test_exit_codes_live_in_the_cli_not_on_the_library_classes():
    for name in scraper.__all__:
        obj = getattr(scraper, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert not hasattr(obj, "exit_code"), name
    assert exit_code(scraper.ContentError("x", url="u")) == 6
    assert exit_code(scraper.FetchError("x", url="u")) == 5
    assert exit_code(scraper.ScraperError("x")) == 1


def test_readme_opens_with_the_two_commands():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "pip install -e ." in first_block and "scraper clean tests/pages/" in first_block
    assert "pip install -c constraints.txt -e '.[test]'" in first_block and "pytest" in first_block
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(line for line in first_block.splitlines() if "pytest" in line)
    assert test_command.strip() in ci
