"""``scraper clean``: one page → its article text."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from scraper.cleaner import clean
from scraper.config import load_config
from scraper.document import FORMATS
from scraper.errors import InputError
from scraper.fetch import Fetcher

__all__ = ["clean_command", "read_source"]


def read_source(source: str) -> bytes:
    """The bytes of a local file, or of standard input for ``-``."""
    if source == "-":
        return sys.stdin.buffer.read()
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory, not a page") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror}") from None


def _is_url(source: str) -> bool:
    return "://" in source and not Path(source).exists()


@click.command("clean")
@click.argument("source")
@click.option("--url", "page_url", help="The page's address, for a saved page or standard input.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True
)
@click.option("--config", "-c", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here.")
def clean_command(
    source: str, page_url: str | None, fmt: str, config_path: str | None, output: str | None
) -> None:
    """Clean SOURCE (a URL, a saved page, a text dump, or - for standard input)."""
    config = load_config(config_path)
    if _is_url(source):
        scheme = urlsplit(source).scheme.lower()
        if scheme not in ("http", "https"):
            raise InputError(f"{source}: unsupported scheme {scheme!r} (use http or https)")
        with Fetcher(config.fetch) as fetcher:
            result = fetcher.fetch(source)
        doc = clean(result.text(), result.final_url, config=config)
    else:
        doc = clean(read_source(source), page_url, config=config)
    rendered = doc.render(fmt)  # type: ignore[arg-type]
    if output:
        try:
            Path(output).write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{output}: cannot write: {exc.strerror}") from None
    else:
        click.echo(rendered, nl=False)
