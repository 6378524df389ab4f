"""The ``scraper`` command line: the only place that prints or picks exit codes.

Exit codes: 0 success; 1 ``scraper diff`` found differences, or a page's text breaks its
manifest strings; 2 usage error; 3 config error; 4 bad input (missing file, invalid URL);
5 fetch failed; 6 input refused (too large, not HTML, empty, binary); 7 no article found;
8 crawl state locked or unusable; 9 snapshot corpus inconsistent; 10 ``scraper clean`` with
many inputs: some of them failed, or ``scraper crawl``: the cleaner failed on some page; 11
the cleaner failed on a page (``CleaningError``); 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from scraper.errors import (
    CleaningError,
    ConfigError,
    ContentError,
    ExtractionError,
    FetchError,
    InputError,
    ScraperError,
    SnapshotError,
    StateError,
)
from scraper.fetch.retry import RetryWait

__all__ = [
    "EXIT_CODES",
    "EXIT_INTERRUPTED",
    "EXIT_SOME_FAILED",
    "EXIT_USAGE",
    "exit_code",
    "main",
    "say_wait",
    "stderr_is_terminal",
]

# Most specific class first: ``exit_code`` takes the first the error is an instance of.
EXIT_CODES: tuple[tuple[type[ScraperError], int], ...] = (
    (ConfigError, 3),
    (InputError, 4),
    (ContentError, 6),
    (FetchError, 5),
    (ExtractionError, 7),
    (CleaningError, 11),
    (StateError, 8),
    (SnapshotError, 9),
    (ScraperError, 1),
)
EXIT_USAGE = 2
EXIT_SOME_FAILED = 10
EXIT_INTERRUPTED = 130


def exit_code(exc: ScraperError) -> int:
    """The documented exit code of an error (README, "Exit codes")."""
    return next(code for cls, code in EXIT_CODES if isinstance(exc, cls))


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def say_wait(wait: RetryWait) -> None:
    """A fetcher's wait before retrying, as one line on standard error when it is a terminal
    and the wait is a second or more: the user sees why nothing happens. Off a terminal
    (scripts, logs) stderr keeps to its one ``error:`` line a failure."""
    if wait.seconds < 1 or not stderr_is_terminal():
        return
    click.echo(
        f"waiting {wait.seconds:.0f} s before attempt {wait.attempt} of {wait.attempts}:"
        f" {wait.error}",
        err=True,
    )


class _Group(click.Group):
    """Prints every error as one ``error: …`` line and exits with its documented code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except ScraperError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exit_code(exc))
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "scraper"
            click.echo(f"error: {exc.format_message()} (see '{where} --help')", err=True)
            sys.exit(EXIT_USAGE)
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt, EOFError):
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        # Without standalone mode click returns an ``Exit`` code (``--help``: 0) or the
        # command's return value, which no command here sets.
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scraper")
def main() -> None:
    """Boilerplate-stripping web scraper and cleaner for news sites."""


# Each command lives in its own module; registered here so that `main` is the one entry point.
from scraper.cli.bench_cmd import bench_command  # noqa: E402
from scraper.cli.clean_cmd import clean_command  # noqa: E402
from scraper.cli.crawl_cmd import crawl_command  # noqa: E402
from scraper.cli.diff_cmd import diff_command  # noqa: E402
from scraper.cli.rules_cmd import rules_group  # noqa: E402
from scraper.cli.serve_cmd import serve_command  # noqa: E402
from scraper.cli.snapshot_cmd import snapshot_group  # noqa: E402

for _command in (
    clean_command,
    crawl_command,
    diff_command,
    snapshot_group,
    bench_command,
    rules_group,
    serve_command,
):
    main.add_command(_command)
