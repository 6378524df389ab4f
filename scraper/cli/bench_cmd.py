"""``scraper bench``: our cleaner beside trafilatura on WCXB-dev and trafilatura-eval."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from scraper.bench import (
    SYSTEMS,
    load_cases,
    load_eval_cases,
    markdown_tables,
    run,
    write_csv,
    write_markdown,
)
from scraper.errors import InputError

__all__ = ["bench_command"]

_SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "bench"
BENCHMARKS = ("wcxb", "trafeval", "templates")


def _names(value: str, known: tuple[str, ...], what: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise click.UsageError(f"unknown {what} {', '.join(unknown)}; use {', '.join(known)}")
    return names


@click.command("bench")
@click.option(
    "--bench",
    "benches",
    default=",".join(BENCHMARKS),
    show_default=True,
    help="Comma-separated benchmarks: wcxb (WCXB-dev), trafeval (trafilatura-eval), "
    "templates (site templates on CleanPortalEval, leave one out).",
)
@click.option(
    "--templates-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=_SHARED / "cleanportaleval",
    show_default="../shared/bench/cleanportaleval",
    help="CleanPortalEval-style folder (input/, GoldStandard/).",
)
@click.option(
    "--wcxb-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=_SHARED / "wcxb-dev",
    show_default="../shared/bench/wcxb-dev",
    help="WCXB-style folder (html/, ground-truth/).",
)
@click.option(
    "--trafeval-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=_SHARED / "trafilatura-eval",
    show_default="../shared/bench/trafilatura-eval",
    help="trafilatura-eval folder (evaldata.json, html/).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N pages of each set.")
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=1,
    help="Only every K-th page of each set (a spread sample).",
)
@click.option(
    "--ids",
    help="Only these pages (comma-separated WCXB ids like 0001, or trafilatura-eval file names).",
)
@click.option(
    "--systems",
    default=",".join(SYSTEMS),
    show_default=True,
    help="Comma-separated systems to run.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the report (markdown)."
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Per-page CSV (both sets, a `benchmark` column).",
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
    benches: str,
    wcxb_dir: Path,
    trafeval_dir: Path,
    templates_dir: Path,
    limit: int | None,
    every: int,
    ids: str | None,
    systems: str,
    out: Path | None,
    csv_path: Path | None,
    memory_pages: int,
    quiet: bool,
) -> None:
    """Score scraper.clean() and trafilatura on WCXB-dev and trafilatura-eval in one run."""
    chosen = _names(benches, BENCHMARKS, "benchmark")
    names = _names(systems, SYSTEMS, "system")
    wanted = [i.strip() for i in ids.split(",") if i.strip()] if ids else []
    wcxb_cases, eval_cases = [], []
    if "wcxb" in chosen:
        if not (wcxb_dir / "ground-truth").is_dir() or not (wcxb_dir / "html").is_dir():
            raise InputError(f"{wcxb_dir}: not a WCXB-style folder (needs html/ and ground-truth/)")
        wcxb_cases = load_cases(wcxb_dir, limit=limit, every=every, ids=wanted)
    if "trafeval" in chosen:
        if not (trafeval_dir / "evaldata.json").is_file() or not (trafeval_dir / "html").is_dir():
            raise InputError(
                f"{trafeval_dir}: not a trafilatura-eval folder (needs evaldata.json and html/)"
            )
        try:
            eval_cases = load_eval_cases(trafeval_dir, limit=limit, every=every, ids=wanted)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{trafeval_dir / 'evaldata.json'}: unreadable ({exc})") from None
        except FileNotFoundError as exc:
            raise InputError(f"{exc.filename}: page missing") from None
    found = {c.id for c in wcxb_cases} | {c.id for c in eval_cases}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InputError(f"no page with id {', '.join(missing)} in the chosen benchmarks")
    portal = None
    if "templates" in chosen:
        from scraper.bench.templates import load_portal_cases

        load_portal_cases(templates_dir)  # a clear error before the long runs
        portal = templates_dir
    if not wcxb_cases and not eval_cases and portal is None:
        raise InputError("no pages to run")

    def progress(done: int, total: int) -> None:
        if not quiet and (done % 25 == 0 or done == total):
            click.echo(f"\r{done}/{total} pages", nl=done == total, err=True)

    notes = ""
    if portal is not None:
        from scraper.bench.templates import run_templates, templates_markdown

        notes = templates_markdown(run_templates(portal, progress=progress))
        if (wcxb_dir / "ground-truth").is_dir() and (wcxb_dir / "html").is_dir():
            # templates on today's larger pages (CleanPortalEval's are of 2012)
            from scraper.bench.templates_today import run_templates_today, templates_today_markdown

            today = run_templates_today(wcxb_dir, progress=progress)
            notes += "\n\n" + templates_today_markdown(today)
            # and on real siblings of today: WCXB-dev's sites with several pages
            from scraper.bench.templates_sites import run_templates_sites, templates_sites_markdown

            notes += "\n\n" + templates_sites_markdown(
                run_templates_sites(wcxb_dir, progress=progress)
            )
        click.echo(notes)
    if not wcxb_cases and not eval_cases:
        if out:
            from scraper.bench.section import write_section

            write_section(out, "templates", notes)
        return
    result = run(
        wcxb_cases=wcxb_cases,
        eval_cases=eval_cases,
        system_names=names,
        memory_pages=memory_pages,
        progress=progress,
        wcxb_dir=wcxb_dir if wcxb_cases else None,
        trafeval_dir=trafeval_dir if eval_cases else None,
    )
    command = "scraper bench " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    if csv_path:
        write_csv(result, csv_path)
    if out:
        write_markdown(result, out, command=command.strip(), notes=notes)
    click.echo("\n".join(markdown_tables(result)))
