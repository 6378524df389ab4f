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

from scraper.crawl.events import Event, PageDone, Progress, RunFinished, RunStarted, SiteSummary
from scraper.crawl.store import OUTCOMES

__all__ = ["LiveDisplay", "LogLines", "summary_json", "summary_table"]

_LABELS = {"robots": "robots-skipped", "skipped": "lastmod-skipped"}
_COLUMNS = (*OUTCOMES, "queued")


class LogLines:
    """One line per finished URL and per run start/end (not a terminal: logs, cron mail)."""

    def __init__(self, stream: TextIO, *, verbose: bool = True) -> None:
        self.stream = stream
        self.verbose = verbose

    def __call__(self, event: Event) -> None:
        line = None
        if isinstance(event, RunStarted):
            how = "resuming" if event.resumed else "starting"
            line = f"{event.site}: {how} run {event.run_id}"
        elif isinstance(event, PageDone) and self.verbose:
            status = f" {event.status}" if event.status else ""
            detail = f" ({event.detail})" if event.detail and event.outcome != "robots" else ""
            line = f"{event.site}: {event.outcome}{status} {event.url}{detail}"
        elif isinstance(event, RunFinished):
            s = event.summary
            counts = ", ".join(f"{_LABELS.get(k, k)} {s.counts.get(k, 0)}" for k in _COLUMNS)
            line = f"{s.site}: run {s.run_id} {s.status} in {s.seconds:.1f}s: {counts}"
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


_SHORT = {"unchanged": "same", "robots": "robots", "skipped": "lastmod"}


def summary_table(summaries: Sequence[SiteSummary]) -> Table:
    """One row per site run; ``same`` is unchanged, ``robots`` robots-skipped, ``lastmod``
    lastmod-skipped, ``queued`` left for the next run."""
    table = Table(
        title="crawl summary",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("site #run", no_wrap=True)
    table.add_column("status", min_width=8)
    for key in _COLUMNS:
        label = _SHORT.get(key, key)
        table.add_column(label, justify="right", min_width=len(label))
    table.add_column("s", justify="right", min_width=3)
    for s in summaries:
        table.add_row(
            f"{s.site} #{s.run_id}",
            s.status,
            *(str(s.counts.get(key, 0)) for key in _COLUMNS),
            f"{s.seconds:.1f}",
        )
    return table


def summary_json(summaries: Sequence[SiteSummary]) -> str:
    return json.dumps({"runs": [asdict(s) for s in summaries]}, indent=2)
