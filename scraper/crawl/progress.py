"""Rendering crawl events: a rich live display on a terminal, plain log lines otherwise, a
summary table, a JSON summary. The CLI picks one and hands its ``__call__`` to the runner."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import TextIO

from rich import box
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from scraper.crawl.events import (
    Event,
    Notice,
    PageDone,
    Progress,
    RunFinished,
    RunStarted,
    SiteSummary,
)
from scraper.crawl.store import OUTCOMES

__all__ = ["LiveDisplay", "LogLines", "summary_json", "summary_table"]

# The count names everywhere: log lines, the table's columns, the JSON summary's keys.
_COLUMNS = (*OUTCOMES, "queued")


class LogLines:
    """One line per finished URL and per run start/end (not a terminal: logs, cron mail).

    ``errors_only``: only failed URLs and the runs' warnings (``--quiet``, ``--json``)."""

    def __init__(self, stream: TextIO, *, errors_only: bool = False) -> None:
        self.stream = stream
        self.errors_only = errors_only

    def __call__(self, event: Event) -> None:
        line = None
        if isinstance(event, Notice):
            line = f"{event.site}: warning: {event.message}"
        elif isinstance(event, PageDone) and event.outcome == "failed":
            status = f" {event.status}" if event.status else ""
            detail = f" ({event.detail})" if event.detail else ""
            line = f"{event.site}: failed{status} {event.url}{detail}"
        elif self.errors_only:
            pass
        elif isinstance(event, RunStarted):
            how = "resuming" if event.resumed else "starting"
            line = f"{event.site}: {how} run {event.run_id}"
        elif isinstance(event, PageDone):
            status = f" {event.status}" if event.status else ""
            detail = f" ({event.detail})" if event.detail and event.outcome != "robots" else ""
            line = f"{event.site}: {event.outcome}{status} {event.url}{detail}"
        elif isinstance(event, RunFinished):
            s = event.summary
            counts = ", ".join(f"{k} {s.counts.get(k, 0)}" for k in _COLUMNS)
            line = f"{s.site}: run {s.run_id} {s.status} in {s.seconds:.1f}s: {counts}"
            if s.template.get("pages"):
                line += f"; template {template_note(s)}"
        if line is not None:
            print(line, file=self.stream, flush=True)


class LiveDisplay:
    """A live panel on a terminal: pages done, queued, failed, hosts at work, last URLs."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = Progress(0, 0, 0, 0, 0)
        self._recent: list[str] = []
        self._live = Live(self._render(), console=console, refresh_per_second=4, transient=True)

    def __enter__(self) -> LiveDisplay:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)

    def __call__(self, event: Event) -> None:
        if isinstance(event, Progress):
            self._progress = event
        elif isinstance(event, PageDone):
            self._recent = [*self._recent[-4:], f"{event.outcome:>9} {event.url}"]
        elif isinstance(event, RunStarted):
            how = "resuming" if event.resumed else "starting"
            self._live.console.print(f"{event.site}: {how} run {event.run_id}")
        elif isinstance(event, Notice):
            self._live.console.print(f"{event.site}: warning: {event.message}", style="yellow")
        else:
            return
        self._live.update(self._render())

    def _render(self) -> Table:
        p = self._progress
        table = Table.grid(padding=(0, 2))
        table.add_row(
            f"[bold]done[/] {p.done}",
            f"[bold]queued[/] {p.queued}",
            f"[bold red]failed[/] {p.failed}",
            f"fetching {p.in_flight}",
            f"cleaning {p.cleaning}",
        )
        hosts = ", ".join(h.split("://", 1)[-1] for h in p.hosts) or "-"
        table.add_row(f"[dim]hosts at work: {hosts}[/]")
        width = max(20, self.console.width - 1)
        for line in self._recent:
            short = line if len(line) <= width else line[: width - 1] + "…"
            table.add_row(Text(short, style="dim", no_wrap=True))
        return table


def summary_table(summaries: Sequence[SiteSummary]) -> Table:
    """One row per site run; its columns are named as the JSON summary's keys: ``robots`` is
    disallowed by robots.txt, ``skipped`` not changed by its sitemap date (lastmod),
    ``queued`` left for the next run."""
    table = Table(
        title="crawl summary",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("site", no_wrap=True)
    table.add_column("run_id", justify="right")
    table.add_column("status", min_width=8)
    for key in _COLUMNS:
        table.add_column(key, justify="right", min_width=len(key))
    table.add_column("seconds", justify="right")
    table.add_column("template")
    for s in summaries:
        table.add_row(
            s.site,
            str(s.run_id),
            s.status,
            *(str(s.counts.get(key, 0)) for key in _COLUMNS),
            f"{s.seconds:.1f}",
            template_note(s) if s.template.get("pages") else "-",
        )
    return table


def template_note(s: SiteSummary) -> str:
    """The site's template in a few words: pages it rests on, pages cleaned with it, drift."""
    t = s.template
    note = f"learned from {t.get('pages', 0)} pages, cleaned {t.get('cleaned', 0)}"
    return note + (f", {t['drift']} did not fit" if t.get("drift") else "")


def summary_json(summaries: Sequence[SiteSummary]) -> str:
    return json.dumps({"runs": [asdict(s) for s in summaries]}, indent=2)
