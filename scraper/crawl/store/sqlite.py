"""The default store: SQLite in WAL mode under ``state_dir``, for one crawl process at a time.

``lock()`` takes an exclusive lock on the state directory (an ``flock``, which the kernel drops
when the process dies, even by ``kill -9``); a second crawl on the same state gets a
``StateError``. Holding the state alone, the lock voids the leases a dead process left.

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
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from scraper.crawl.store.model import (
    OUTCOMES,
    FrontierItem,
    HostState,
    Kind,
    LeaseLost,
    Outcome,
    RunInfo,
    UrlRecord,
)
from scraper.errors import StateError

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

SCHEMA_VERSION = 3
_SCHEMA = """
CREATE TABLE IF NOT EXISTS site_samples (
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    fingerprint TEXT NOT NULL,  -- scraper.site.fingerprint, packed: numbers, not the page
    seen_at REAL NOT NULL,
    PRIMARY KEY (site, url)
);
CREATE TABLE IF NOT EXISTS site_templates (
    site TEXT PRIMARY KEY,
    template TEXT NOT NULL,  -- SiteTemplate JSON
    pages INTEGER NOT NULL,
    learned_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    status TEXT NOT NULL,              -- running | finished | stopped
    jsonl TEXT,
    counts TEXT,                       -- JSON, written when the run finishes
    pages INTEGER NOT NULL DEFAULT 0,  -- pages claimed for fetching (max_pages)
    sitemaps INTEGER NOT NULL DEFAULT 0  -- sitemaps queued (max_sitemaps)
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
    token INTEGER NOT NULL DEFAULT 0,
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
    backoff_until REAL NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0,
    robots_owner TEXT,
    robots_until REAL
);
CREATE TABLE IF NOT EXISTS host_slots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    host TEXT NOT NULL,
    owner TEXT NOT NULL,
    until REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS host_slots_host ON host_slots (host);
CREATE TABLE IF NOT EXISTS run_hosts (
    run_id INTEGER NOT NULL,
    host TEXT NOT NULL,
    robots_failures INTEGER NOT NULL DEFAULT 0,  -- robots.txt fetches found unavailable
    PRIMARY KEY (run_id, host)
);
"""
# Schema 1 → 2: page budget per run, fencing tokens, shared host slots and robots leases.
_MIGRATE_1 = [
    "ALTER TABLE runs ADD COLUMN pages INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE frontier ADD COLUMN token INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE hosts ADD COLUMN next_at REAL NOT NULL DEFAULT 0",
    "ALTER TABLE hosts ADD COLUMN robots_owner TEXT",
    "ALTER TABLE hosts ADD COLUMN robots_until REAL",
    "UPDATE runs SET pages = (SELECT COUNT(*) FROM frontier f WHERE f.run_id = runs.id"
    " AND f.kind = 'page' AND (f.state = 'leased' OR (f.state = 'done'"
    " AND f.outcome NOT IN ('robots', 'skipped', 'redirect'))))",
]
# Schema 2 → 3: sitemaps counted per run, robots.txt failures per run and host (run_hosts).
_MIGRATE_2 = ["ALTER TABLE runs ADD COLUMN sitemaps INTEGER NOT NULL DEFAULT 0"]
_RUN_COLUMNS = "id, site, started_at, finished_at, status, jsonl, counts"
_HOST_COLUMNS = "host, robots_body, robots_status, robots_fetched_at, backoff_until"
_RECORD_COLUMNS = (
    "url, site, etag, last_modified, hash, fetched_at, status, error_count, error, path"
)


class SQLiteStore:
    """``state_dir/state.sqlite3`` in WAL mode; ``state_dir/crawl.lock`` for the run lock.

    One connection, used from one thread at a time (the crawl runner's dispatcher).
    ``clock`` gives the store's time (tests pass a fake one).
    """

    shared = False

    def __init__(
        self, state_dir: str | os.PathLike[str], *, clock: Callable[[], float] = time.time
    ) -> None:
        self.state_dir = Path(state_dir)
        self._clock = clock
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"{self.state_dir}: cannot create state directory: {exc}") from None
        self.path = self.state_dir / "state.sqlite3"
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._tx():
                self._create()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: unusable crawl state: {exc}") from None
        self._lock_file: IO[str] | None = None

    def _create(self) -> None:
        old = self._db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        version = None
        if old:
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            version = int(row[0]) if row else None
        if version in (1, 2):
            for statement in (_MIGRATE_1 if version == 1 else []) + _MIGRATE_2:
                self._db.execute(statement)
            self._db.execute("UPDATE meta SET value=? WHERE key='schema'", (str(SCHEMA_VERSION),))
            version = SCHEMA_VERSION
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self._db.execute(statement)
        if version is None:
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)",
                (str(SCHEMA_VERSION),),
            )
        elif version != SCHEMA_VERSION:
            raise StateError(
                f"{self.path}: state schema {version}, this version reads {SCHEMA_VERSION}"
            )

    def now(self) -> float:
        return self._clock()

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
                    "UPDATE runs SET pages = pages - (SELECT COUNT(*) FROM frontier f"
                    " WHERE f.run_id = runs.id AND f.state='leased' AND f.kind='page')"
                )
                self._db.execute(
                    "UPDATE frontier SET state='pending', lease_owner=NULL, lease_until=NULL "
                    "WHERE state='leased'"
                )
                self._db.execute("DELETE FROM host_slots")
                self._db.execute("UPDATE hosts SET robots_owner=NULL, robots_until=NULL")
            yield
        finally:
            self._lock_file = None
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    # -- runs ---------------------------------------------------------------------------

    def begin_run(self, site: str, *, every: float, force: bool) -> tuple[RunInfo, bool] | None:
        """The site's unfinished run to resume (True), a new one if due (False), or None."""
        with self._tx():
            run = self.open_run(site)
            if run is not None:
                return run, True
            last = self.last_run(site)
            if not force and last is not None and self.now() < last.started_at + every:
                return None
            return self.start_run(site), False

    def open_run(self, site: str) -> RunInfo | None:
        """The site's unfinished run (killed or stopped), to resume."""
        row = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE site=? AND status IN ('running','stopped') "
            "ORDER BY id DESC LIMIT 1",
            (site,),
        ).fetchone()
        return self._run(row) if row else None

    def start_run(self, site: str, now: float | None = None) -> RunInfo:
        """A new run; it inherits what the site's last run left pending."""
        now = self.now() if now is None else now
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
                self._db.execute(
                    "DELETE FROM run_hosts WHERE run_id IN (SELECT id FROM runs WHERE site=?"
                    " AND id<?)",
                    (site, run_id),
                )
        return RunInfo(id=run_id, site=site, started_at=now, status="running")

    def set_run_jsonl(self, run_id: int, path: str) -> None:
        self._db.execute("UPDATE runs SET jsonl=? WHERE id=?", (path, run_id))

    def finish_run(self, run_id: int, status: str) -> RunInfo:
        """Close the run, unless another worker still holds a live lease in it."""
        now = self.now()
        with self._tx():
            busy = self._db.execute(
                "SELECT 1 FROM frontier WHERE run_id=? AND state='leased' AND lease_until>=?"
                " LIMIT 1",
                (run_id, now),
            ).fetchone()
            if not busy:
                self._db.execute(
                    "UPDATE runs SET status=?, finished_at=?, counts=? WHERE id=?",
                    (status, now, json.dumps(self.counts(run_id)), run_id),
                )
        row = self._db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id=?", (run_id,)).fetchone()
        return self._run(row)

    def last_run(self, site: str) -> RunInfo | None:
        row = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE site=? ORDER BY id DESC LIMIT 1", (site,)
        ).fetchone()
        return self._run(row) if row else None

    def runs(self, limit: int = 20) -> list[RunInfo]:
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?", (limit,)
        )
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

    def enqueue(self, items: Iterable[FrontierItem]) -> int:
        """Add URLs not yet in their run's frontier; returns how many were new to it."""
        with self._tx():
            return self._enqueue(items)

    def _enqueue(self, items: Iterable[FrontierItem]) -> int:
        before = self._db.total_changes
        self._db.executemany(
            "INSERT OR IGNORE INTO frontier (run_id, url, site, host, kind, depth, state,"
            " not_before, attempts) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, 0)",
            [(i.run_id, i.url, i.site, i.host, i.kind, i.depth) for i in items],
        )
        return self._db.total_changes - before

    def pending_hosts(
        self, run_id: int, *, pages: bool = True, after: str = "", limit: int | None = None
    ) -> dict[str, float]:
        """Hosts with URLs left in the run → seconds until one may be claimed (0: now).

        A URL leased by a live worker counts from its lease's end (the worker may die).
        ``pages=False`` leaves out plain pages (a run that reached its ``max_pages``).
        In host order: those after ``after``, at most ``limit``.
        """
        now = self.now()
        rows = self._db.execute(
            "SELECT host, MIN(CASE WHEN state='leased' THEN MAX(lease_until, not_before)"
            " ELSE not_before END) FROM frontier WHERE run_id=? AND state!='done'"
            " AND (? OR kind!='page') AND host>? GROUP BY host ORDER BY host LIMIT ?",
            (run_id, pages, after, -1 if limit is None else limit),
        )
        return {host: max(0.0, when - now) for host, when in rows}

    def add_sitemaps(
        self, run_id: int, items: Iterable[FrontierItem], *, limit: int
    ) -> tuple[int, int]:
        """Queue the sitemaps new to the run while fewer than ``limit`` were queued in it."""
        with self._tx():
            new = _unique(items)
            if not new:
                return 0, 0
            marks = ",".join("?" * len(new))
            known = {
                url
                for (url,) in self._db.execute(
                    f"SELECT url FROM frontier WHERE run_id=? AND url IN ({marks})",
                    (run_id, *(i.url for i in new)),
                )
            }
            new = [i for i in new if i.url not in known]
            (used,) = self._db.execute(
                "SELECT sitemaps FROM runs WHERE id=?", (run_id,)
            ).fetchone() or (0,)
            take = new[: max(0, limit - int(used))]
            added = self._enqueue(take)
            self._db.execute("UPDATE runs SET sitemaps=sitemaps+? WHERE id=?", (added, run_id))
            return added, len(new) - len(take)

    def listen(self, wake: Callable[[str], None]) -> contextlib.AbstractContextManager[None]:
        """One process uses this store: nobody else changes it, nothing to hear."""
        return contextlib.nullcontext()

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

    def pages_claimed(self, run_id: int) -> int:
        row = self._db.execute("SELECT pages FROM runs WHERE id=?", (run_id,)).fetchone()
        return int(row[0]) if row else 0

    def claim(
        self,
        run_id: int,
        host: str,
        *,
        limit: int,
        owner: str,
        lease: float,
        max_pages: int | None = None,
    ) -> list[FrontierItem]:
        """Lease up to ``limit`` due URLs of ``host``: hubs first, then shallow before deep.

        A lease that ran out (its worker died) is claimable again; each claim gets a new
        fencing token. Pages count against ``max_pages`` for the run, across workers.
        """
        now = self.now()
        with self._tx():
            budget = limit if max_pages is None else max_pages - self.pages_claimed(run_id)
            rows = self._db.execute(
                "SELECT url, site, kind, depth, attempts, state FROM frontier WHERE run_id=?"
                " AND host=? AND not_before<=? AND (state='pending' OR (state='leased'"
                " AND lease_until<?)) AND (? OR kind!='page') ORDER BY kind='page', depth, rowid"
                " LIMIT ?",
                (run_id, host, now, now, budget > 0, limit),
            ).fetchall()
            taken, new_pages = [], 0
            for row in rows:
                fresh_page = row[2] == "page" and row[5] == "pending"
                if fresh_page and new_pages >= budget:
                    continue
                new_pages += fresh_page
                taken.append(row)
            token = self._next_token()
            self._db.executemany(
                "UPDATE frontier SET state='leased', lease_owner=?, lease_until=?, token=? "
                "WHERE run_id=? AND url=?",
                [(owner, now + lease, token, run_id, row[0]) for row in taken],
            )
            if new_pages:
                self._db.execute("UPDATE runs SET pages=pages+? WHERE id=?", (new_pages, run_id))
        return [
            FrontierItem(run_id, url, site, host, kind, depth, attempts, token)
            for url, site, kind, depth, attempts, _ in taken
        ]

    def _next_token(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key='token'").fetchone()
        token = int(row[0]) + 1 if row else 1
        self._db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('token', ?)", (str(token),)
        )
        return token

    def holds(self, item: FrontierItem) -> bool:
        """Whether the claim that handed out ``item`` still holds it (not taken over)."""
        row = self._db.execute(
            "SELECT 1 FROM frontier WHERE run_id=? AND url=? AND token=? AND state='leased'",
            (item.run_id, item.url, item.token),
        ).fetchone()
        return row is not None

    def renew(self, owner: str, lease: float) -> int:
        """Extend every live lease ``owner`` holds; returns how many URLs it holds."""
        until = self.now() + lease
        with self._tx():
            cur = self._db.execute(
                "UPDATE frontier SET lease_until=? WHERE state='leased' AND lease_owner=?"
                " AND lease_until>=?",
                (until, owner, until - lease),
            )
            self._db.execute("UPDATE host_slots SET until=? WHERE owner=?", (until, owner))
            self._db.execute("UPDATE hosts SET robots_until=? WHERE robots_owner=?", (until, owner))
            return cur.rowcount

    def give_up(self, owner: str) -> None:
        """A clean exit: every lease ``owner`` still holds goes back at once."""
        with self._tx():
            self._db.execute(
                "UPDATE runs SET pages = pages - (SELECT COUNT(*) FROM frontier f"
                " WHERE f.run_id = runs.id AND f.state='leased' AND f.lease_owner=?"
                " AND f.kind='page')",
                (owner,),
            )
            self._db.execute(
                "UPDATE frontier SET state='pending', lease_owner=NULL, lease_until=NULL"
                " WHERE state='leased' AND lease_owner=?",
                (owner,),
            )
            self._db.execute("DELETE FROM host_slots WHERE owner=?", (owner,))
            self._db.execute(
                "UPDATE hosts SET robots_owner=NULL, robots_until=NULL WHERE robots_owner=?",
                (owner,),
            )

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

    def release(self, item: FrontierItem, *, after: float, attempted: bool) -> None:
        """Give a claimed URL back, to be tried ``after`` seconds from now or later."""
        with self._tx():
            cur = self._db.execute(
                "UPDATE frontier SET state='pending', lease_owner=NULL, lease_until=NULL,"
                " not_before=?, attempts=attempts+? WHERE run_id=? AND url=? AND token=?"
                " AND state='leased'",
                (self.now() + after, int(attempted), item.run_id, item.url, item.token),
            )
            if cur.rowcount and item.kind == "page":
                self._db.execute("UPDATE runs SET pages=pages-1 WHERE id=?", (item.run_id,))

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
        ``LeaseLost`` (and nothing written) when another worker holds the URL now.
        """
        with self._tx():
            cur = self._db.execute(
                "UPDATE frontier SET state='done', outcome=?, lease_owner=NULL, lease_until=NULL,"
                " attempts=attempts+1 WHERE run_id=? AND url=? AND token=? AND state='leased'",
                (outcome, item.run_id, item.url, item.token),
            )
            if cur.rowcount == 0:
                raise LeaseLost(item.url)
            if outcome == "robots" and item.kind == "page":
                self._db.execute("UPDATE runs SET pages=pages-1 WHERE id=?", (item.run_id,))
            if record is not None:
                self._put_record(record)
            for url in also_done:
                if url != item.url:
                    self._redirected(item, url)
            return self._enqueue(found)

    def redirected(self, item: FrontierItem, url: str) -> None:
        """``item`` redirected to ``url``: that URL is done in the run too (never fetched again)."""
        with self._tx():
            self._redirected(item, url)

    def _redirected(self, item: FrontierItem, url: str) -> None:
        row = self._db.execute(
            "SELECT state, kind FROM frontier WHERE run_id=? AND url=?", (item.run_id, url)
        ).fetchone()
        if row == ("leased", "page"):  # claimed, now never fetched: back to the page budget
            self._db.execute("UPDATE runs SET pages=pages-1 WHERE id=?", (item.run_id,))
        self._db.execute(
            "INSERT INTO frontier (run_id, url, site, host, kind, depth, state, outcome)"
            " VALUES (?, ?, ?, ?, 'page', ?, 'done', 'redirect') ON CONFLICT (run_id, url)"
            " DO UPDATE SET state='done', outcome='redirect', lease_owner=NULL,"
            " lease_until=NULL WHERE state!='done'",
            (item.run_id, url, item.site, item.host, item.depth),
        )

    # -- URL records --------------------------------------------------------------------

    def record(self, url: str) -> UrlRecord | None:
        row = self._db.execute(f"SELECT {_RECORD_COLUMNS} FROM urls WHERE url=?", (url,)).fetchone()
        return UrlRecord(*row) if row else None

    def records(self, urls: Iterable[str]) -> dict[str, UrlRecord]:
        out: dict[str, UrlRecord] = {}
        batch = list(urls)
        for start in range(0, len(batch), 500):
            part = batch[start : start + 500]
            marks = ",".join("?" * len(part))
            query = f"SELECT {_RECORD_COLUMNS} FROM urls WHERE url IN ({marks})"
            for row in self._db.execute(query, part):
                out[row[0]] = UrlRecord(*row)
        return out

    def _put_record(self, r: UrlRecord) -> None:
        self._db.execute(
            f"INSERT INTO urls ({_RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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

    # -- hosts --------------------------------------------------------------------------

    def host(self, host: str) -> HostState:
        row = self._db.execute(
            f"SELECT {_HOST_COLUMNS} FROM hosts WHERE host=?", (host,)
        ).fetchone()
        return HostState(*row) if row else HostState(host=host)

    def _ensure_host(self, host: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO hosts (host) VALUES (?)", (host,))

    def save_robots(self, host: str, *, status: int, body: str, fetched_at: float) -> None:
        with self._tx():
            self._ensure_host(host)
            self._db.execute(
                "UPDATE hosts SET robots_body=?, robots_status=?, robots_fetched_at=?,"
                " robots_owner=NULL, robots_until=NULL WHERE host=?",
                (body, status, fetched_at, host),
            )

    def begin_robots(self, host: str, *, owner: str, lease: float) -> bool:
        """Take the job of fetching ``host``'s robots.txt, unless a live worker has it."""
        now = self.now()
        with self._tx():
            self._ensure_host(host)
            cur = self._db.execute(
                "UPDATE hosts SET robots_owner=?, robots_until=? WHERE host=? AND"
                " (robots_owner IS NULL OR robots_owner=? OR robots_until<?)",
                (owner, now + lease, host, owner, now),
            )
            return cur.rowcount == 1

    def robots_failed(self, run_id: int, host: str) -> int:
        with self._tx():
            self._db.execute(
                "INSERT INTO run_hosts (run_id, host, robots_failures) VALUES (?, ?, 1)"
                " ON CONFLICT (run_id, host) DO UPDATE SET robots_failures=robots_failures+1",
                (run_id, host),
            )
            return self.robots_failures(run_id, host)

    def robots_failures(self, run_id: int, host: str) -> int:
        row = self._db.execute(
            "SELECT robots_failures FROM run_hosts WHERE run_id=? AND host=?", (run_id, host)
        ).fetchone()
        return int(row[0]) if row else 0

    # -- site templates ------------------------------------------------------------------

    def add_sample(self, site: str, url: str, fingerprint: str, *, keep: int) -> int:
        """Keep ``url``'s fingerprint in ``site``'s sample, the newest ``keep`` pages; returns
        the sample's size."""
        with self._tx():
            self._db.execute(
                "INSERT OR REPLACE INTO site_samples (site, url, fingerprint, seen_at)"
                " VALUES (?, ?, ?, ?)",
                (site, url, fingerprint, self.now()),
            )
            self._db.execute(
                "DELETE FROM site_samples WHERE site=? AND url NOT IN (SELECT url FROM"
                " site_samples WHERE site=? ORDER BY seen_at DESC, url LIMIT ?)",
                (site, site, keep),
            )
            (n,) = self._db.execute(
                "SELECT COUNT(*) FROM site_samples WHERE site=?", (site,)
            ).fetchone()
        return int(n)

    def samples(self, site: str) -> list[str]:
        rows = self._db.execute(
            "SELECT fingerprint FROM site_samples WHERE site=? ORDER BY url", (site,)
        ).fetchall()
        return [r[0] for r in rows]

    def save_template(self, site: str, template: str, pages: int) -> None:
        with self._tx():
            self._db.execute(
                "INSERT OR REPLACE INTO site_templates (site, template, pages, learned_at)"
                " VALUES (?, ?, ?, ?)",
                (site, template, pages, self.now()),
            )

    def template(self, site: str) -> str | None:
        row = self._db.execute(
            "SELECT template FROM site_templates WHERE site=?", (site,)
        ).fetchone()
        return str(row[0]) if row else None

    def push_back(self, host: str, seconds: float) -> None:
        """No request to ``host`` for ``seconds`` (a Retry-After), for every worker."""
        with self._tx():
            self._ensure_host(host)
            self._db.execute(
                "UPDATE hosts SET backoff_until=MAX(backoff_until, ?) WHERE host=?",
                (self.now() + seconds, host),
            )

    def acquire_host(
        self, host: str, *, owner: str, per_host: int, delay: float, lease: float
    ) -> tuple[int, float]:
        """A request slot on ``host``: (slot id, 0), or (0, seconds to wait) when none is free."""
        now = self.now()
        with self._tx():
            self._ensure_host(host)
            next_at, backoff = self._db.execute(
                "SELECT next_at, backoff_until FROM hosts WHERE host=?", (host,)
            ).fetchone()
            self._db.execute("DELETE FROM host_slots WHERE host=? AND until<?", (host, now))
            (busy,) = self._db.execute(
                "SELECT COUNT(*) FROM host_slots WHERE host=?", (host,)
            ).fetchone()
            wait = max(next_at, backoff) - now
            if wait > 0:
                return 0, wait
            if busy >= per_host:
                return 0, 0.05  # when a slot frees is not known: look again soon
            cur = self._db.execute(
                "INSERT INTO host_slots (host, owner, until) VALUES (?, ?, ?)",
                (host, owner, now + lease),
            )
            self._db.execute("UPDATE hosts SET next_at=? WHERE host=?", (now + delay, host))
            return int(cur.lastrowid or 0), 0.0

    def release_host(self, host: str, slot: int, *, delay: float) -> None:
        """The request on ``slot`` ended: the next one waits ``delay`` from now."""
        with self._tx():
            self._db.execute("DELETE FROM host_slots WHERE id=?", (slot,))
            self._db.execute(
                "UPDATE hosts SET next_at=MAX(next_at, ?) WHERE host=?", (self.now() + delay, host)
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


def _unique(items: Iterable[FrontierItem]) -> list[FrontierItem]:
    """The items, each URL once, in their order."""
    seen: dict[str, FrontierItem] = {}
    for item in items:
        seen.setdefault(item.url, item)
    return list(seen.values())
