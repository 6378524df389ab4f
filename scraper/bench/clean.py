"""Batch cleaning speed: ``python -m scraper.bench clean``.

Two comparisons, each run as separate commands on the same gunzipped WCXB-dev pages (a temp
directory), alternating the commands and repeating them, so that a noisy shared machine
weighs on both alike:

1. ``scraper clean DIR --jobs 2`` (JSON Lines to a file) beside ``trafilatura --input-dir DIR
   --output-dir OUT --parallel 2`` on every page;
2. ``scraper clean DIR --jobs 1`` beside ``--jobs 2`` on the first ``--small`` pages.

Each run's wall time and its peak memory (the largest sum of PSS, the proportional set size
that counts memory shared by forked workers once, over the command's process and its
children, sampled every 50 ms with psutil) are recorded; the report gives medians, pages
per second and the ratio of medians, and what else was using the CPU meanwhile.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from scraper.bench.section import write_section

__all__ = ["Run", "main", "measure"]

_ABOUT = (
    "Each command runs as its own process tree on the same gunzipped pages, the commands"
    " alternating and repeated, so that a noisy shared machine weighs on both alike. Wall"
    " time, and peak memory as the largest sum of PSS (memory shared by forked workers"
    " counted once) over the process and its children, sampled every 50 ms with psutil."
    " `scraper clean` writes JSON Lines to a file, trafilatura a text file per page."
)

_SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class Run:
    label: str
    seconds: float
    peak_mib: float
    exit_code: int


def measure(label: str, command: list[str], *, stdout: Path) -> Run:
    """Run ``command`` to completion: its wall time and the peak RSS of its process tree."""
    with stdout.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        watched = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            try:
                tree = [watched, *watched.children(recursive=True)]
                peak = max(peak, sum(_rss(p) for p in tree))
            except psutil.NoSuchProcess:
                pass
            time.sleep(_SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
    return Run(label, seconds, peak / 2**20, proc.returncode)


def _rss(process: psutil.Process) -> int:
    """PSS where the system reports it (Linux), else RSS."""
    try:
        full = process.memory_full_info()
        return int(getattr(full, "pss", full.rss))
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0


def _others() -> str:
    """The busiest processes not started by this benchmark: what else ran meanwhile."""
    mine = {os.getpid(), *(p.pid for p in psutil.Process().children(recursive=True))}
    procs = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        if p.pid in mine:
            continue
        try:
            procs.append((p.cpu_percent(interval=None), p))
        except psutil.Error:
            continue
    time.sleep(1.0)
    busy = []
    for _, p in procs:
        try:
            share = p.cpu_percent(interval=None)
        except psutil.Error:
            continue
        if share >= 10:
            cmd = " ".join(" ".join(p.info["cmdline"] or []).split())[:90]
            busy.append(f"{share:.0f}% `{cmd}`")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"load average {load}; other processes over 10% CPU: {'; '.join(busy) or 'none'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper.bench clean", description=__doc__)
    parser.add_argument("--pages", type=Path, default=Path("../shared/bench/wcxb-dev/html"))
    parser.add_argument("--repeat", type=int, default=2, help="runs of each full-set command")
    parser.add_argument("--small", type=int, default=200, help="pages of the --jobs 1 vs 2 test")
    parser.add_argument("--small-repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, help="write the report section into this file")
    args = parser.parse_args(argv)

    bin_dir = Path(sys.executable).parent
    scraper, trafilatura = str(bin_dir / "scraper"), str(bin_dir / "trafilatura")
    with tempfile.TemporaryDirectory(prefix="cleanbench-") as tmp:
        root = Path(tmp)
        every, small = root / "all", root / "small"
        every.mkdir()
        small.mkdir()
        sources = sorted(args.pages.glob("*.html.gz"))
        for n, source in enumerate(sources):
            name = source.name.removesuffix(".gz")
            (every / name).write_bytes(gzip.decompress(source.read_bytes()))
            if n < args.small:
                (small / name).write_bytes((every / name).read_bytes())
        pages, small_pages = len(sources), min(len(sources), args.small)
        notes = [f"before: {_others()}"]

        full = {
            "scraper clean DIR --jobs 2": [scraper, "clean", str(every), "--jobs", "2"],
            "trafilatura --input-dir DIR --parallel 2": [
                trafilatura,
                "--input-dir",
                str(every),
                "--output-dir",
                str(root / "traf"),
                "--parallel",
                "2",
            ],
        }
        runs: dict[str, list[Run]] = {label: [] for label in full}
        for _ in range(args.repeat):
            for label, command in full.items():
                out = root / f"{label.split()[0]}.out"
                runs[label].append(measure(label, command, stdout=out))
                print(runs[label][-1], file=sys.stderr)
        lines_written = sum(1 for _ in (root / "scraper.out").open(encoding="utf-8"))
        failed = sum(
            1 for ln in (root / "scraper.out").open(encoding="utf-8") if '"error"' in ln[:400]
        )
        notes.append(f"after the full-set runs: {_others()}")

        jobs = {f"--jobs {n}": [scraper, "clean", str(small), "--jobs", str(n)] for n in (1, 2)}
        small_runs: dict[str, list[Run]] = {label: [] for label in jobs}
        for _ in range(args.small_repeat):
            for label, command in jobs.items():
                small_runs[label].append(measure(label, command, stdout=root / "small.jsonl"))
                print(small_runs[label][-1], file=sys.stderr)
        small_lines = sum(1 for _ in (root / "small.jsonl").open(encoding="utf-8"))
        notes.append(f"after the --jobs runs: {_others()}")

    notes.insert(0, f"{failed} of the {pages} pages gave an error record (exit code 10)")
    report = _report(args, pages, small_pages, runs, small_runs, lines_written, small_lines, notes)
    print(report)
    if args.out is not None:
        write_section(args.out, "batch-cleaning", report)
    return 0


def _report(
    args: argparse.Namespace,
    pages: int,
    small_pages: int,
    runs: dict[str, list[Run]],
    small_runs: dict[str, list[Run]],
    lines_written: int,
    small_lines: int,
    notes: list[str],
) -> str:
    def table(groups: dict[str, list[Run]], n: int, base: str) -> list[str]:
        base_median = statistics.median(r.seconds for r in groups[base])
        out = [
            "| command | runs (s) | median s | pages/s (median) | ×"
            " | peak memory, median (MiB) | exit codes |",
            "|---|---|---|---|---|---|---|",
        ]
        for label, group in groups.items():
            median = statistics.median(r.seconds for r in group)
            peak = statistics.median(r.peak_mib for r in group)
            each = ", ".join(f"{r.seconds:.1f}" for r in group)
            codes = ", ".join(sorted({str(r.exit_code) for r in group}))
            out.append(
                f"| `{label}` | {each} | {median:.1f} | {n / median:.1f} | "
                f"{base_median / median:.2f} | {peak:.0f} | {codes} |"
            )
        return out

    lines = [
        "## Batch cleaning: `scraper clean DIR` beside `trafilatura --input-dir`",
        "",
        f"Command: `python -m scraper.bench clean --repeat {args.repeat} --small {args.small}"
        f" --small-repeat {args.small_repeat} --out BENCHMARKS.md` on `{args.pages}`"
        " (WCXB-dev, CC-BY-4.0), gunzipped to a temp directory first.",
        "",
        _ABOUT,
        "",
        f"### All {pages} pages, 2 processes each (× = speed relative to trafilatura)",
        "",
        *table(runs, pages, "trafilatura --input-dir DIR --parallel 2"),
        "",
        f"The last `scraper clean` run wrote {lines_written} JSON lines for {pages} pages.",
        "",
        f"### `--jobs 1` beside `--jobs 2`, first {small_pages} pages (× = speed relative to "
        "`--jobs 1`)",
        "",
        *table(small_runs, small_pages, "--jobs 1"),
        "",
        f"The last run wrote {small_lines} JSON lines for {small_pages} pages.",
        "",
        f"Machine: {os.cpu_count()} cores, shared with other sessions. Notes, and what else ran:",
        "",
        *[f"- {note}" for note in notes],
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
