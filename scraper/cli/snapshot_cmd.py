"""``scraper snapshot add|update``: grow the corpus and rewrite its expected text."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from scraper.batch.failure import guarded
from scraper.cleaner import clean
from scraper.cli import say_wait
from scraper.config import Config, load_config
from scraper.errors import InputError, ScraperError
from scraper.fetch.client import Fetcher
from scraper.review.snapshots import MANIFEST, Corpus, page_bytes, snapshot_of

__all__ = ["EXIT_BROKEN_STRINGS", "config_for", "root_option", "say_wait", "snapshot_group"]

# The exit code of ``scraper diff`` for the same fault (README, "Exit codes").
EXIT_BROKEN_STRINGS = 1

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Repository holding tests/pages/ and snapshots/.",
)
config_option = click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (default: $SCRAPER_CONFIG, else ROOT/config.yaml, else ./config.yaml).",
)


def config_for(root: Path, config_path: str | None) -> Config:
    """``--config``, else ``$SCRAPER_CONFIG``, else the corpus's own ``config.yaml``, else the
    usual lookup: snapshots are made with the rules of the repository they live in."""
    if config_path is None and not os.environ.get("SCRAPER_CONFIG"):
        own = root / "config.yaml"
        if own.is_file():
            return load_config(own)
    return load_config(config_path)


@click.group("snapshot")
def snapshot_group() -> None:
    """Add pages to the snapshot corpus and rewrite their snapshots."""


@snapshot_group.command("add")
@click.argument("url")
@click.option("--name", "slug", help="File name for the page (default: from the URL).")
@root_option
@config_option
def add_command(url: str, slug: str | None, root: Path, config_path: str | None) -> None:
    """Fetch URL, store it under tests/pages/, add it to the manifest, write its snapshot."""
    config = config_for(root, config_path)
    corpus = Corpus.load(root, missing_ok=True)
    existing = corpus.find_url(url)
    if existing is not None:
        raise InputError(f"{url}: already in the corpus as {existing.key}")
    with Fetcher(config.fetch, on_wait=say_wait) as fetcher:
        result = fetcher.fetch(url)
    body = page_bytes(result.body, result.charset)
    # Clean before writing anything: a page we cannot clean is not added.
    doc = guarded(url, lambda: clean(body, result.final_url, config=config))
    page = corpus.add_page(result.final_url, body, slug=slug)
    corpus.write_snapshot(page, snapshot_of(doc))
    click.echo(f"added {corpus.relative(corpus.page_file(page))}")
    click.echo(f"wrote {corpus.relative(corpus.text_file(page))}")
    click.echo(f"      {corpus.relative(corpus.meta_file(page))}")


@snapshot_group.command("update")
@click.argument("paths", nargs=-1)
@click.option("--site", help="Only pages of this site (a site name in the config, or a host).")
@root_option
@config_option
def update_command(
    paths: tuple[str, ...], site: str | None, root: Path, config_path: str | None
) -> None:
    """Re-clean stored pages and rewrite their snapshots, saying which changed.

    PATHS are pages, snapshots, host folders or HOST/SLUG names; all pages by default.
    """
    config = config_for(root, config_path)
    corpus = Corpus.load(root)
    pages = corpus.select(paths, site=site, config=config)
    changed = 0
    failed: list[ScraperError] = []
    checks = corpus.check_all(pages, config)
    for check in checks:
        if check.new is None:
            if check.error is not None:
                failed.append(check.error)
            continue
        if corpus.write_snapshot(check.page, check.new):
            changed += 1
            verb = "added  " if check.old is None else "updated"
            click.echo(f"{verb} {corpus.relative(corpus.text_file(check.page))}")
    total = len(pages)
    click.echo(f"{changed} of {total} snapshot{'s' * (total != 1)} changed", err=True)
    # Updating a snapshot cannot make a page right: the manifest's strings still hold.
    broken = [
        f"{check.page.key}: {problem} ({MANIFEST.as_posix()})"
        for check in checks
        if check.new is not None
        for problem in check.page.string_problems(check.new.text)
    ]
    for line in broken:
        click.echo(f"error: {line}", err=True)
    if failed:
        for error in failed[1:]:
            click.echo(f"error: {error}", err=True)
        raise failed[0]
    if broken:
        sys.exit(EXIT_BROKEN_STRINGS)
