"""``scraper clean``: pages → their article text; one page as before, or many as JSON Lines.

One source (a URL, a saved page, a text dump, ``-``) prints its document as it always did.
Many (several sources, a directory, a WARC file, ``-i URLS``) are cleaned in ``--jobs``
processes into one JSON record per page (``scraper.batch.records``) on standard output, or one
file per page under ``--output-dir``; a page that fails is one ``error:`` line on standard
error and a ``{"source", "error"}`` record, and the exit code is then 10.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scraper.batch.failure import guarded
from scraper.batch.inputs import (
    Job,
    check_url,
    expand_sources,
    is_url,
    read_capped_file,
    read_capped_stream,
    read_url_list,
)
from scraper.batch.pool import Outcome, clean_jobs, default_workers, named
from scraper.batch.records import error_record, page_record, to_json_line, wants_comments
from scraper.batch.templates import SiteTemplates, learn_site_templates
from scraper.batch.warc import is_warc
from scraper.cleaner import clean
from scraper.cli import EXIT_SOME_FAILED, say_wait
from scraper.config import Config, load_config
from scraper.crawl.output import doc_path
from scraper.document import FORMATS, Document, Format
from scraper.errors import InputError, ScraperError
from scraper.fetch.client import Fetcher
from scraper.fetch.polite import PoliteFetcher
from scraper.render import render

__all__ = ["clean_command"]

_EXT = {"text": ".txt", "markdown": ".md", "json": ".json", "html": ".html"}
_STDIN = "<stdin>"


@click.command("clean")
@click.argument("sources", nargs=-1)
@click.option(
    "--input-file",
    "-i",
    "url_lists",
    multiple=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="A file listing URLs to fetch and clean, one a line ('#' comments). Repeatable.",
)
@click.option("--url", "page_url", help="The page's address, for one saved page or stdin.")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: text for one page, JSON Lines for many].",
)
@click.option("--config", "-c", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here.")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one file per page here (and index.jsonl), not to standard output.",
)
@click.option("--links", is_flag=True, help="Keep inline links (markdown).")
@click.option(
    "--comments",
    is_flag=True,
    help="Render reader comments after the body (default: the config's clean.comments).",
)
@click.option(
    "--templates",
    is_flag=True,
    help="Many pages: learn each site's template from the pages given (crawl.template_pages "
    "of a site or more) and clean its pages with it.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Cleaning processes for many pages [default: one per core].",
)
def clean_command(
    sources: tuple[str, ...],
    url_lists: tuple[str, ...],
    page_url: str | None,
    fmt: Format | None,
    config_path: str | None,
    output: str | None,
    output_dir: Path | None,
    links: bool,
    comments: bool,
    templates: bool,
    jobs: int | None,
) -> None:
    """Clean SOURCES: URLs, saved pages, text dumps, directories of them, WARC files, or -
    for standard input.

    One page prints its text (or --format markdown|json). Many pages give one JSON record
    per page (JSON Lines), or with --output-dir one file per page.
    """
    if not sources and not url_lists:
        raise click.UsageError("give a SOURCE (a URL, a file, a directory, a WARC file, -) or -i")
    config = load_config(config_path)
    if page_url is not None:
        check_url(page_url, option="--url")
    many = bool(url_lists or output_dir or len(sources) > 1 or _expands(sources[0]))
    options = _Options(links, comments, config, templates)
    if not many:
        if templates:
            raise click.UsageError("--templates learns from many pages of a site: give several")
        _one(sources[0], page_url, fmt or "text", config, output, options)
        return
    if page_url is not None:
        raise click.UsageError("--url names one saved page; with many inputs, leave it out")
    if sources.count("-") + url_lists.count("-") > 1:
        raise click.UsageError("standard input (-) can be read only once")
    fmt = fmt or "json"
    if output_dir is None and fmt != "json":
        raise click.UsageError(
            f"many pages as {fmt} need --output-dir (or use --format json for JSON Lines)"
        )
    workers = jobs or default_workers()
    failed = _many(sources, url_lists, fmt, config, output, output_dir, workers, options)
    if failed:
        click.echo(f"{failed} input{'s' * (failed != 1)} failed", err=True)
        sys.exit(EXIT_SOME_FAILED)


def _expands(source: str) -> bool:
    """Whether one source is many pages (a directory, a WARC file)."""
    path = Path(source)
    return source != "-" and (path.is_dir() or (path.is_file() and is_warc(path)))


@dataclass(frozen=True)
class _Options:
    """How a document is rendered: links kept, comments after the body (the flag, else
    the config's ``clean.comments`` or the page's site rule)."""

    links: bool
    comments: bool
    config: Config
    templates: bool = False  # sites' templates learned from the pages given

    def render(self, doc: Document, fmt: Format) -> str:
        return render(doc, fmt, links=self.links, comments=self.with_comments(doc))

    def with_comments(self, doc: Document) -> bool:
        return wants_comments(doc, self.config, asked=self.comments)


def _one(
    source: str,
    page_url: str | None,
    fmt: Format,
    config: Config,
    output: str | None,
    options: _Options,
) -> None:
    """One page, cleaned in this process; its errors raise (one line, their exit code)."""
    max_bytes = config.fetch.max_bytes
    if source == "-":
        body = read_capped_stream(sys.stdin.buffer, name=_STDIN, max_bytes=max_bytes)
        doc = _clean_named(body, page_url, config, _STDIN)
    elif is_url(source):
        check_url(source)
        with Fetcher(config.fetch, on_wait=say_wait) as fetcher:
            result = fetcher.fetch(source)
        doc = guarded(source, lambda: clean(result.text(), result.final_url, config=config))
    else:
        body = read_capped_file(Path(source), max_bytes=max_bytes)
        doc = _clean_named(body, page_url, config, source)
    rendered = guarded(source, lambda: options.render(doc, fmt))
    if output:
        _write(Path(output), rendered)
    else:
        click.echo(rendered, nl=False)


def _clean_named(body: bytes, url: str | None, config: Config, source: str) -> Document:
    try:
        return guarded(source, lambda: clean(body, url, config=config))
    except ScraperError as exc:
        raise named(exc, Job(source=source)) from None


def _many(
    sources: tuple[str, ...],
    url_lists: tuple[str, ...],
    fmt: Format,
    config: Config,
    output: str | None,
    output_dir: Path | None,
    workers: int,
    options: _Options,
) -> int:
    """Clean every page; returns how many inputs failed."""
    failed = 0
    with ExitStack() as stack:
        fetcher = stack.enter_context(PoliteFetcher(config, on_wait=say_wait))
        sink = _Sink(fmt, output_dir, stack.enter_context(_open_out(output)), options)
        if output_dir is not None:
            sink.index = stack.enter_context(_open_out(str(output_dir / "index.jsonl")))
        progress = _progress(stack)
        task = progress.add_task("cleaning", total=None) if progress is not None else None
        lists: list[Iterable[str]] = [_url_list(p) for p in url_lists]
        learned: SiteTemplates | None = None
        if options.templates:
            # two passes: the sites' templates, then the pages; a page fetched or read from
            # standard input is kept from the first (never fetched twice), files and WARC
            # records are read again
            kept: dict[str, Job] = {}
            lists = [list(urls) for urls in lists]
            first = _jobs(sources, lists, config, fetcher, kept)
            learned = learn_site_templates(
                _advancing(first, progress, "learning templates"),
                max_bytes=config.fetch.max_bytes,
                sample=config.crawl.template_sample,
                min_pages=config.crawl.template_pages,
            )
            jobs = _jobs(sources, lists, config, fetcher, kept)
        else:
            jobs = _jobs(sources, lists, config, fetcher)
        usage = _TemplateUse()
        template_for = learned.for_job if learned is not None else None
        for outcome in clean_jobs(jobs, config=config, workers=workers, templates=template_for):
            usage.count(outcome, learned)
            error = sink.write(outcome)
            if error is not None:
                failed += 1
                line = str(error)
                if progress is not None:
                    progress.console.print(f"error: {line}", markup=False, highlight=False)
                else:
                    click.echo(f"error: {line}", err=True)
            if progress is not None and task is not None:
                progress.advance(task)
    if learned is not None:
        for line in usage.summary(learned, config.crawl.template_pages):
            click.echo(line, err=True)
    return failed


def _advancing(jobs: Iterable[Job], progress: Progress | None, what: str) -> Iterator[Job]:
    """``jobs``, a progress bar of their own counting them (on a terminal)."""
    task = progress.add_task(what, total=None) if progress is not None else None
    for job in jobs:
        yield job
        if progress is not None and task is not None:
            progress.advance(task)


@dataclass
class _TemplateUse:
    """Per site, the pages cleaned with its template and those that did not fit it."""

    used: Counter[str] = field(default_factory=Counter)
    unfit: Counter[str] = field(default_factory=Counter)

    def count(self, outcome: Outcome, learned: SiteTemplates | None) -> None:
        doc = outcome.doc
        if doc is None or learned is None:
            return
        site = learned.sites.get(outcome.source, "")
        if doc.cleaned_with == "template":
            self.used[site] += 1
        elif doc.template_note:
            self.unfit[site] += 1

    def summary(self, learned: SiteTemplates, least: int) -> list[str]:
        lines = []
        for site, seen in sorted(learned.seen.items()):
            template = learned.templates.get(site)
            if template is None:
                why = (
                    f"fewer than crawl.template_pages ({least})"
                    if seen < least
                    else "one page over and over, or pages that share no chrome"
                )
                pages = f"{seen} page{'s' * (seen != 1)}"
                lines.append(f"template: {site}: {pages}, {why}: cleaned generically")
                continue
            unfit = f", {self.unfit[site]} did not fit it" if self.unfit[site] else ""
            lines.append(
                f"template: {site}: learned from {template.pages} of {seen} pages; "
                f"{self.used[site]} cleaned with it{unfit}"
            )
        return lines


def _jobs(
    sources: tuple[str, ...],
    url_lists: Iterable[Iterable[str]],
    config: Config,
    fetcher: PoliteFetcher,
    kept: dict[str, Job] | None = None,
) -> Iterator[Job]:
    """The jobs of every source in order, then the URLs of the ``-i`` lists. ``kept``: the
    jobs fetched or read from standard input, by source, kept for a second pass (which
    takes them from there)."""
    max_bytes = config.fetch.max_bytes
    for source in sources:
        if kept is not None and (source == "-" or is_url(source)):
            name = _STDIN if source == "-" else source
            if name not in kept:
                kept[name] = _read_or_fetched(source, fetcher, max_bytes)
            yield kept[name]
        elif source == "-" or is_url(source):
            yield _read_or_fetched(source, fetcher, max_bytes)
        else:
            yield from expand_sources([source], max_bytes=max_bytes)
    for urls in url_lists:
        for url in urls:
            if kept is None:
                yield _fetched(url, fetcher)
                continue
            if url not in kept:
                kept[url] = _fetched(url, fetcher)
            yield kept[url]


def _read_or_fetched(source: str, fetcher: PoliteFetcher, max_bytes: int) -> Job:
    """The job of standard input (``-``) or of a URL."""
    if source != "-":
        return _fetched(source, fetcher)
    try:
        body = read_capped_stream(sys.stdin.buffer, name=_STDIN, max_bytes=max_bytes)
    except ScraperError as exc:
        return Job(source=_STDIN, error=exc)
    return Job(source=_STDIN, body=body)


def _url_list(list_path: str) -> Iterator[str]:
    if list_path == "-":
        yield from read_url_list(sys.stdin)
        return
    try:
        with open(list_path, encoding="utf-8-sig") as lines:
            yield from read_url_list(lines)
    except OSError as exc:
        raise InputError(f"-i {list_path}: cannot read: {exc.strerror}", path=list_path) from None
    except UnicodeDecodeError:
        raise InputError(f"-i {list_path}: not a UTF-8 list of URLs", path=list_path) from None


def _fetched(url: str, fetcher: PoliteFetcher) -> Job:
    try:
        check_url(url)
        result = fetcher.fetch(url)
    except ScraperError as exc:
        return Job(source=url, error=exc)
    return Job(source=url, url=result.final_url, body=result.body, charset=result.charset)


class _Sink:
    """Where records go: JSON Lines on ``out``, or files under ``output_dir`` (and their
    records, without text, in ``index.jsonl`` there)."""

    def __init__(
        self, fmt: Format, output_dir: Path | None, out: IO[str], options: _Options
    ) -> None:
        self.fmt = fmt
        self.options = options
        self.output_dir = output_dir
        self.out = out
        self.index: IO[str] | None = None
        self._written: set[Path] = set()

    def write(self, outcome: Outcome) -> ScraperError | None:
        """Write the page's record (and file), or its error record; returns its error.

        Its record and rendering are made here, in this process: one that fails is the
        page's error too (the failure policy, ``scraper.batch.failure``)."""
        error = outcome.error
        doc = outcome.doc
        if error is None and doc is None:  # (a worker always sets one of them)
            error = ScraperError(f"{outcome.source}: cleaning gave no document")
        record: dict[str, Any] = {}
        rendered: str | None = None
        if error is None and doc is not None:
            try:
                record, rendered = guarded(outcome.source, lambda: self._page(outcome.source, doc))
            except ScraperError as exc:
                error = exc
        if error is not None:
            record = error_record(outcome.source, str(error))
        if self.output_dir is None:
            self.out.write(to_json_line(record))
            self.out.flush()
            return error
        if doc is not None and rendered is not None:
            path = self._path_for(outcome.source, doc)
            _write(path, rendered)
            record = {
                **{k: v for k, v in record.items() if k not in ("text", "blocks", "comments")},
                "path": str(path),
            }
        assert self.index is not None
        self.index.write(to_json_line(record))
        self.index.flush()
        return error

    def _page(self, source: str, doc: Document) -> tuple[dict[str, Any], str | None]:
        """The page's record, and its rendering when it goes to a file of its own."""
        record = page_record(
            source,
            doc,
            comments=self.options.with_comments(doc),
            template=self.options.templates,
        )
        rendered = self.options.render(doc, self.fmt) if self.output_dir is not None else None
        return record, rendered

    def _path_for(self, source: str, doc: Document) -> Path:
        assert self.output_dir is not None
        ext = _EXT[self.fmt]
        if source == _STDIN:
            path = self.output_dir / f"stdin{ext}"
        elif "#" not in source and not is_url(source):  # a local file: its path, mirrored
            local = Path(source)
            name = local.name.removesuffix(".gz")
            name = name.rsplit(".", 1)[0] if "." in name else name
            parts = [p for p in local.parent.parts if p not in (local.anchor, "..", ".")]
            path = self.output_dir.joinpath(*parts, name + ext)
        else:
            path = doc_path(self.output_dir, doc.url or source, self.fmt)
        unique, n = path, 1
        while unique in self._written:  # the same URL twice in a WARC file
            n += 1
            unique = path.with_name(f"{path.stem}-{n}{ext}")
        self._written.add(unique)
        return unique


def _open_out(output: str | None) -> Any:
    if output is None:
        return _NoClose(sys.stdout)
    try:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        return open(output, "w", encoding="utf-8")  # closed by the ExitStack
    except OSError as exc:
        raise InputError(f"{output}: cannot write: {exc.strerror}", path=output) from None


class _NoClose:
    """Standard output in a ``with``: left open."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __enter__(self) -> IO[str]:
        return self.stream

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(stack: ExitStack) -> Progress | None:
    """A progress bar on standard error when it is a terminal; None (silence) otherwise."""
    if not sys.stderr.isatty():
        return None
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    stack.enter_context(progress)
    return progress


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}", path=str(path)) from None
