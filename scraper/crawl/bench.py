"""Crawl benchmark: ``python -m scraper.crawl.bench [--pages 2000] [--hosts 20] [--report FILE]``.

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
import gzip
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil

from scraper.crawl.work import clean_page

__all__ = ["main"]

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
    hosts: int, pages_per_host: int, corpus_size: int, ready: multiprocessing.Queue[Any]
) -> None:
    corpus, _ = load_corpus(corpus_size)
    servers: list[ThreadingHTTPServer] = []

    def handler_for(index: int) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
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
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def _cpu(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


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


def run(
    pages: int, hosts: int, workers: int, concurrency: int, baseline: bool
) -> dict[str, object]:
    per_host = max(1, pages // hosts)
    corpus, source = load_corpus(min(per_host * hosts, 1497))
    context = multiprocessing.get_context("spawn")
    ready: multiprocessing.Queue[int] = context.Queue()
    server = context.Process(target=_serve, args=(hosts, per_host, len(corpus), ready), daemon=True)
    server.start()
    try:
        port = ready.get(timeout=120)
        with tempfile.TemporaryDirectory() as tmp:
            site = {
                "hosts": [f"127.0.0.{i + 1}" for i in range(hosts)],
                "start": [f"http://127.0.0.{i + 1}:{port}/" for i in range(hosts)],
                "max_pages": per_host * hosts + 10,
                "max_depth": 2,
                "include": [r"/p/\d+$"],
            }
            config = Path(tmp) / "config.yaml"
            crawl_settings = {
                "delay": 0,
                "concurrency": concurrency,
                "per_host": 1,
                "workers": workers,
                "state_dir": f"{tmp}/state",
                "output_dir": f"{tmp}/out",
            }
            config.write_text(json.dumps({"crawl": crawl_settings, "sites": {"bench": site}}))
            env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
            busy, served = _busy(), _cpu(server.pid or 0)
            crawl = _crawl(config, env)
            served = _cpu(server.pid or 0) - served
            others = _busy() - busy - served - crawl["cpu_main_s"] - crawl["cpu_workers_s"]
            crawl["server_cpu_s"] = served
            crawl["other_cores"] = max(0.0, others) / crawl["seconds"]
    finally:
        server.kill()
    result: dict[str, object] = {
        "pages": per_host * hosts,
        "hosts": hosts,
        "source": source,
        "corpus_pages": len(corpus),
        "workers": workers or os.cpu_count(),
        "concurrency": concurrency,
        "crawl": crawl,
    }
    if baseline:
        result["baseline"] = _baseline(corpus, hosts, per_host)
    return result


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
        "loopback address (each its own host, with robots.txt and a hub page linking its pages).",
        "The crawl is `scraper crawl` in a subprocess, delay 0, per_host 1; time is wall time",
        "from process start to exit (imports, robots.txt, hubs, worker start-up included). Peak",
        "RSS is sampled every 50 ms: the crawl process alone, and with its cleaning workers (and",
        "the forkserver). The single-process baseline runs the workers' own function (decode,",
        'clean, list links) over the same pages in one process, with no fetching. "Other load"',
        "is the CPU that processes outside the benchmark used meanwhile (the machine is shared),",
        "in cores on average: with 2 cores, what it takes is missing from the crawl's share.",
        "",
        "| pages | hosts | workers | crawl s | crawl pages/s | failed | peak RSS crawl MB |"
        " peak RSS with workers MB | CPU s: crawl / workers / server | other load, cores |"
        " 1-process clean pages/s | other load, cores | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c = r["crawl"]
        assert isinstance(c, dict)
        rate = c["pages"] / c["seconds"]
        b = r.get("baseline")
        base = f"{b['pages'] / b['seconds']:.1f}" if isinstance(b, dict) else "-"
        base_load = f"{b['other_cores']:.2f}" if isinstance(b, dict) else "-"
        ratio = f"{rate / (b['pages'] / b['seconds']):.2f}×" if isinstance(b, dict) else "-"
        cpu = f"{c['cpu_main_s']:.0f} / {c['cpu_workers_s']:.0f} / {c['server_cpu_s']:.0f}"
        lines.append(
            f"| {c['pages']} | {r['hosts']} | {r['workers']} | {c['seconds']:.1f} | {rate:.1f} |"
            f" {c['failed']} | {c['peak_main_mb']:.0f} | {c['peak_total_mb']:.0f} | {cpu} |"
            f" {c['other_cores']:.2f} | {base} | {base_load} | {ratio} |"
        )
    first = results[0]
    lines += ["", f"Corpus: {first['source']}, {first['corpus_pages']} distinct pages.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scraper.crawl.bench", description=__doc__)
    parser.add_argument("--pages", type=int, nargs="+", default=[2000])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=0, help="cleaning processes (0: per core)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--no-baseline-above",
        type=int,
        default=2000,
        help="skip the single-process baseline for larger runs",
    )
    parser.add_argument("--report", default="BENCHMARKS-crawl.md")
    args = parser.parse_args(argv)
    results = []
    for pages in args.pages:
        result = run(
            pages,
            args.hosts,
            args.workers,
            args.concurrency,
            baseline=pages <= args.no_baseline_above,
        )
        print(json.dumps(result), file=sys.stderr, flush=True)
        results.append(result)
    given = argv if argv is not None else sys.argv[1:]
    command = "python -m scraper.crawl.bench " + " ".join(given)
    out = Path(args.report)
    # Hand-written notes below the marker survive a new run.
    notes = ""
    if out.exists() and _NOTES in (old := out.read_text(encoding="utf-8")):
        notes = old[old.index(_NOTES) :]
    out.write_text(report(results, command.strip()) + ("\n" + notes if notes else ""), "utf-8")


if __name__ == "__main__":
    main()
