"""``scraper crawl``: crawl the sites that are due (or the named ones), politely, incrementally."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console

from scraper.cli import EXIT_SOME_FAILED
from scraper.config import Config, CrawlSettings, find_config, load_config
from scraper.crawl.events import Event
from scraper.crawl.progress import LiveDisplay, LogLines, summary_json, summary_table
from scraper.crawl.runner import crawl_due, watch
from scraper.crawl.schedule import crawlable, next_due
from scraper.crawl.stopping import Stop
from scraper.crawl.store import Store, open_store
from scraper.document import FORMATS
from scraper.errors import ConfigError

__all__ = ["crawl_command"]


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[list[int]]:
    """SIGTERM and SIGINT set ``stop``: the crawl finishes the pages in flight, then returns.

    A second SIGINT interrupts at once; each page is one transaction, so nothing is lost."""
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now (the run resumes next time)
        received.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@click.command("crawl")
@click.option("--config", "-c", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--site", "-s", "sites", multiple=True, help="Crawl this site (repeatable).")
@click.option("--force", is_flag=True, help="Crawl even the sites that are not due.")
@click.option(
    "--watch", "watch_mode", is_flag=True, help="Crawl sites as they fall due until a signal."
)
@click.option("--state-dir", type=click.Path(file_okay=False), help="Crawl state directory.")
@click.option(
    "--store",
    "store_spec",
    metavar="sqlite|DSN",
    help="Crawl state: sqlite (under --state-dir) or a PostgreSQL DSN shared by many workers.",
)
@click.option("--output-dir", "-o", type=click.Path(file_okay=False), help="Output directory.")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), help="Document format.")
@click.option("--warc/--no-warc", default=None, help="Archive raw responses as WARC.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and warnings.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on standard output.")
def crawl_command(
    config_path: str | None,
    sites: tuple[str, ...],
    force: bool,
    watch_mode: bool,
    state_dir: str | None,
    store_spec: str | None,
    output_dir: str | None,
    fmt: str | None,
    warc: bool | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Crawl the sites that are due: new and changed articles as clean text.

    One cron line every few minutes serves sites with different `every`. Exit codes as for
    every command; 8 when another crawl holds the state.
    """
    config = load_config(config_path)
    _check_sites(config, config_path, sites)
    overrides: dict[str, Any] = {
        key: value
        for key, value in (
            ("state_dir", Path(state_dir) if state_dir else None),
            ("store", store_spec),
            ("output_dir", Path(output_dir) if output_dir else None),
            ("format", fmt),
            ("warc", warc),
        )
        if value is not None
    }
    if overrides:
        try:
            crawl = CrawlSettings.model_validate({**config.crawl.model_dump(), **overrides})
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise ConfigError(f"--store: {message}") from None
        config = config.model_copy(update={"crawl": crawl})

    err = Console(stderr=True)
    live = not quiet and not as_json and err.is_terminal
    stop = Stop()
    store = open_store(config.crawl.store, config.crawl.state_dir)
    try:
        with store.lock(), _stop_on_signals(stop) as received, ExitStack() as stack:
            emit: Callable[[Event], None] | None = None
            if live:
                emit = stack.enter_context(LiveDisplay(err))
            else:  # failures and warnings print even with --quiet or --json
                emit = LogLines(sys.stderr, errors_only=quiet or as_json)
            if watch_mode:
                summaries = watch(config, store, names=sites, emit=emit, stop=stop)
            else:
                summaries = crawl_due(config, store, names=sites, force=force, emit=emit, stop=stop)
            not_due = "" if summaries else _not_due(config, store, sites)
    finally:
        store.close()

    if as_json:
        click.echo(summary_json(summaries))
    elif not quiet:
        if summaries:
            out = Console()
            if not out.is_terminal:
                out = Console(width=160)  # a log file: no terminal width to fit
            out.print(summary_table(summaries))
        else:
            err.print(not_due, markup=False, highlight=False)
    if received and not watch_mode:
        sys.exit(130)
    if any(summary.cleaning_failed for summary in summaries):
        # the cleaner failed on some page (each named above): as `scraper clean` with many
        # inputs; pages the web failed (404, no article) are the summary's, not the exit code's
        sys.exit(EXIT_SOME_FAILED)


def _check_sites(config: Config, config_path: str | None, names: tuple[str, ...]) -> None:
    """A config with nothing to crawl is a config error that says what is missing."""
    if names:
        return  # unknown names are reported by the scheduler; a named site starts at its host
    found = find_config(config_path)
    source = str(found) if found is not None else "built-in defaults (no config file found)"
    if not config.sites:
        raise ConfigError(f"{source}: no sites configured; add one under `sites:` to crawl")
    if not any(crawlable(rule) for rule in config.sites.values()):
        listed = ", ".join(config.sites)
        raise ConfigError(
            f"{source}: no site has `start`, `sitemaps` or `feeds` to crawl from (sites: {listed})"
        )


def _not_due(config: Config, store: Store, names: tuple[str, ...]) -> str:
    """Why nothing was crawled: when the next site falls due."""
    wait = next_due(config, store, names) - store.now()
    if wait == float("inf"):
        return "no site to crawl"
    return f"no site is due (the next in {_duration(wait)}); use --force to crawl anyway"


def _duration(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts)
