"""The ``scraper`` command line: the only place that prints or picks exit codes.

Exit codes: 0 success; 1 ``scraper diff`` found differences; 2 usage error;
3 config error; 4 bad input (missing file, invalid URL); 5 fetch failed;
6 response refused (too large, not HTML, empty, binary); 7 no article found;
8 crawl state locked or unusable; 9 snapshot corpus inconsistent; 130 interrupted.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from scraper.errors import ScraperError

__all__ = ["main"]


class _Group(click.Group):
    """Turns every ``ScraperError`` into one ``error: …`` line and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ScraperError as exc:
            error = click.ClickException(str(exc))
            error.exit_code = exc.exit_code
            raise error from None
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scraper")
def main() -> None:
    """Boilerplate-stripping web scraper and cleaner for news sites."""


# Each command lives in its own module; registered here so that `main` is the one entry point.
from scraper.cli.bench_cmd import bench_command  # noqa: E402
from scraper.cli.clean_cmd import clean_command  # noqa: E402
from scraper.cli.crawl_cmd import crawl_command  # noqa: E402
from scraper.cli.diff_cmd import diff_command  # noqa: E402
from scraper.cli.snapshot_cmd import snapshot_group  # noqa: E402

for _command in (clean_command, crawl_command, diff_command, snapshot_group, bench_command):
    main.add_command(_command)
