"""Crawl state behind one small interface, and its SQLite (WAL) implementation.

The state is: runs (one per site and crawl), the frontier of each run (URLs to fetch, with a
lease while a worker holds them), one record per URL (validators, hash of the clean text, last
status, error count) and per-host state (robots.txt cache, Retry-After pushback).

The interface is written for many workers sharing one frontier: a worker *claims* URLs of a
host with a lease (``claim``), and a claim whose lease ran out is claimable again. A PostgreSQL
implementation would claim with ``SELECT … FOR UPDATE SKIP LOCKED``. The SQLite store is for
one crawl process at a time: ``lock()`` takes an exclusive lock on the state directory (an
``flock``, which the kernel drops when the process dies, even by ``kill -9``), and a second
crawl on the same state gets a ``StateError``.

Every change a finished page makes (its URL record, its frontier row, the links it found) is
committed in one transaction, so a run killed at any point resumes with nothing lost, and
nothing that was recorded is fetched again in that run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal, Protocol

from scraper.errors import StateError

__all__ = [
    "OUTCOMES",
    "FrontierItem",
    "HostState",
    "Kind",
    "Outcome",
    "RunInfo",
    "SQLiteStore",
    "Store",
    "UrlRecord",
]

Kind = Literal["start", "page", "sitemap", "feed"]
Outcome = Literal["new", "changed", "unchanged", "failed", "robots", "skipped", "redirect", "hub"]
# Outcomes a run reports: the documents it saw, and what it left alone.
OUTCOMES: tuple[Outcome, ...] = ("new", "changed", "unchanged", "failed", "robots", "skipped")

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    status TEXT NOT NULL,              -- running | finished | stopped
    jsonl TEXT,
    counts TEXT                        -- JSON, written when the run finishes
);
CREATE INDEX IF NOT EXISTS runs_site ON runs (site, started_at);
CREATE TABLE IF NOT EXISTS frontier (
    run_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    host TEXT NOT NULL,
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL,
    state TEXT NOT NULL,               -- pending | leased | done
    not_before REAL NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    PRIMARY KEY (run_id, url)
);
CREATE INDEX IF NOT EXISTS frontier_ready ON frontier (run_id, state, host, not_before);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    hash TEXT,
    fetched_at REAL,
    status INTEGER,
    error_count INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    path TEXT
);
CREATE TABLE IF NOT EXISTS hosts (
    host TEXT PRIMARY KEY,
    robots_body TEXT,
    robots_status INTEGER,
    robots_fetched_at REAL,
    backoff_until REAL NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class RunInfo:
    id: int
    site: str
    started_at: float
    status: str
    finished_at: float | None = None
    jsonl: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FrontierItem:
    run_id: int
    url: str
    site: str
    host: str
    kind: Kind
    depth: int
    attempts: int = 0


@dataclass(frozen=True)
class UrlRecord:
    url: str
    site: str
    etag: str | None = None
    last_modified: str | None = None
    hash: str | None = None
    fetched_at: float | None = None
    status: int | None = None
    error_count: int = 0
    error: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class HostState:
    host: str
    robots_body: str | None = None
    robots_status: int | None = None  # None: never asked; 0: unreachable
    robots_fetched_at: float | None = None
    backoff_until: float = 0.0


class Store(Protocol):
    """What the crawler needs from its state; nothing here assumes a single process."""

    def lock(self) -> contextlib.AbstractContextManager[None]: ...
    def open_run(self, site: str) -> RunInfo | None: ...
    def start_run(self, site: str, now: float) -> RunInfo: ...
    def set_run_jsonl(self, run_id: int, path: str) -> None: ...
    def finish_run(self, run_id: int, status: str, now: float) -> RunInfo: ...
    def last_run(self, site: str) -> RunInfo | None: ...
    def runs(self, limit: int = 20) -> list[RunInfo]: ...
    def counts(self, run_id: int) -> dict[str, int]: ...
    def enqueue(self, items: Iterable[FrontierItem], not_before: float = 0.0) -> int: ...
    def pending_hosts(self, run_id: int, now: float, pages: bool = True) -> dict[str, float]: ...
    def pending_count(self, run_id: int) -> int: ...
    def done_count(self, run_id: int, kinds: tuple[Kind, ...]) -> int: ...
    def claim(
        self,
        run_id: int,
        host: str,
        now: float,
        limit: int,
        owner: str,
        lease: float,
        pages: bool = True,
    ) -> list[FrontierItem]: ...
    def mark(self, items: Iterable[FrontierItem], outcome: Outcome) -> int: ...
    def release(self, item: FrontierItem, not_before: float, attempted: bool) -> None: ...
    def redirected(self, item: FrontierItem, url: str) -> None: ...
    def complete(
        self,
        item: FrontierItem,
        outcome: Outcome,
        record: UrlRecord | None = None,
        found: Iterable[FrontierItem] = (),
        also_done: Iterable[str] = (),
    ) -> int: ...
    def record(self, url: str) -> UrlRecord | None: ...
    def records(self, urls: Iterable[str]) -> dict[str, UrlRecord]: ...
    def host(self, host: str) -> HostState: ...
    def save_host(self, state: HostState) -> None: ...
    def close(self) -> None: ...


class SQLiteStore:
    """``state_dir/state.sqlite3`` in WAL mode; ``state_dir/crawl.lock`` for the run lock.

    One connection, used from the thread that opened it (the crawl runner's main thread).
    """

    def __init__(self, state_dir: str | os.PathLike[str]) -> None:
        self.state_dir = Path(state_dir)
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"{self.state_dir}: cannot create state directory: {exc}") from None
        self.path = self.state_dir / "state.sqlite3"
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._tx():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                if row is None:
                    self._db.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                    )
                elif int(row[0]) != SCHEMA_VERSION:
                    raise StateError(
                        f"{self.path}: state schema {row[0]}, this version reads {SCHEMA_VERSION}"
                    )
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: unusable crawl state: {exc}") from None
        self._lock_file: IO[str] | None = None

    # -- the run lock -------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the state for this process; ``StateError`` if another crawl holds it."""
        path = self.state_dir / "crawl.lock"
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the lock's life)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise StateError(
                f"{self.state_dir}: crawl state is locked by another crawl ({holder}); "
                "wait for it to finish or use another --state-dir"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        self._lock_file = handle
        try:
            # We hold the state alone: leases left by a dead process are void.
            with self._tx():
                self._db.execute(
                    "UPDATE frontier SET state='pending', lease_owner=NULL, lease_until=NULL "
                    "WHERE state='leased'"
                )
            yield
        finally:
            self._lock_file = None
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    # -- runs ---------------------------------------------------------------------------

    def open_run(self, site: str) -> RunInfo | None:
        """The site's unfinished run (killed or stopped), to resume."""
        row = self._db.execute(
            "SELECT * FROM runs WHERE site=? AND status IN ('running','stopped') "
            "ORDER BY id DESC LIMIT 1",
            (site,),
        ).fetchone()
        return self._run(row) if row else None

    def start_run(self, site: str, now: float) -> RunInfo:
        """A new run; it inherits what the site's last run left pending."""
        with self._tx():
            cur = self._db.execute(
                "INSERT INTO runs (site, started_at, status) VALUES (?, ?, 'running')", (site, now)
            )
            run_id = int(cur.lastrowid or 0)
            prev = self._db.execute(
                "SELECT id FROM runs WHERE site=? AND id<? ORDER BY id DESC LIMIT 1",
                (site, run_id),
            ).fetchone()
            if prev:
                self._db.execute(
                    "INSERT OR IGNORE INTO frontier (run_id, url, site, host, kind, depth, state,"
                    " not_before, attempts) SELECT ?, url, site, host, kind, depth, 'pending',"
                    " not_before, 0 FROM frontier WHERE run_id=? AND state!='done'",
                    (run_id, prev[0]),
                )
                # Older runs' frontiers are history now (their counts are in ``runs``).
                self._db.execute("DELETE FROM frontier WHERE site=? AND run_id<?", (site, run_id))
        return RunInfo(id=run_id, site=site, started_at=now, status="running")

    def set_run_jsonl(self, run_id: int, path: str) -> None:
        self._db.execute("UPDATE runs SET jsonl=? WHERE id=?", (path, run_id))

    def finish_run(self, run_id: int, status: str, now: float) -> RunInfo:
        with self._tx():
            self._db.execute(
                "UPDATE runs SET status=?, finished_at=?, counts=? WHERE id=?",
                (status, now, json.dumps(self.counts(run_id)), run_id),
            )
        row = self._db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        return self._run(row)

    def last_run(self, site: str) -> RunInfo | None:
        row = self._db.execute(
            "SELECT * FROM runs WHERE site=? ORDER BY id DESC LIMIT 1", (site,)
        ).fetchone()
        return self._run(row) if row else None

    def runs(self, limit: int = 20) -> list[RunInfo]:
        rows = self._db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [self._run(row) for row in rows.fetchall()]

    def counts(self, run_id: int) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        for outcome, n in self._db.execute(
            "SELECT outcome, COUNT(*) FROM frontier WHERE run_id=? AND state='done' "
            "GROUP BY outcome",
            (run_id,),
        ):
            if outcome in counts:
                counts[outcome] = n
        counts["queued"] = self.pending_count(run_id)
        return counts

    # -- frontier -----------------------------------------------------------------------

    def enqueue(self, items: Iterable[FrontierItem], not_before: float = 0.0) -> int:
        """Add URLs not yet in their run's frontier; returns how many were new to it."""
        with self._tx():
            return self._enqueue(items, not_before)

    def _enqueue(self, items: Iterable[FrontierItem], not_before: float) -> int:
        before = self._db.total_changes
        self._db.executemany(
            "INSERT OR IGNORE INTO frontier (run_id, url, site, host, kind, depth, state,"
            " not_before, attempts) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, 0)",
            [(i.run_id, i.url, i.site, i.host, i.kind, i.depth, not_before) for i in items],
        )
        return self._db.total_changes - before

    def pending_hosts(self, run_id: int, now: float, pages: bool = True) -> dict[str, float]:
        """Hosts with claimable URLs in the run → the earliest time one of them may go.

        ``pages=False`` leaves out plain pages (a run that reached its ``max_pages``).
        """
        rows = self._db.execute(
            "SELECT host, MIN(not_before) FROM frontier WHERE run_id=? AND (state='pending'"
            " OR (state='leased' AND lease_until<?)) AND (? OR kind!='page') GROUP BY host",
            (run_id, now, pages),
        )
        return {host: when for host, when in rows}

    def pending_count(self, run_id: int) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM frontier WHERE run_id=? AND state!='done'", (run_id,)
        ).fetchone()
        return int(row[0])

    def done_count(self, run_id: int, kinds: tuple[Kind, ...]) -> int:
        marks = ",".join("?" * len(kinds))
        row = self._db.execute(
            f"SELECT COUNT(*) FROM frontier WHERE run_id=? AND state='done' AND kind IN ({marks})"
            " AND outcome NOT IN ('robots', 'skipped')",
            (run_id, *kinds),
        ).fetchone()
        return int(row[0])

    def claim(
        self,
        run_id: int,
        host: str,
        now: float,
        limit: int,
        owner: str,
        lease: float,
        pages: bool = True,
    ) -> list[FrontierItem]:
        """Lease up to ``limit`` due URLs of ``host``: hubs first, then shallow before deep.

        A lease that ran out (its worker died) is claimable again. PostgreSQL would take the
        same rows with ``SELECT … FOR UPDATE SKIP LOCKED``.
        """
        with self._tx():
            rows = self._db.execute(
                "SELECT url, site, kind, depth, attempts FROM frontier WHERE run_id=? AND host=?"
                " AND not_before<=? AND (state='pending' OR (state='leased' AND lease_until<?))"
                " AND (? OR kind!='page') ORDER BY kind='page', depth, rowid LIMIT ?",
                (run_id, host, now, now, pages, limit),
            ).fetchall()
            self._db.executemany(
                "UPDATE frontier SET state='leased', lease_owner=?, lease_until=? "
                "WHERE run_id=? AND url=?",
                [(owner, now + lease, run_id, row[0]) for row in rows],
            )
        return [
            FrontierItem(run_id, url, site, host, kind, depth, attempts)
            for url, site, kind, depth, attempts in rows
        ]

    def mark(self, items: Iterable[FrontierItem], outcome: Outcome) -> int:
        """Put URLs in their run's frontier as done already (``skipped``: lastmod unchanged)."""
        with self._tx():
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO frontier (run_id, url, site, host, kind, depth, state,"
                " outcome) VALUES (?, ?, ?, ?, ?, ?, 'done', ?)",
                [(i.run_id, i.url, i.site, i.host, i.kind, i.depth, outcome) for i in items],
            )
            return self._db.total_changes - before

    def release(self, item: FrontierItem, not_before: float, attempted: bool) -> None:
        """Give a claimed URL back, to be tried at ``not_before`` or later."""
        self._db.execute(
            "UPDATE frontier SET state='pending', lease_owner=NULL, lease_until=NULL,"
            " not_before=?, attempts=attempts+? WHERE run_id=? AND url=?",
            (not_before, int(attempted), item.run_id, item.url),
        )

    def complete(
        self,
        item: FrontierItem,
        outcome: Outcome,
        record: UrlRecord | None = None,
        found: Iterable[FrontierItem] = (),
        also_done: Iterable[str] = (),
    ) -> int:
        """One transaction: the URL's record, its frontier row done, the links it found.

        ``also_done`` marks more URLs done in the run (where a redirect ended), so they are
        not fetched again. Returns how many found links were new to the frontier.
        """
        with self._tx():
            if record is not None:
                self._put_record(record)
            self._db.execute(
                "UPDATE frontier SET state='done', outcome=?, lease_owner=NULL, lease_until=NULL,"
                " attempts=attempts+1 WHERE run_id=? AND url=?",
                (outcome, item.run_id, item.url),
            )
            for url in also_done:
                if url != item.url:
                    self._redirected(item, url)
            return self._enqueue(found, 0.0)

    def redirected(self, item: FrontierItem, url: str) -> None:
        """``item`` redirected to ``url``: that URL is done in the run too (never fetched again)."""
        with self._tx():
            self._redirected(item, url)

    def _redirected(self, item: FrontierItem, url: str) -> None:
        self._db.execute(
            "INSERT INTO frontier (run_id, url, site, host, kind, depth, state, outcome)"
            " VALUES (?, ?, ?, ?, 'page', ?, 'done', 'redirect') ON CONFLICT (run_id, url)"
            " DO UPDATE SET state='done', outcome='redirect', lease_owner=NULL,"
            " lease_until=NULL WHERE state!='done'",
            (item.run_id, url, item.site, item.host, item.depth),
        )

    # -- URL records and hosts ----------------------------------------------------------

    def record(self, url: str) -> UrlRecord | None:
        row = self._db.execute("SELECT * FROM urls WHERE url=?", (url,)).fetchone()
        return UrlRecord(*row) if row else None

    def records(self, urls: Iterable[str]) -> dict[str, UrlRecord]:
        out: dict[str, UrlRecord] = {}
        batch = list(urls)
        for start in range(0, len(batch), 500):
            part = batch[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self._db.execute(f"SELECT * FROM urls WHERE url IN ({marks})", part):
                out[row[0]] = UrlRecord(*row)
        return out

    def _put_record(self, r: UrlRecord) -> None:
        self._db.execute(
            "INSERT INTO urls (url, site, etag, last_modified, hash, fetched_at, status,"
            " error_count, error, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET site=excluded.site, etag=excluded.etag,"
            " last_modified=excluded.last_modified, hash=excluded.hash,"
            " fetched_at=excluded.fetched_at, status=excluded.status,"
            " error_count=excluded.error_count, error=excluded.error, path=excluded.path",
            (
                r.url,
                r.site,
                r.etag,
                r.last_modified,
                r.hash,
                r.fetched_at,
                r.status,
                r.error_count,
                r.error,
                r.path,
            ),
        )

    def host(self, host: str) -> HostState:
        row = self._db.execute("SELECT * FROM hosts WHERE host=?", (host,)).fetchone()
        return HostState(*row) if row else HostState(host=host)

    def save_host(self, state: HostState) -> None:
        self._db.execute(
            "INSERT INTO hosts (host, robots_body, robots_status, robots_fetched_at, backoff_until)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (host) DO UPDATE SET"
            " robots_body=excluded.robots_body, robots_status=excluded.robots_status,"
            " robots_fetched_at=excluded.robots_fetched_at, backoff_until=excluded.backoff_until",
            (
                state.host,
                state.robots_body,
                state.robots_status,
                state.robots_fetched_at,
                state.backoff_until,
            ),
        )

    def close(self) -> None:
        self._db.close()

    # -- helpers ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _tx(self) -> Iterator[None]:
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _run(self, row: tuple[object, ...]) -> RunInfo:
        run_id, site, started, finished, status, jsonl, counts = row
        return RunInfo(
            id=int(run_id),  # type: ignore[call-overload]
            site=str(site),
            started_at=float(started),  # type: ignore[arg-type]
            finished_at=float(finished) if finished is not None else None,  # type: ignore[arg-type]
            status=str(status),
            jsonl=str(jsonl) if jsonl else None,
            counts=json.loads(str(counts)) if counts else self.counts(int(run_id)),  # type: ignore[call-overload]
        )
