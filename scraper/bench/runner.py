"""Run the systems over the pages of both benchmarks in one process, interleaved.

Systems are timed page by page, in an order that rotates from page to page, so that
machine noise hits each of them alike; only the extraction call is timed. Memory is
measured afterwards, in a forked child per system, over an evenly spaced sample.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from scraper.batch.failure import cleaning_failed
from scraper.bench.structure import structure_figures
from scraper.bench.systems import SYSTEMS, Output, System, systems
from scraper.bench.trafeval import ChunkScore, EvalCase, score_eval_page
from scraper.bench.wcxb import Case, PageScore, score_page

__all__ = ["PageCase", "Result", "Timed", "run", "run_pages"]


class PageCase(Protocol):
    """A benchmark page as the runner sees it."""

    @property
    def id(self) -> str: ...

    @property
    def url(self) -> str | None: ...

    def page(self) -> bytes | str: ...


@dataclass(frozen=True)
class Timed:
    output: Output
    seconds: float
    structure: Mapping[str, float] = field(default_factory=dict)


def _call(
    system: System, page: bytes | str, url: str | None, source: str = "<page>"
) -> tuple[Output, float]:
    t0 = time.perf_counter()
    try:
        out = system.run(page, url)
    except Exception as exc:  # one page must not end a long run: the failure policy's error
        out = Output(text="", error=str(cleaning_failed(source, exc)))
    return out, time.perf_counter() - t0


def run_pages(
    cases: Sequence[PageCase],
    chosen: Sequence[System],
    *,
    metadata: bool,
    start: int = 0,
    progress: Callable[[], None] | None = None,
) -> dict[str, list[Timed]]:
    """Each system on each page, interleaved; ``start`` continues the order's rotation."""
    runs: dict[str, list[Timed]] = {s.name: [] for s in chosen}
    for i, case in enumerate(cases, start=start):
        page = case.page()
        k = i % len(chosen)
        for system in [*chosen[k:], *chosen[:k]]:  # rotate who goes first
            out, seconds = _call(system, page, case.url, case.id)
            if metadata and system.metadata is not None:
                meta, _ = _call(replace(system, run=system.metadata), page, case.url, case.id)
                error = out.error or meta.error
                out = Output(out.text, meta.title, meta.author, meta.date, error)
            figures = structure_figures(case, out.document) if out.document is not None else {}
            runs[system.name].append(Timed(out, seconds, figures))
        if progress:
            progress()
    return runs


@dataclass(frozen=True)
class Result:
    """One run over both benchmarks (either may be empty when not chosen)."""

    systems: list[System]
    wcxb: dict[str, list[PageScore]]
    trafeval: dict[str, list[ChunkScore]]
    memory: dict[str, tuple[float, int]]  # system → (peak RSS growth in MiB, pages)
    wall: dict[str, float]  # benchmark → seconds of its interleaved run
    wcxb_dir: Path | None = None
    trafeval_dir: Path | None = None


def run(
    *,
    wcxb_cases: Sequence[Case] = (),
    eval_cases: Sequence[EvalCase] = (),
    system_names: Sequence[str] = SYSTEMS,
    memory_pages: int = 150,
    progress: Callable[[int, int], None] | None = None,
    wcxb_dir: Path | None = None,
    trafeval_dir: Path | None = None,
) -> Result:
    """Run the systems over WCXB pages, then trafilatura-eval pages; then measure memory."""
    table = systems()
    chosen = [table[name] for name in system_names]
    for system in chosen:  # warm up imports and lazy caches outside the timing
        system.run("<html><body><p>warm up</p></body></html>", None)
        system.run(b"<html><body><p>warm up</p></body></html>", None)
    total, done = len(wcxb_cases) + len(eval_cases), 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    t0 = time.perf_counter()
    wcxb_runs = run_pages(wcxb_cases, chosen, metadata=True, progress=tick)
    t1 = time.perf_counter()
    eval_runs = run_pages(eval_cases, chosen, metadata=False, start=len(wcxb_cases), progress=tick)
    t2 = time.perf_counter()
    wcxb = {
        name: [
            score_page(c, name, t.output, t.seconds, structure=t.structure)
            for c, t in zip(wcxb_cases, timed, strict=True)
        ]
        for name, timed in wcxb_runs.items()
        if wcxb_cases  # a set not run has no scores at all
    }
    trafeval = {
        name: [
            score_eval_page(c, name, t.output, t.seconds, structure=t.structure)
            for c, t in zip(eval_cases, timed, strict=True)
        ]
        for name, timed in eval_runs.items()
        if eval_cases
    }
    pages: list[PageCase] = [*wcxb_cases, *eval_cases]
    sample = pages[:: max(1, len(pages) // memory_pages)][:memory_pages] if memory_pages else []
    memory = {s.name: (_peak_rss_growth(s, sample), len(sample)) for s in chosen} if sample else {}
    wall = {}
    if wcxb_cases:
        wall["wcxb"] = t1 - t0
    if eval_cases:
        wall["trafeval"] = t2 - t1
    return Result(chosen, wcxb, trafeval, memory, wall, wcxb_dir, trafeval_dir)


def _peak_rss_growth(system: System, cases: Sequence[PageCase]) -> float:
    """Peak RSS growth (MiB) over running ``system`` on ``cases`` in a forked child.

    Linux only: the child resets its high-water mark (``/proc/self/clear_refs``), runs the
    pages and reports ``VmHWM`` minus its ``VmRSS`` at the start. NaN elsewhere.
    """
    if not hasattr(os, "fork") or not Path("/proc/self/clear_refs").exists():
        return float("nan")
    pages = [(c.page(), c.url) for c in cases]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read)
            Path("/proc/self/clear_refs").write_text("5")
            base = _status_kib("VmRSS")
            for page, url in pages:
                _call(system, page, url)
            os.write(write, str((_status_kib("VmHWM") - base) / 1024).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    os.waitpid(pid, 0)
    return float(text) if text else float("nan")


def _status_kib(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0
