"""``scraper bench``: our cleaner beside trafilatura on a WCXB-style folder."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from scraper.benchmark import SYSTEMS, load_cases, markdown_tables, run, write_csv, write_markdown
from scraper.errors import InputError

__all__ = ["bench_command"]

_DEFAULT_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "wcxb-dev"


@click.command("bench")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N pages.")
@click.option(
    "--every", type=click.IntRange(min=1), default=1, help="Only every K-th page (a spread sample)."
)
@click.option("--ids", help="Only these page ids (comma-separated, e.g. 0001,0042).")
@click.option(
    "--systems",
    default=",".join(SYSTEMS),
    show_default=True,
    help="Comma-separated systems to run.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here (markdown).",
)
@click.option(
    "--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Per-page CSV."
)
@click.option(
    "--memory-pages",
    type=click.IntRange(min=0),
    default=150,
    show_default=True,
    help="Pages in the memory sample (0: skip memory).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
def bench_command(
    folder: Path | None,
    limit: int | None,
    every: int,
    ids: str | None,
    systems: str,
    out: Path | None,
    csv_path: Path | None,
    memory_pages: int,
    quiet: bool,
) -> None:
    """Score scraper.clean() and trafilatura on FOLDER (default ../shared/bench/wcxb-dev)."""
    folder = folder or _DEFAULT_DIR
    if not (folder / "ground-truth").is_dir() or not (folder / "html").is_dir():
        raise InputError(f"{folder}: not a WCXB-style folder (needs html/ and ground-truth/)")
    names = [s.strip() for s in systems.split(",") if s.strip()]
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown or not names:
        raise click.UsageError(f"unknown system {', '.join(unknown)}; use {', '.join(SYSTEMS)}")
    cases = load_cases(
        folder, limit=limit, every=every, ids=[i.strip() for i in ids.split(",")] if ids else ()
    )
    if not cases:
        raise InputError(f"{folder}: no pages")

    def progress(done: int, total: int) -> None:
        if not quiet and (done % 25 == 0 or done == total):
            click.echo(f"\r{done}/{total} pages", nl=done == total, err=True)

    result = run(cases, names, memory_pages=memory_pages, progress=progress)
    command = "scraper bench " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    if csv_path:
        write_csv(result, csv_path)
    if out:
        write_markdown(result, out, command=command.strip(), dataset=folder)
    click.echo("\n".join(markdown_tables(result)))
