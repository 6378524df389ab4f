"""The crawl as a process: kill -9 and resume, the state lock, --watch stopped by a signal."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scraper.crawl.store import SQLiteStore

from .conftest import article, hub, settings
from .server import Reply

_MAIN = "from scraper.cli import main; main()"
PAGES = [f"/p{i:02d}" for i in range(24)]


def _cli(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _MAIN, "crawl", "-c", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """The crawl's own process group (its cleaning workers), after the crawl itself is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _site(server, tmp_path: Path, write_config, **crawl: object) -> Path:
    server.routes["/"] = Reply(body=hub(PAGES))
    for path in PAGES:
        server.routes[path] = Reply(body=article(f"Page {path}"))
    start = json.dumps([server.url("/")])
    return write_config(
        settings(tmp_path, **crawl)
        + f"sites:\n  s: {{hosts: [127.0.0.1], start: {start}, max_pages: 100}}\n"
    )


def test_killed_run_resumes_without_fetching_twice(server, write_config, tmp_path):
    config = _site(server, tmp_path, write_config, delay=0.1)
    proc = _cli(config, "--quiet")
    try:
        _wait_for(lambda: len([p for p in server.paths() if p.startswith("/p")]) >= 8)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        _kill_group(proc)
    before = len(server.log)
    db = sqlite3.connect(tmp_path / "state" / "state.sqlite3")
    stored = dict(db.execute("SELECT url, hash FROM urls WHERE hash IS NOT NULL").fetchall())
    db.close()
    assert 4 <= len(stored) < len(PAGES)
    files = {p.name: p.read_bytes() for p in (tmp_path / "out").rglob("*.txt")}

    proc = _cli(config, "--json")
    out, err = proc.communicate(timeout=60)
    _kill_group(proc)
    assert proc.returncode == 0, err
    summary = json.loads(out)["runs"][0]
    assert summary["run_id"] == 1  # the same run, resumed

    resumed = [r.path for r in server.log[before:]]
    assert len(resumed) == len(set(resumed))  # nothing fetched twice in the resumed run
    stored_paths = {url.split(str(server.port), 1)[1] for url in stored}
    assert not stored_paths & set(resumed)  # nothing already stored was fetched again
    assert set(PAGES) <= set(server.paths())

    store = SQLiteStore(tmp_path / "state")
    for url, digest in stored.items():
        record = store.record(url)
        assert record is not None and record.hash == digest
    assert store.counts(1)["new"] == len(PAGES) and store.counts(1)["queued"] == 0
    store.close()
    for name, body in files.items():  # documents written before the kill are intact
        assert next((tmp_path / "out").rglob(name)).read_bytes() == body
    lines = (tmp_path / "out" / "_runs" / "s-1.jsonl").read_text().splitlines()
    keys = [json.loads(line)["key"] for line in lines]
    assert len(keys) == len(set(keys)) == len(PAGES)


def test_a_second_crawl_on_the_same_state_refuses(server, write_config, tmp_path):
    config = _site(server, tmp_path, write_config, delay=0.1)
    first = _cli(config, "--quiet")
    try:
        _wait_for(lambda: any(p.startswith("/p") for p in server.paths()))
        second = _cli(config, "--force")
        _, err = second.communicate(timeout=30)
        assert second.returncode == 8
        assert "locked by another crawl" in err and "pid" in err
        assert err.count("\n") == 1  # one line, no traceback
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(30)
        _kill_group(first)


@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_watch_stops_on_a_signal_finishing_pages_in_flight(server, write_config, tmp_path, how):
    config = _site(server, tmp_path, write_config, delay=0.1)
    proc = _cli(config, "--watch", "--json")
    try:
        _wait_for(lambda: len([p for p in server.paths() if p.startswith("/p")]) >= 3)
        if how == "sigterm":
            proc.send_signal(signal.SIGTERM)
        else:  # a terminal's Ctrl-C reaches the whole process group, workers included
            os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        _kill_group(proc)
    assert proc.returncode == 0, err
    run = json.loads(out)["runs"][0]
    assert run["status"] == "stopped" and run["counts"]["queued"] > 0
    fetched = [p for p in server.paths() if p.startswith("/p")]
    # every page asked for was finished and recorded before the exit
    assert run["counts"]["new"] == len(fetched)


def test_workers_forkserver_and_tracker_die_with_a_killed_crawl(server, write_config, tmp_path):
    config = _site(server, tmp_path, write_config, delay=0.1, workers=2)
    proc = _cli(config, "--quiet")
    try:
        _wait_for(lambda: len([p for p in server.paths() if p.startswith("/p")]) >= 3)
        group = [p for p in _group(proc.pid) if p != proc.pid]
        assert group  # the forkserver, the resource tracker and the workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        # the crawl's process group is empty soon after: nothing left behind, however killed
        _wait_for(lambda: not _group(proc.pid), timeout=5)
    finally:
        _kill_group(proc)


def _group(pgid: int) -> list[int]:
    """Live processes of the process group ``pgid`` (from /proc; zombies left out)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members
