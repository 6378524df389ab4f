"""``scraper diff``: today's clean text against the snapshots, as a unified diff.

Exit 0 when nothing differs, 1 when something does (like ``git diff --exit-code``) or a
page's text breaks its manifest entry (``must_contain``/``must_not_contain``), 2 on any
error (a page that cannot be cleaned or fetched, a bad config, an inconsistent corpus).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from scraper.batch.failure import guarded
from scraper.cleaner import clean
from scraper.cli.snapshot_cmd import config_for, root_option, say_wait
from scraper.config import Config
from scraper.errors import InputError, ScraperError
from scraper.fetch.client import Fetcher
from scraper.review.snapshots import MANIFEST, Check, Corpus, snapshot_of
from scraper.review.textdiff import ColorMode, colorize, stat, use_color

__all__ = ["diff_command"]

EXIT_DIFF = 1
EXIT_ERROR = 2


class _DiffError(click.ClickException):
    exit_code = EXIT_ERROR


@click.command("diff")
@click.argument("targets", nargs=-1)
@click.option("--site", help="Only pages of this site (a site name in the config, or a host).")
@click.option("--stat", "show_stat", is_flag=True, help="A summary per file, not the diff.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the diff (auto: on a terminal, unless NO_COLOR is set).",
)
@root_option
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (default: $SCRAPER_CONFIG, else ROOT/config.yaml, else ./config.yaml).",
)
def diff_command(
    targets: tuple[str, ...],
    site: str | None,
    show_stat: bool,
    color: ColorMode,
    root: Path,
    config_path: str | None,
) -> None:
    """Re-clean stored pages and diff them against their snapshots.

    TARGETS are pages, snapshots, host folders or HOST/SLUG names (all pages by default), or
    URLs: a URL is fetched live and diffed against its page's snapshot, to tell whether a site
    changed its template. Exit 0: no difference; 1: differences; 2: error.
    """
    try:
        checks, errors = _run(targets, site, root, config_path)
    except ScraperError as exc:
        raise _DiffError(str(exc)) from None

    diffs = [d for check in checks for d in check.diffs()]
    if show_stat:
        out = stat(diffs)
    else:
        out = "".join(d.text for d in diffs)
        if use_color(color, isatty=sys.stdout.isatty(), environ=os.environ):
            out = colorize(out)
    click.echo(out, nl=False, color=True)

    differing = sum(1 for check in checks if check.changed)
    if differing:
        click.echo(
            f"{differing} of {len(checks)} {'page differs' if differing == 1 else 'pages differ'}"
            " from their snapshots; if the change is intended, run `scraper snapshot update`"
            " and commit",
            err=True,
        )
    # The manifest's strings hold whatever the snapshots say: updating them cannot hide a loss.
    broken = [
        f"{check.page.key}: {problem} ({MANIFEST.as_posix()})"
        for check in checks
        if check.new is not None
        for problem in check.page.string_problems(check.new.text)
    ]
    for line in broken:
        click.echo(line, err=True)
    if errors:
        for error in errors[:-1]:
            click.echo(f"error: {error}", err=True)
        raise _DiffError(errors[-1])
    if differing or broken:
        sys.exit(EXIT_DIFF)


def _run(
    targets: tuple[str, ...], site: str | None, root: Path, config_path: str | None
) -> tuple[list[Check], list[str]]:
    config = config_for(root, config_path)
    urls = [t for t in targets if "://" in t and not Path(t).exists()]
    paths = [t for t in targets if t not in urls]
    corpus = Corpus.load(root)
    errors: list[str] = []
    checks: list[Check] = []
    if paths or site or not urls:
        pages = corpus.select(paths, site=site, config=config)
        if not paths and not site:
            errors += corpus.problems()
        checks += corpus.check_all(pages, config)
    for url in urls:
        checks.append(_live(corpus, url, config))
    errors = [str(c.error) for c in checks if c.error is not None] + errors
    return checks, errors


def _live(corpus: Corpus, url: str, config: Config) -> Check:
    page = corpus.find_url(url)
    if page is None:
        raise InputError(
            f"{url}: no page in the corpus has this URL (add it with `scraper snapshot add`)"
        )
    old = corpus.read_snapshot(page)
    try:
        with Fetcher(config.fetch, on_wait=say_wait) as fetcher:
            result = fetcher.fetch(url)
        new = guarded(
            url, lambda: snapshot_of(clean(result.text(), result.final_url, config=config))
        )
    except ScraperError as exc:
        return Check(page, old, None, exc)
    return Check(page, old, new, new_label=url)
