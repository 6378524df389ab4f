"""Many ``scraper crawl`` processes on one PostgreSQL frontier, crawling loopback hosts.

Each host is its own server on 127.0.0.N (one port for all), logging every request, so the
tests check from the servers' side: every page fetched once, the per-host gap never under
the delay across all workers, one output per page; and a worker killed with ``kill -9``
part-way, whose URLs the others take over once its lease lapses.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from scraper.crawl.output import slug

from .conftest import article, hub
from .server import Reply, Server

_MAIN = "from scraper.cli import main; main()"
HOSTS = 4
PAGES = 12
DELAY = 0.2


@pytest.fixture
def servers():
    first = Server("127.0.0.1")
    group = [first] + [Server(f"127.0.0.{i + 1}", first.port) for i in range(1, HOSTS)]
    for server in group:
        server.routes["/robots.txt"] = Reply(body="User-agent: *\nAllow: /\n")
        server.routes["/"] = Reply(body=hub([f"/p/{n}" for n in range(PAGES)]))
        for n in range(PAGES):
            server.routes[f"/p/{n}"] = Reply(
                body=article(f"Host {server.httpd.server_address[0]} page {n}")
            )
    yield group
    for server in group:
        server.close()


def _config(tmp_path: Path, servers: list[Server], **crawl: object) -> Path:
    port = servers[0].port
    site = {
        "hosts": [f"127.0.0.{i + 1}" for i in range(HOSTS)],
        "start": [f"http://127.0.0.{i + 1}:{port}/" for i in range(HOSTS)],
        "include": [r"/p/\d+$"],
        "max_pages": 1000,
    }
    settings = {"delay": DELAY, "workers": 1, "concurrency": 4, "lease": 10, **crawl}
    body = {"crawl": settings, "fetch": {"retries": 1, "timeout": 5}, "sites": {"s": site}}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def _worker(config: Path, dsn: str, tmp_path: Path, n: int) -> subprocess.Popen[str]:
    args = ["crawl", "-c", str(config), "--store", dsn, "--json"]
    args += ["--output-dir", str(tmp_path / f"out{n}"), "--state-dir", str(tmp_path / f"st{n}")]
    return subprocess.Popen(
        [sys.executable, "-c", _MAIN, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _requests(servers: list[Server]) -> Counter[tuple[str, str]]:
    return Counter((s.httpd.server_address[0], r.path) for s in servers for r in s.requests())


def _gaps(servers: list[Server]) -> list[float]:
    gaps = []
    for server in servers:
        times = sorted(r.at for r in server.requests())
        gaps += [b - a for a, b in itertools.pairwise(times)]
    return gaps


def _outputs(tmp_path: Path) -> Counter[str]:
    files = Counter()
    for out in tmp_path.glob("out*"):
        for path in out.glob("127.0.0.*/*.txt"):
            files[f"{path.parent.name}/{path.name}"] += 1
    return files


def test_three_workers_share_one_frontier(servers, postgres_dsn, tmp_path):
    config = _config(tmp_path, servers)
    procs = [_worker(config, postgres_dsn, tmp_path, n) for n in range(3)]
    try:
        results = [p.communicate(timeout=120) for p in procs]
    finally:
        for proc in procs:
            _stop(proc)
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    runs = {r["run_id"] for out, _ in results for r in json.loads(out)["runs"]}
    assert len(runs) == 1  # one run, joined by all three
    seen = _requests(servers)
    expected = {(f"127.0.0.{i + 1}", f"/p/{n}") for i in range(HOSTS) for n in range(PAGES)}
    assert {k for k in seen if k[1].startswith("/p/")} == expected
    assert max(seen.values()) == 1, [k for k, v in seen.items() if v > 1]  # each URL once
    assert min(_gaps(servers)) >= DELAY  # across all workers
    outputs = _outputs(tmp_path)
    assert len(outputs) == HOSTS * PAGES and max(outputs.values()) == 1
    lines = [
        line
        for path in tmp_path.glob("out*/_runs/*.jsonl")
        for line in path.read_text().splitlines()
    ]
    assert len(lines) == HOSTS * PAGES
    # Each summary counts the whole run, or none: a worker that starts after the run ended
    # finds the site not due (its `every` is honoured once).
    worked = [[r["counts"]["new"] for r in json.loads(out)["runs"]] for out, _ in results]
    assert all(w in ([], [HOSTS * PAGES]) for w in worked) and [HOSTS * PAGES] in worked


def test_a_killed_worker_is_taken_over(servers, postgres_dsn, tmp_path):
    from scraper.crawl.store.postgres import PostgresStore

    config = _config(tmp_path, servers, lease=3)  # the dead worker's URLs come back in 3 s
    procs = [_worker(config, postgres_dsn, tmp_path, n) for n in range(3)]
    try:
        deadline = time.monotonic() + 60
        while sum(k[1].startswith("/p/") for k in _requests(servers)) < HOSTS * PAGES // 3:
            assert time.monotonic() < deadline, "no progress"
            time.sleep(0.02)
        os.kill(procs[0].pid, signal.SIGKILL)
        _stop(procs[0])
        results = [p.communicate(timeout=120) for p in procs[1:]]
    finally:
        for proc in procs:
            _stop(proc)
    for proc, (_, err) in zip(procs[1:], results, strict=True):
        assert proc.returncode == 0, err
    seen = _requests(servers)
    pages = {k: v for k, v in seen.items() if k[1].startswith("/p/")}
    assert len(pages) == HOSTS * PAGES and max(pages.values()) <= 2
    store = PostgresStore(postgres_dsn)
    try:
        [run] = store.runs()
        assert run.status == "finished"
        assert run.counts["new"] == HOSTS * PAGES and run.counts["queued"] == 0
    finally:
        store.close()
    port = servers[0].port
    assert set(_outputs(tmp_path)) == {
        f"127.0.0.{i + 1}_{port}/{slug(f'http://127.0.0.{i + 1}:{port}/p/{n}')}.txt"
        for i in range(HOSTS)
        for n in range(PAGES)
    }
