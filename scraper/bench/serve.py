"""``scraper serve`` under load: ``python -m scraper.servebench`` (or ``python -m scraper.bench
serve``).

``scraper serve`` runs as its own process (``--workers N`` cleaning processes) on loopback;
``--clients`` concurrent clients (one asyncio process, one connection each) post stored
pages (``{"html": ..., "url": ...}``, WCXB-dev by default) round the set for ``--seconds``.
Counted: answers by status, transport errors, latency (p50, p99), pages per second, and the
server's memory (RSS of its main process; PSS summed over it and its workers) after
``--warmup`` seconds of the same load (not counted), at each quarter of the run and after
it. Then ``scraper clean DIR --jobs N`` cleans the same pages
(the same bytes, written to a directory) as one command, for its pages per second, and the
ratio of the two. The clients share the machine's cores with the server: the ratio counts
that against the server.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from scraper.bench.clean import measure
from scraper.bench.section import write_section

__all__ = ["main"]

_SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "wcxb-dev"


@dataclass
class _Load:
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0


@dataclass(frozen=True)
class _Memory:
    at: str
    main_mib: float
    tree_mib: float
    processes: int


def _pages(root: Path, count: int) -> list[tuple[str, str]]:
    """``(url, html)`` of the first ``count`` pages, with their URLs from the ground truth."""
    pages = []
    for path in sorted((root / "html").glob("*.html.gz"))[:count]:
        number = path.name.split(".", 1)[0]
        truth = root / "ground-truth" / f"{number}.json"
        url = json.loads(truth.read_text(encoding="utf-8")).get("url") if truth.exists() else None
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        pages.append((url or f"https://example.com/{number}", html))
    return pages


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _memory(proc: psutil.Process, at: str) -> _Memory:
    tree = [proc, *proc.children(recursive=True)]
    total = 0
    for p in tree:
        try:
            full = p.memory_full_info()
            total += int(getattr(full, "pss", full.rss))
        except psutil.Error:
            continue
    return _Memory(at, proc.memory_info().rss / 2**20, total / 2**20, len(tree))


async def _load(
    base: str,
    pages: list[tuple[str, str]],
    clients: int,
    seconds: float,
    on_tick: Callable[[str], None] | None = None,
) -> _Load:
    """``clients`` posting round the pages for ``seconds``; ``on_tick(label)`` at each
    quarter of the run, under load (``25%`` … ``100%``)."""
    bodies = [json.dumps({"html": html, "url": url}).encode() for url, html in pages]
    load = _Load()
    turn = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    timeout = httpx.Timeout(120.0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        load.started = time.perf_counter()
        deadline = load.started + seconds

        async def one_client() -> None:
            nonlocal turn
            while time.perf_counter() < deadline:
                body = bodies[turn % len(bodies)]
                turn += 1
                began = time.perf_counter()
                try:
                    r = await client.post(
                        "/v1/clean", content=body, headers={"Content-Type": "application/json"}
                    )
                    await r.aread()
                    load.statuses[str(r.status_code)] += 1
                except httpx.HTTPError as exc:
                    load.statuses[type(exc).__name__] += 1
                load.latencies.append(time.perf_counter() - began)

        async def ticks() -> None:
            for quarter in (1, 2, 3, 4):
                await asyncio.sleep(
                    max(0.0, load.started + seconds * quarter / 4 - 0.5 - time.perf_counter())
                )
                if on_tick is not None:
                    on_tick(f"{25 * quarter}% (under load)")

        await asyncio.gather(ticks(), *(one_client() for _ in range(clients)))
        load.ended = time.perf_counter()
    return load


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper.servebench", description=__doc__)
    parser.add_argument(
        "--data", type=Path, default=_SHARED, help="WCXB-dev (html/, ground-truth/)"
    )
    parser.add_argument("--pages", type=int, default=300, help="pages of the set used")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of load not counted")
    parser.add_argument("--workers", type=int, default=2, help="cleaning processes of both")
    parser.add_argument("--out", type=Path, help="write the report section into this file")
    args = parser.parse_args(argv)

    pages = _pages(args.data, args.pages)
    if not pages:
        print(f"no pages under {args.data}/html", file=sys.stderr)
        return 2
    scraper = str(Path(sys.executable).parent / "scraper")
    with tempfile.TemporaryDirectory(prefix="servebench-") as tmp:
        root = Path(tmp)
        config = root / "config.yaml"
        # no rate limit, and room in the queue for every client: the load is the point
        config.write_text(f"serve:\n  queue: {args.clients * 2}\n", encoding="utf-8")
        port = _free_port()
        command = [scraper, "serve", "--config", str(config), "--port", str(port)]
        server = subprocess.Popen(
            [*command, "--workers", str(args.workers), "--log-level", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, server)
            # not counted: the load itself for a few seconds, so that every worker has
            # started and cleaned pages before the memory at the start is read
            asyncio.run(_load(base, pages, args.clients, args.warmup))
            proc = psutil.Process(server.pid)
            memory = [_memory(proc, "start (after the warm-up, idle)")]
            load = asyncio.run(
                _load(
                    base,
                    pages,
                    args.clients,
                    args.seconds,
                    lambda at: memory.append(_memory(proc, at)),
                )
            )
            memory.append(_memory(proc, "after the run (idle)"))
        finally:
            server.terminate()
            server.wait(60)
        served = server.returncode

        pages_dir = root / "pages"
        pages_dir.mkdir()
        for n, (_, html) in enumerate(pages):
            (pages_dir / f"{n:04d}.html").write_text(html, encoding="utf-8")
        label = f"scraper clean DIR --jobs {args.workers}"
        command = [scraper, "clean", str(pages_dir), "--jobs", str(args.workers)]
        batch = measure(label, command, stdout=root / "batch.jsonl")
        batch_errors = sum(
            1 for line in (root / "batch.jsonl").open(encoding="utf-8") if '"error"' in line[:400]
        )

    report = _report(args, len(pages), load, memory, served, batch, batch_errors)
    print(report)
    if args.out is not None:
        write_section(args.out, "serve", report)
    return 0


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr = server.stderr.read().decode() if server.stderr else ""
            raise SystemExit(f"scraper serve exited with {server.returncode}: {stderr}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("scraper serve did not start within 60 s")


def _report(
    args: argparse.Namespace,
    pages: int,
    load: _Load,
    memory: list[_Memory],
    served: int,
    batch: object,
    batch_errors: int,
) -> str:
    from scraper.bench.clean import Run

    assert isinstance(batch, Run)
    elapsed = load.ended - load.started
    answered = sum(load.statuses.values())
    ok = load.statuses.get("200", 0)
    unanswered = {k: v for k, v in load.statuses.items() if not k.isdigit()}
    server_errors = {k: v for k, v in load.statuses.items() if k.isdigit() and int(k) >= 500}
    rate = answered / elapsed
    batch_rate = pages / batch.seconds
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(load.statuses.items()))
    cpu = os.cpu_count()
    lines = [
        "## Serving: `scraper serve` under load",
        "",
        f"`python -m scraper.servebench --seconds {args.seconds:g} --clients {args.clients}"
        f" --workers {args.workers} --pages {pages}`: {pages} WCXB-dev pages posted as"
        f' `{{"html", "url"}}` by {args.clients} concurrent clients (one asyncio process,'
        f" a connection each) to `scraper serve --workers {args.workers}` on loopback, for"
        f" {elapsed:.1f} s after {args.warmup:g} s of the same load not counted, on a machine"
        f" of {cpu} cores shared with the clients (and with other work: timings are noisy).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| requests answered | {answered} ({statuses}) |",
        f"| transport errors, 5xx | {sum(unanswered.values())}, {sum(server_errors.values())} |",
        f"| 422 (no article: the same pages fail in `scraper clean`) |"
        f" {load.statuses.get('422', 0)} answers; {batch_errors} of {pages} pages"
        " in the batch run |",
        f"| latency p50 / p99 | {statistics.median(load.latencies):.2f} s /"
        f" {_percentile(load.latencies, 0.99):.2f} s |",
        f"| pages/s (answers, all statuses; 200s alone) | {rate:.1f}; {ok / elapsed:.1f} |",
        f"| `{batch.label}`, same pages | {batch.seconds:.1f} s, {batch_rate:.1f} pages/s"
        f" (exit {batch.exit_code}; interpreter start included) |",
        f"| ratio serve / batch | {rate / batch_rate:.2f} |",
        f"| server exit after SIGTERM | {served} |",
        "",
        "| server memory | main process RSS (MiB) | PSS of it and its workers (MiB) | processes |",
        "|---|---|---|---|",
    ]
    lines += [f"| {m.at} | {m.main_mib:.0f} | {m.tree_mib:.0f} | {m.processes} |" for m in memory]
    return "\n".join(lines) + "\n"
