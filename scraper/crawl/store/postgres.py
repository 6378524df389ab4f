"""The shared store: PostgreSQL, for many ``scraper crawl`` processes on one or many machines.

Workers share everything through the database: runs (one per due site, joined by every
worker; ``begin_run`` decides under a per-site advisory lock), the frontier (URLs claimed
with ``FOR UPDATE SKIP LOCKED``, a lease and a fencing token), URL records, and host rows
that carry each host's ``next_at`` and its request slots, so the delay, ``per_host``,
Crawl-delay and Retry-After hold across all workers. Every time is the database's clock
(``clock_timestamp()``), never a worker's.

A worker renews its leases while it lives (``renew``); a killed worker's URLs, host slots
and robots.txt job come back once its lease lapses. ``complete`` and ``release`` check the
claim's token, so a worker whose lease was taken over cannot write into the new owner's.

Every change to the frontier (URLs added, released, completed, given up), a robots.txt saved
and a host slot freed send a NOTIFY in the same transaction; ``listen`` hears the other
workers' on a second connection, so a waiting worker wakes when there is something new.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

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

__all__ = ["SCHEMA_VERSION", "PostgresStore"]

SCHEMA_VERSION = 1
_NOW = "extract(epoch from clock_timestamp())::float8"
_SCHEMA_LOCK = 0x5C7A9E  # advisory lock key: one worker creates the schema at a time
_SCHEMA = """
CREATE TABLE IF NOT EXISTS site_samples (
    site text NOT NULL,
    url text NOT NULL,
    fingerprint text NOT NULL,
    seen_at float8 NOT NULL,
    PRIMARY KEY (site, url)
);
CREATE TABLE IF NOT EXISTS site_templates (
    site text PRIMARY KEY,
    template text NOT NULL,
    pages integer NOT NULL,
    learned_at float8 NOT NULL
);
CREATE TABLE IF NOT EXISTS scraper_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id bigserial PRIMARY KEY,
    site text NOT NULL,
    started_at float8 NOT NULL,
    finished_at float8,
    status text NOT NULL,
    jsonl text,
    counts text,
    pages integer NOT NULL DEFAULT 0,
    sitemaps integer NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS run_hosts (
    run_id bigint NOT NULL,
    host text NOT NULL,
    robots_failures integer NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, host)
);
CREATE INDEX IF NOT EXISTS runs_site ON runs (site, id);
CREATE TABLE IF NOT EXISTS frontier (
    run_id bigint NOT NULL,
    url text NOT NULL,
    site text NOT NULL,
    host text NOT NULL,
    kind text NOT NULL,
    depth integer NOT NULL,
    state text NOT NULL,
    not_before float8 NOT NULL DEFAULT 0,
    lease_owner text,
    lease_until float8,
    attempts integer NOT NULL DEFAULT 0,
    outcome text,
    token bigint NOT NULL DEFAULT 0,
    seq bigserial,
    PRIMARY KEY (run_id, url)
);
CREATE INDEX IF NOT EXISTS frontier_host ON frontier (run_id, host, state, not_before);
CREATE INDEX IF NOT EXISTS frontier_todo ON frontier (run_id, host)
    INCLUDE (state, kind, not_before, lease_until) WHERE state != 'done';
CREATE INDEX IF NOT EXISTS frontier_owner ON frontier (lease_owner) WHERE state = 'leased';
CREATE TABLE IF NOT EXISTS urls (
    url text PRIMARY KEY,
    site text NOT NULL,
    etag text,
    last_modified text,
    hash text,
    fetched_at float8,
    status integer,
    error_count integer NOT NULL DEFAULT 0,
    error text,
    path text
);
CREATE TABLE IF NOT EXISTS hosts (
    host text PRIMARY KEY,
    robots_body text,
    robots_status integer,
    robots_fetched_at float8,
    backoff_until float8 NOT NULL DEFAULT 0,
    next_at float8 NOT NULL DEFAULT 0,
    robots_owner text,
    robots_until float8
);
CREATE TABLE IF NOT EXISTS host_slots (
    id bigserial PRIMARY KEY,
    host text NOT NULL,
    owner text NOT NULL,
    until float8 NOT NULL
);
CREATE INDEX IF NOT EXISTS host_slots_host ON host_slots (host);
CREATE INDEX IF NOT EXISTS host_slots_owner ON host_slots (owner);
CREATE SEQUENCE IF NOT EXISTS lease_tokens
"""
_RUN_COLUMNS = "id, site, started_at, finished_at, status, jsonl, counts"
_HOST_COLUMNS = "host, robots_body, robots_status, robots_fetched_at, backoff_until"
_RECORD_COLUMNS = (
    "url, site, etag, last_modified, hash, fetched_at, status, error_count, error, path"
)


class PostgresStore:
    """One connection to ``dsn`` (``postgresql://user@host/db``), used from one thread."""

    shared = True

    def __init__(self, dsn: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise StateError(
                f"{_redact(dsn)}: a PostgreSQL store needs psycopg: pip install 'scraper[postgres]'"
            ) from None
        self.dsn = dsn
        self._errors: type[Exception] = psycopg.Error
        self._id = uuid.uuid4().hex[:12]  # this connection, in the notices it sends
        try:
            self._db = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                row = self._db.execute(
                    "SELECT value FROM scraper_meta WHERE key='schema'"
                ).fetchone()
                if row is None:
                    self._db.execute(
                        "INSERT INTO scraper_meta (key, value) VALUES ('schema', %s)",
                        (str(SCHEMA_VERSION),),
                    )
                elif int(row[0]) != SCHEMA_VERSION:
                    raise StateError(
                        f"{_redact(dsn)}: state schema {row[0]}, this version reads "
                        f"{SCHEMA_VERSION}"
                    )
                (schema,) = self._one("SELECT current_schema()")
                # Added in place (same schema version): asked first, since an ALTER TABLE
                # locks the runs table even when the column is there already.
                if not self._opt(
                    "SELECT 1 FROM information_schema.columns WHERE table_schema=%s"
                    " AND table_name='runs' AND column_name='sitemaps'",
                    (schema,),
                ):
                    self._db.execute(
                        "ALTER TABLE runs ADD COLUMN sitemaps integer NOT NULL DEFAULT 0"
                    )
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StateError(f"{_redact(dsn)}: cannot use the crawl state: {first}") from None
        # One channel per schema: stores in other schemas of the database are other crawls.
        self._channel = "scraper_" + hashlib.sha1(str(schema).encode()).hexdigest()[:16]

    def now(self) -> float:
        return float(self._one(f"SELECT {_NOW}")[0])

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Workers share the state: nothing to lock (leases and tokens keep them apart)."""
        yield

    # -- runs ---------------------------------------------------------------------------

    def begin_run(self, site: str, *, every: float, force: bool) -> tuple[RunInfo, bool] | None:
        """Join the site's open run (True), start one if due (False), or None: not due.

        Under a per-site advisory lock, so N workers starting together make one run.
        """
        with self._tx():
            self._db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"run:{site}",))
            run = self.open_run(site)
            if run is not None:
                return run, True
            last = self.last_run(site)
            if not force and last is not None and self.now() < last.started_at + every:
                return None
            return self.start_run(site), False

    def open_run(self, site: str) -> RunInfo | None:
        row = self._opt(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE site=%s AND status IN ('running','stopped')"
            " ORDER BY id DESC LIMIT 1",
            (site,),
        )
        return self._run(row) if row else None

    def start_run(self, site: str, now: float | None = None) -> RunInfo:
        with self._tx():
            if now is None:
                now = self.now()
            (run_id,) = self._one(
                "INSERT INTO runs (site, started_at, status) VALUES (%s, %s, 'running')"
                " RETURNING id",
                (site, now),
            )
            prev = self._opt(
                "SELECT id FROM runs WHERE site=%s AND id<%s ORDER BY id DESC LIMIT 1",
                (site, run_id),
            )
            if prev:
                self._db.execute(
                    "INSERT INTO frontier (run_id, url, site, host, kind, depth, state,"
                    " not_before, attempts) SELECT %s, url, site, host, kind, depth, 'pending',"
                    " not_before, 0 FROM frontier WHERE run_id=%s AND state!='done'"
                    " ON CONFLICT DO NOTHING",
                    (run_id, prev[0]),
                )
                self._db.execute("DELETE FROM frontier WHERE site=%s AND run_id<%s", (site, run_id))
                self._db.execute(
                    "DELETE FROM run_hosts WHERE run_id IN (SELECT id FROM runs WHERE site=%s"
                    " AND id<%s)",
                    (site, run_id),
                )
        return RunInfo(id=int(run_id), site=site, started_at=now, status="running")

    def set_run_jsonl(self, run_id: int, path: str) -> None:
        # Each worker writes its own JSONL; the run row keeps the first one named.
        self._db.execute("UPDATE runs SET jsonl=COALESCE(jsonl, %s) WHERE id=%s", (path, run_id))

    def finish_run(self, run_id: int, status: str) -> RunInfo:
        """Close the run, unless another worker still holds a live lease in it."""
        with self._tx():
            self._one("SELECT id FROM runs WHERE id=%s FOR UPDATE", (run_id,))
            busy = self._opt(
                f"SELECT 1 FROM frontier WHERE run_id=%s AND state='leased'"
                f" AND lease_until>={_NOW} LIMIT 1",
                (run_id,),
            )
            if not busy:
                self._db.execute(
                    f"UPDATE runs SET status=%s, finished_at={_NOW}, counts=%s WHERE id=%s"
                    " AND status!='finished'",
                    (status, json.dumps(self.counts(run_id)), run_id),
                )
        return self._run(self._one(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id=%s", (run_id,)))

    def last_run(self, site: str) -> RunInfo | None:
        row = self._opt(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE site=%s ORDER BY id DESC LIMIT 1", (site,)
        )
        return self._run(row) if row else None

    def runs(self, limit: int = 20) -> list[RunInfo]:
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT %s", (limit,)
        ).fetchall()
        return [self._run(row) for row in rows]

    def counts(self, run_id: int) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        for outcome, n in self._db.execute(
            "SELECT outcome, COUNT(*) FROM frontier WHERE run_id=%s AND state='done'"
            " GROUP BY outcome",
            (run_id,),
        ).fetchall():
            if outcome in counts:
                counts[outcome] = int(n)
        counts["queued"] = self.pending_count(run_id)
        return counts

    # -- frontier -----------------------------------------------------------------------

    def enqueue(self, items: Iterable[FrontierItem]) -> int:
        with self._tx():
            return self._enqueue(items)

    def _enqueue(self, items: Iterable[FrontierItem]) -> int:
        rows = [(i.run_id, i.url, i.site, i.host, i.kind, i.depth) for i in items]
        if not rows:
            return 0
        cur = self._db.execute(
            "INSERT INTO frontier (run_id, url, site, host, kind, depth, state)"
            " SELECT * , 'pending' FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[],"
            " %s::text[], %s::int[]) ON CONFLICT DO NOTHING",
            [list(col) for col in zip(*rows, strict=True)],
        )
        if cur.rowcount:
            self._notify("frontier")
        return cur.rowcount

    def add_sitemaps(
        self, run_id: int, items: Iterable[FrontierItem], *, limit: int
    ) -> tuple[int, int]:
        """Queue the sitemaps new to the run while fewer than ``limit`` were queued in it,
        counted on the run's row (locked meanwhile), so every worker shares one limit."""
        new: dict[str, FrontierItem] = {}
        for item in items:
            new.setdefault(item.url, item)
        if not new:
            return 0, 0
        with self._tx():
            (used,) = self._one("SELECT sitemaps FROM runs WHERE id=%s FOR UPDATE", (run_id,))
            known = self._db.execute(
                "SELECT url FROM frontier WHERE run_id=%s AND url = ANY(%s)",
                (run_id, list(new)),
            ).fetchall()
            fresh = [item for url, item in new.items() if (url,) not in known]
            take = fresh[: max(0, limit - int(used))]
            added = self._enqueue(take)
            self._db.execute("UPDATE runs SET sitemaps=sitemaps+%s WHERE id=%s", (added, run_id))
        return added, len(fresh) - len(take)

    def pending_hosts(
        self, run_id: int, *, pages: bool = True, after: str = "", limit: int | None = None
    ) -> dict[str, float]:
        """Hosts with work in the run → seconds until one of their URLs may be claimed.

        In host order from ``after``, at most ``limit``: a walk of the ``frontier_todo``
        index that stops after ``limit`` hosts, so a large frontier costs a page of it."""
        rows = self._db.execute(
            f"SELECT host, GREATEST(0, MIN(CASE WHEN state='leased'"
            f" THEN GREATEST(lease_until, not_before) ELSE not_before END) - {_NOW})"
            " FROM frontier WHERE run_id=%s AND state!='done' AND (%s OR kind!='page')"
            " AND host>%s GROUP BY host ORDER BY host LIMIT %s",
            (run_id, pages, after, limit),
        ).fetchall()
        return {host: float(wait) for host, wait in rows}

    @contextlib.contextmanager
    def listen(self, wake: Callable[[str], None]) -> Iterator[None]:
        """Hear the other workers' notices on a second connection, in a thread."""
        import psycopg

        try:
            conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=10)
            conn.execute(f"LISTEN {self._channel}")
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StateError(f"{_redact(self.dsn)}: cannot listen for notices: {first}") from None
        done = threading.Event()

        def hear() -> None:
            try:
                while not done.is_set():
                    # (A timeout only so that a lost "bye" cannot keep the thread.)
                    for note in conn.notifies(timeout=5.0):
                        sender, _, what = note.payload.partition(" ")
                        if sender != self._id:
                            wake(what)
                        elif what == "bye":
                            return
            except psycopg.Error:
                pass  # the connection is gone: the runner's slow re-read still sees changes

        thread = threading.Thread(target=hear, name="store-notices", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            with contextlib.suppress(psycopg.Error):
                self._notify("bye")
            thread.join(timeout=10)
            conn.close()

    def _notify(self, what: str) -> None:
        """Tell the other workers (at the commit of the transaction it is in)."""
        self._db.execute("SELECT pg_notify(%s, %s)", (self._channel, f"{self._id} {what}"))

    def pending_count(self, run_id: int) -> int:
        return int(
            self._one("SELECT COUNT(*) FROM frontier WHERE run_id=%s AND state!='done'", (run_id,))[
                0
            ]
        )

    def done_count(self, run_id: int, kinds: tuple[Kind, ...]) -> int:
        return int(
            self._one(
                "SELECT COUNT(*) FROM frontier WHERE run_id=%s AND state='done'"
                " AND kind = ANY(%s) AND outcome NOT IN ('robots', 'skipped')",
                (run_id, list(kinds)),
            )[0]
        )

    def pages_claimed(self, run_id: int) -> int:
        row = self._opt("SELECT pages FROM runs WHERE id=%s", (run_id,))
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
        """Lease up to ``limit`` due URLs of ``host`` with ``FOR UPDATE SKIP LOCKED``.

        Rows another worker is claiming are skipped, not waited for. New pages are counted
        on the run's row, which is locked only when the claim holds pages.
        """
        with self._tx():
            rows = self._db.execute(
                f"SELECT url, site, kind, depth, attempts, state FROM frontier"
                f" WHERE run_id=%s AND host=%s AND not_before<={_NOW} AND (state='pending'"
                f" OR (state='leased' AND lease_until<{_NOW}))"
                " ORDER BY kind='page', depth, seq LIMIT %s FOR UPDATE SKIP LOCKED",
                (run_id, host, limit),
            ).fetchall()
            fresh = sum(1 for r in rows if r[2] == "page" and r[5] == "pending")
            budget = fresh
            if fresh and max_pages is not None:
                (used,) = self._one("SELECT pages FROM runs WHERE id=%s FOR UPDATE", (run_id,))
                budget = max(0, min(fresh, max_pages - int(used)))
            taken, new_pages = [], 0
            for row in rows:
                fresh_page = row[2] == "page" and row[5] == "pending"
                if fresh_page and new_pages >= budget:
                    continue
                new_pages += fresh_page
                taken.append(row)
            if not taken:
                return []
            (token,) = self._one("SELECT nextval('lease_tokens')")
            self._db.execute(
                f"UPDATE frontier SET state='leased', lease_owner=%s, lease_until={_NOW} + %s,"
                " token=%s WHERE run_id=%s AND url = ANY(%s)",
                (owner, lease, token, run_id, [row[0] for row in taken]),
            )
            if new_pages:
                self._db.execute("UPDATE runs SET pages=pages+%s WHERE id=%s", (new_pages, run_id))
        return [
            FrontierItem(run_id, url, site, host, kind, depth, attempts, int(token))
            for url, site, kind, depth, attempts, _ in taken
        ]

    def holds(self, item: FrontierItem) -> bool:
        return (
            self._opt(
                "SELECT 1 FROM frontier WHERE run_id=%s AND url=%s AND token=%s AND state='leased'",
                (item.run_id, item.url, item.token),
            )
            is not None
        )

    def renew(self, owner: str, lease: float) -> int:
        with self._tx():
            cur = self._db.execute(
                f"UPDATE frontier SET lease_until={_NOW} + %s WHERE state='leased'"
                f" AND lease_owner=%s AND lease_until>={_NOW}",
                (lease, owner),
            )
            self._db.execute(
                f"UPDATE host_slots SET until={_NOW} + %s WHERE owner=%s", (lease, owner)
            )
            self._db.execute(
                f"UPDATE hosts SET robots_until={_NOW} + %s WHERE robots_owner=%s",
                (lease, owner),
            )
            return cur.rowcount

    def give_up(self, owner: str) -> None:
        with self._tx():
            self._db.execute(
                "UPDATE runs SET pages = pages - sub.n FROM (SELECT run_id, COUNT(*) AS n"
                " FROM frontier WHERE state='leased' AND lease_owner=%s AND kind='page'"
                " GROUP BY run_id) sub WHERE runs.id = sub.run_id",
                (owner,),
            )
            self._db.execute(
                "UPDATE frontier SET state='pending', lease_owner=NULL, lease_until=NULL"
                " WHERE state='leased' AND lease_owner=%s",
                (owner,),
            )
            self._db.execute("DELETE FROM host_slots WHERE owner=%s", (owner,))
            self._db.execute(
                "UPDATE hosts SET robots_owner=NULL, robots_until=NULL WHERE robots_owner=%s",
                (owner,),
            )
            self._notify("frontier")

    def mark(self, items: Iterable[FrontierItem], outcome: Outcome) -> int:
        rows = [(i.run_id, i.url, i.site, i.host, i.kind, i.depth) for i in items]
        if not rows:
            return 0
        cur = self._db.execute(
            "INSERT INTO frontier (run_id, url, site, host, kind, depth, state, outcome)"
            " SELECT *, 'done', %s FROM unnest(%s::bigint[], %s::text[], %s::text[],"
            " %s::text[], %s::text[], %s::int[]) ON CONFLICT DO NOTHING",
            [outcome, *[list(col) for col in zip(*rows, strict=True)]],
        )
        return cur.rowcount

    def release(self, item: FrontierItem, *, after: float, attempted: bool) -> None:
        with self._tx():
            cur = self._db.execute(
                f"UPDATE frontier SET state='pending', lease_owner=NULL, lease_until=NULL,"
                f" not_before={_NOW} + %s, attempts=attempts+%s WHERE run_id=%s AND url=%s"
                " AND token=%s AND state='leased'",
                (after, int(attempted), item.run_id, item.url, item.token),
            )
            if cur.rowcount and item.kind == "page":
                self._db.execute("UPDATE runs SET pages=pages-1 WHERE id=%s", (item.run_id,))
            if cur.rowcount:
                self._notify("frontier")

    def complete(
        self,
        item: FrontierItem,
        outcome: Outcome,
        record: UrlRecord | None = None,
        found: Iterable[FrontierItem] = (),
        also_done: Iterable[str] = (),
    ) -> int:
        with self._tx():
            cur = self._db.execute(
                "UPDATE frontier SET state='done', outcome=%s, lease_owner=NULL,"
                " lease_until=NULL, attempts=attempts+1 WHERE run_id=%s AND url=%s"
                " AND token=%s AND state='leased'",
                (outcome, item.run_id, item.url, item.token),
            )
            if cur.rowcount == 0:
                raise LeaseLost(item.url)
            if outcome == "robots" and item.kind == "page":
                self._db.execute("UPDATE runs SET pages=pages-1 WHERE id=%s", (item.run_id,))
            if record is not None:
                self._put_record(record)
            for url in also_done:
                if url != item.url:
                    self._redirected(item, url)
            # Even with nothing found: the host's last URL done ends others' wait for it.
            self._notify("frontier")
            return self._enqueue(found)

    def redirected(self, item: FrontierItem, url: str) -> None:
        with self._tx():
            self._redirected(item, url)
            self._notify("frontier")

    def _redirected(self, item: FrontierItem, url: str) -> None:
        row = self._opt(
            "SELECT state, kind FROM frontier WHERE run_id=%s AND url=%s FOR UPDATE",
            (item.run_id, url),
        )
        if row == ("leased", "page"):  # claimed, now never fetched: back to the page budget
            self._db.execute("UPDATE runs SET pages=pages-1 WHERE id=%s", (item.run_id,))
        self._db.execute(
            "INSERT INTO frontier (run_id, url, site, host, kind, depth, state, outcome)"
            " VALUES (%s, %s, %s, %s, 'page', %s, 'done', 'redirect') ON CONFLICT (run_id, url)"
            " DO UPDATE SET state='done', outcome='redirect', lease_owner=NULL,"
            " lease_until=NULL WHERE frontier.state!='done'",
            (item.run_id, url, item.site, item.host, item.depth),
        )

    # -- URL records --------------------------------------------------------------------

    def record(self, url: str) -> UrlRecord | None:
        row = self._opt(f"SELECT {_RECORD_COLUMNS} FROM urls WHERE url=%s", (url,))
        return UrlRecord(*row) if row else None

    def records(self, urls: Iterable[str]) -> dict[str, UrlRecord]:
        batch = list(urls)
        if not batch:
            return {}
        rows = self._db.execute(
            f"SELECT {_RECORD_COLUMNS} FROM urls WHERE url = ANY(%s)", (batch,)
        ).fetchall()
        return {row[0]: UrlRecord(*row) for row in rows}

    def _put_record(self, r: UrlRecord) -> None:
        self._db.execute(
            f"INSERT INTO urls ({_RECORD_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
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
        row = self._opt(f"SELECT {_HOST_COLUMNS} FROM hosts WHERE host=%s", (host,))
        return HostState(*row) if row else HostState(host=host)

    def _ensure_host(self, host: str) -> None:
        self._db.execute("INSERT INTO hosts (host) VALUES (%s) ON CONFLICT DO NOTHING", (host,))

    def save_robots(self, host: str, *, status: int, body: str, fetched_at: float) -> None:
        with self._tx():
            self._ensure_host(host)
            self._db.execute(
                "UPDATE hosts SET robots_body=%s, robots_status=%s, robots_fetched_at=%s,"
                " robots_owner=NULL, robots_until=NULL WHERE host=%s",
                (body, status, fetched_at, host),
            )
            self._notify(f"robots {host}")

    def robots_failed(self, run_id: int, host: str) -> int:
        (n,) = self._one(
            "INSERT INTO run_hosts (run_id, host, robots_failures) VALUES (%s, %s, 1)"
            " ON CONFLICT (run_id, host) DO UPDATE SET"
            " robots_failures=run_hosts.robots_failures+1 RETURNING robots_failures",
            (run_id, host),
        )
        return int(n)

    def robots_failures(self, run_id: int, host: str) -> int:
        row = self._opt(
            "SELECT robots_failures FROM run_hosts WHERE run_id=%s AND host=%s", (run_id, host)
        )
        return int(row[0]) if row else 0

    def begin_robots(self, host: str, *, owner: str, lease: float) -> bool:
        with self._tx():
            self._ensure_host(host)
            cur = self._db.execute(
                f"UPDATE hosts SET robots_owner=%s, robots_until={_NOW} + %s WHERE host=%s AND"
                f" (robots_owner IS NULL OR robots_owner=%s OR robots_until<{_NOW})",
                (owner, lease, host, owner),
            )
            return cur.rowcount == 1

    # -- site templates ------------------------------------------------------------------

    def add_sample(self, site: str, url: str, fingerprint: str, *, keep: int) -> int:
        with self._tx():
            self._db.execute(
                "INSERT INTO site_samples (site, url, fingerprint, seen_at)"
                f" VALUES (%s, %s, %s, {_NOW}) ON CONFLICT (site, url) DO UPDATE"
                " SET fingerprint=EXCLUDED.fingerprint, seen_at=EXCLUDED.seen_at",
                (site, url, fingerprint),
            )
            self._db.execute(
                "DELETE FROM site_samples WHERE site=%s AND url NOT IN (SELECT url FROM"
                " site_samples WHERE site=%s ORDER BY seen_at DESC, url LIMIT %s)",
                (site, site, keep),
            )
            (n,) = self._one("SELECT COUNT(*) FROM site_samples WHERE site=%s", (site,))
        return int(n)

    def samples(self, site: str) -> list[str]:
        rows = self._db.execute(
            "SELECT fingerprint FROM site_samples WHERE site=%s ORDER BY url", (site,)
        ).fetchall()
        return [r[0] for r in rows]

    def save_template(self, site: str, template: str, pages: int) -> None:
        self._db.execute(
            "INSERT INTO site_templates (site, template, pages, learned_at)"
            f" VALUES (%s, %s, %s, {_NOW}) ON CONFLICT (site) DO UPDATE"
            " SET template=EXCLUDED.template, pages=EXCLUDED.pages,"
            " learned_at=EXCLUDED.learned_at",
            (site, template, pages),
        )

    def template(self, site: str) -> str | None:
        row = self._opt("SELECT template FROM site_templates WHERE site=%s", (site,))
        return str(row[0]) if row else None

    def push_back(self, host: str, seconds: float) -> None:
        with self._tx():
            self._ensure_host(host)
            self._db.execute(
                f"UPDATE hosts SET backoff_until=GREATEST(backoff_until, {_NOW} + %s)"
                " WHERE host=%s",
                (seconds, host),
            )

    def acquire_host(
        self, host: str, *, owner: str, per_host: int, delay: float, lease: float
    ) -> tuple[int, float]:
        """A request slot on ``host`` (slot id, 0) or (0, seconds to wait).

        The host row is taken with ``FOR UPDATE SKIP LOCKED``: a worker never queues behind
        another one deciding about the same host; it looks again a moment later.
        """
        with self._tx():
            row = self._opt(
                f"SELECT next_at, backoff_until, {_NOW} FROM hosts WHERE host=%s"
                " FOR UPDATE SKIP LOCKED",
                (host,),
            )
            if row is None:
                exists = self._opt("SELECT 1 FROM hosts WHERE host=%s", (host,))
                if exists:
                    return 0, 0.01  # another worker holds the row this instant
                self._ensure_host(host)
                row = self._one(
                    f"SELECT next_at, backoff_until, {_NOW} FROM hosts WHERE host=%s FOR UPDATE",
                    (host,),
                )
            next_at, backoff, now = (float(v) for v in row)
            wait = max(next_at, backoff) - now
            if wait > 0:
                return 0, wait
            self._db.execute("DELETE FROM host_slots WHERE host=%s AND until<%s", (host, now))
            (busy,) = self._one("SELECT COUNT(*) FROM host_slots WHERE host=%s", (host,))
            if int(busy) >= per_host:
                return 0, 1.0  # when a slot frees: its release sends a notice
            (slot,) = self._one(
                "INSERT INTO host_slots (host, owner, until) VALUES (%s, %s, %s) RETURNING id",
                (host, owner, now + lease),
            )
            self._db.execute("UPDATE hosts SET next_at=%s WHERE host=%s", (now + delay, host))
            return int(slot), 0.0

    def release_host(self, host: str, slot: int, *, delay: float) -> None:
        with self._tx():
            self._db.execute("DELETE FROM host_slots WHERE id=%s", (slot,))
            self._db.execute(
                f"UPDATE hosts SET next_at=GREATEST(next_at, {_NOW} + %s) WHERE host=%s",
                (delay, host),
            )
            self._notify(f"host {host}")

    def close(self) -> None:
        self._db.close()

    # -- helpers ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _tx(self) -> Iterator[None]:
        try:
            with self._db.transaction():
                yield
        except self._errors as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StateError(f"{_redact(self.dsn)}: crawl state: {first}") from exc

    def _one(self, query: str, params: Any = None) -> tuple[Any, ...]:
        row = self._db.execute(query, params).fetchone()
        assert row is not None
        return tuple(row)

    def _opt(self, query: str, params: Any = None) -> tuple[Any, ...] | None:
        row = self._db.execute(query, params).fetchone()
        return tuple(row) if row is not None else None

    def _run(self, row: tuple[Any, ...]) -> RunInfo:
        run_id, site, started, finished, status, jsonl, counts = row
        return RunInfo(
            id=int(run_id),
            site=str(site),
            started_at=float(started),
            finished_at=float(finished) if finished is not None else None,
            status=str(status),
            jsonl=str(jsonl) if jsonl else None,
            counts=json.loads(counts) if counts else self.counts(int(run_id)),
        )


def _redact(dsn: str) -> str:
    """The DSN without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return dsn
