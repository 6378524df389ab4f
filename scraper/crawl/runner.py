"""The crawl runner: takes URLs from the store, fetches them politely, cleans them in worker
processes, writes what is new or changed, and records every outcome.

Threads fetch (``concurrency`` of them, sharing one thread-safe ``Fetcher``); worker processes
clean (``workers``, one per core by default); one dispatcher thread, the caller's, decides what
goes next and is the only one that touches the store and the output files. Events go to the
``emit`` callback; nothing here prints.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import queue
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from scraper.config import Config, SiteRule
from scraper.crawl.discover import Entry, Scope, host_key, normalize, parse_feed, parse_sitemap
from scraper.crawl.events import Event, PageDone, Progress, RunFinished, RunStarted, SiteSummary
from scraper.crawl.output import RunOutput
from scraper.crawl.politeness import Politeness
from scraper.crawl.resources import ResourceClient
from scraper.crawl.robots import ROBOTS_MAX_BYTES, Robots, product_token
from scraper.crawl.schedule import due_sites, next_due
from scraper.crawl.store import FrontierItem, LeaseLost, Outcome, RunInfo, Store, UrlRecord
from scraper.crawl.work import Cleaned, clean_page, init_worker
from scraper.errors import FetchError, ScraperError
from scraper.fetch import Fetcher, FetchResult

__all__ = ["Crawler", "crawl_due", "watch"]

Emit = Callable[[Event], None]
_CLAIM = 4  # URLs claimed from the store at a time, per host
_PROGRESS_EVERY = 0.25


@dataclass
class _Run:
    info: RunInfo
    rule: SiteRule
    scope: Scope
    output: RunOutput
    started: float
    resumed: bool = False
    full: bool = False  # max_pages claimed, by this worker and any other (from the store)


@dataclass
class _Done:
    """A finished background job, handed to the dispatcher through the queue."""

    kind: str  # robots | page | resource | cleaned
    run_id: int
    item: FrontierItem | None
    host: str
    value: Any = None
    error: BaseException | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class Crawler:
    """Crawls the given sites once: resumes each site's unfinished run or starts a new one."""

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        emit: Emit | None = None,
        stop: threading.Event | None = None,
        fetcher: Fetcher | None = None,
        resources: ResourceClient | None = None,
    ) -> None:
        self.config = config
        self.settings = config.crawl
        self.store = store
        self.emit: Emit = emit or (lambda event: None)
        self.stop = stop or threading.Event()
        self._fetcher = fetcher
        self._resources = resources
        self._token = product_token(config.fetch.user_agent)
        # Unique per crawl: a restarted process must not pass for its dead predecessor.
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lease = self.settings.lease
        self._renewed = time.monotonic()
        self._politeness = Politeness(
            concurrency=self.settings.concurrency,
            per_host=self.settings.per_host,
            delay=self.settings.delay,
            slots=store if store.shared else None,
            owner=self._owner,
            lease=self._lease,
        )
        self._queue: queue.SimpleQueue[_Done] = queue.SimpleQueue()
        self._runs: dict[int, _Run] = {}
        self._pending: dict[tuple[int, str], float] = {}  # (run, host) → earliest not_before
        self._buffers: dict[tuple[int, str], deque[FrontierItem]] = {}
        self._robots: dict[str, Robots] = {}
        self._robots_busy: set[str] = set()
        self._hosts_seen: set[str] = set()
        self._dirty = True
        self._refreshed = 0.0
        self._turn = 0
        self._cleaning = 0
        self._done = 0
        self._failed = 0

    # -- the run ------------------------------------------------------------------------

    def crawl(self, sites: Iterable[str], *, force: bool = False) -> list[SiteSummary]:
        names = list(sites)
        if not names:
            return []
        self._force = force
        own_fetcher = self._fetcher is None
        own_resources = self._resources is None
        fetcher = self._fetcher or Fetcher(self.config.fetch)
        resources = self._resources or ResourceClient(self.config.fetch)
        self._fetcher, self._resources = fetcher, resources
        workers = self.settings.workers or os.cpu_count() or 1
        fetch_pool = ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="fetch")
        # forkserver: never fork a process that has fetch threads running; the preload makes
        # each worker a fork of a server that has imported the cleaner already.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["scraper.crawl.work"])
        clean_pool = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(self.config,),
        )
        self._fetch_pool, self._clean_pool = fetch_pool, clean_pool
        self._max_cleaning = workers * 4
        try:
            for name in names:
                self._open(name)
            if not self._runs:
                return []  # another worker ran them all meanwhile
            stopped = self._loop()
            self.store.give_up(self._owner)
            return [self._finish(run, stopped) for run in self._runs.values()]
        finally:
            fetch_pool.shutdown(wait=True, cancel_futures=True)
            clean_pool.shutdown(wait=True, cancel_futures=True)
            for run in self._runs.values():
                run.output.close()
            if own_fetcher:
                fetcher.close()
            if own_resources:
                resources.close()

    def _open(self, name: str) -> None:
        rule = self.config.sites[name]
        # One run per due site: the first worker starts it, the others join it.
        begun = self.store.begin_run(name, every=rule.every, force=self._force)
        if begun is None:
            return
        info, resumed = begun
        output = RunOutput(
            self.settings.output_dir, name, info.id, self.settings.format, self.settings.warc
        )
        self.store.set_run_jsonl(info.id, str(output.jsonl_path))
        run = _Run(info, rule, Scope(self.config, name), output, time.monotonic(), resumed=resumed)
        self._runs[info.id] = run
        seeds: list[FrontierItem] = []
        start = rule.start or ([] if rule.sitemaps or rule.feeds else [f"https://{rule.hosts[0]}/"])
        for urls, kind in ((start, "start"), (rule.sitemaps, "sitemap"), (rule.feeds, "feed")):
            for raw in urls:
                url = normalize(raw)
                if url:
                    seeds.append(self._item(run, url, kind, 0))  # type: ignore[arg-type]
        self.store.enqueue(seeds)
        self.emit(RunStarted(site=name, run_id=info.id, resumed=resumed))

    def _item(self, run: _Run, url: str, kind: str, depth: int) -> FrontierItem:
        return FrontierItem(
            run_id=run.info.id,
            url=url,
            site=run.info.site,
            host=host_key(url),
            kind=kind,  # type: ignore[arg-type]
            depth=depth,
        )

    def _loop(self) -> bool:
        """Dispatch and collect until the work is done (False) or a stop was asked (True)."""
        last_progress = 0.0
        while True:
            self._drain(timeout=0)
            self._renew()
            stopping = self.stop.is_set()
            if stopping:
                self._give_back()
                if self._politeness.in_flight == 0 and self._cleaning == 0:
                    return True
                wait = 0.2
            else:
                wait = self._dispatch()
                idle = self._politeness.in_flight == 0 and self._cleaning == 0
                if idle and wait > self.config.fetch.retry_after_cap:
                    # Nothing running, and nothing due soon: what is left waits for the next run.
                    return False
            now = time.monotonic()
            if now - last_progress >= _PROGRESS_EVERY:
                last_progress = now
                self.emit(self._progress())
            self._drain(timeout=min(max(wait, 0.001), _PROGRESS_EVERY))

    def _renew(self) -> None:
        """A live worker keeps its leases: renewed at a third of their length."""
        mono = time.monotonic()
        if mono - self._renewed >= self._lease / 3:
            self._renewed = mono
            self.store.renew(self._owner, self._lease)

    def _finish(self, run: _Run, stopped: bool) -> SiteSummary:
        status = "stopped" if stopped else "finished"
        info = self.store.finish_run(run.info.id, status)
        summary = SiteSummary(
            site=info.site,
            run_id=info.id,
            # "running": other workers still hold URLs of the run and will close it.
            status="running" if info.status == "running" else status,
            counts=info.counts,
            seconds=time.monotonic() - run.started,
            jsonl=str(run.output.jsonl_path),
        )
        self.emit(RunFinished(summary))
        return summary

    def _progress(self) -> Progress:
        queued = sum(self.store.pending_count(run_id) for run_id in self._runs)
        return Progress(
            done=self._done,
            queued=queued,
            failed=self._failed,
            in_flight=self._politeness.in_flight,
            cleaning=self._cleaning,
            hosts=tuple(sorted(self._politeness.busy_hosts())),
        )

    # -- dispatching --------------------------------------------------------------------

    def _refresh(self) -> None:
        mono = time.monotonic()
        # Other workers change a shared frontier: look again often even with nothing new here.
        stale = self.store.shared and mono - self._refreshed >= 0.2
        if not (self._dirty or stale) or mono - self._refreshed < 0.05:
            return
        self._dirty, self._refreshed = False, mono
        pending: dict[tuple[int, str], float] = {}
        for run_id, run in self._runs.items():
            run.full = self.store.pages_claimed(run_id) >= run.rule.max_pages
            for host, wait in self.store.pending_hosts(run_id, pages=not run.full).items():
                pending[(run_id, host)] = mono + wait
                if host not in self._hosts_seen:
                    self._meet(run, host)
        for key, buffer in self._buffers.items():
            if buffer:
                pending[key] = 0.0
        self._pending = pending

    def _meet(self, run: _Run, host: str) -> None:
        """First sight of a host in this crawl: its delay and any pushback still running."""
        self._hosts_seen.add(host)
        delay = run.rule.delay if run.rule.delay is not None else self.settings.delay
        self._politeness.set_delay(host, delay)
        state = self.store.host(host)
        left = state.backoff_until - self.store.now()
        if left > 0:
            self._politeness.push_back(host, time.monotonic() + left)

    def _dispatch(self) -> float:
        """Start what may start now; returns seconds until something else may (``inf``: never)."""
        wall, mono = time.time(), time.monotonic()
        self._refresh()
        soonest = math.inf
        if self._dirty:
            soonest = 0.05
        keys = list(self._pending)
        if keys:
            # Start each pass at the next host: free slots go round, not to the first hosts.
            self._turn = (self._turn + 1) % len(keys)
            keys = keys[self._turn :] + keys[: self._turn]
        for key in keys:
            if self._politeness.full() or self._cleaning >= self._max_cleaning:
                return min(soonest, 0.05)
            run_id, host = key
            run = self._runs[run_id]
            not_before = self._pending[key] - mono
            if not_before > 0 and not self._buffers.get(key):
                soonest = min(soonest, not_before)
                continue
            wait = self._politeness.wait(host, mono)
            if wait > 0:
                blocked = self._politeness.blocked(host, mono)
                # Waiting for a free slot or the delay is work in progress; a long pushback is not.
                soonest = min(soonest, blocked if blocked > 0 else min(wait, 0.05))
                continue
            if host in self._robots_busy:
                continue
            robots = self._robots_for(run, host, wall)
            if robots is None:
                if not self._start_robots(run, host, mono):
                    soonest = min(soonest, 0.1)  # another worker is fetching it, or its slot
                continue
            if robots.unavailable:
                retry_at = robots.fetched_at + self.settings.robots_retry
                self._politeness.push_back(host, mono + max(0.0, retry_at - wall))
                soonest = min(soonest, retry_at - wall)
                continue
            item = self._next_item(run, key, wall)
            if item is None:
                continue
            if not robots.allows(item.url, self._token):
                self._complete(run, item, "robots", detail="disallowed by robots.txt")
                soonest = 0.0
                continue
            wait = self._politeness.acquire(host, mono)
            if wait > 0:  # another worker took the host's turn
                self._buffers[key].appendleft(item)
                soonest = min(soonest, wait)
                continue
            self._start_fetch(run, item)
        return soonest

    def _next_item(self, run: _Run, key: tuple[int, str], wall: float) -> FrontierItem | None:
        buffer = self._buffers.setdefault(key, deque())
        while True:
            if not buffer:
                claimed = self.store.claim(
                    key[0],
                    key[1],
                    limit=_CLAIM,
                    owner=self._owner,
                    lease=self._lease,
                    max_pages=run.rule.max_pages,
                )
                if not claimed:
                    self._pending.pop(key, None)
                    self._dirty = True
                    return None
                buffer.extend(claimed)
            return buffer.popleft()

    def _give_back(self) -> None:
        """On stop: URLs claimed but not started go back to the frontier."""
        for buffer in self._buffers.values():
            while buffer:
                self.store.release(buffer.popleft(), after=0.0, attempted=False)

    def _robots_for(self, run: _Run, host: str, wall: float) -> Robots | None:
        ttl, retry = self.settings.robots_ttl, self.settings.robots_retry
        robots = self._robots.get(host)
        if robots is not None and robots.fresh(wall, ttl, retry):
            return robots
        state = self.store.host(host)
        if state.robots_fetched_at is not None and state.robots_status is not None:
            cached = Robots.from_response(
                state.robots_status, state.robots_body or "", state.robots_fetched_at
            )
            if cached.fresh(wall, ttl, retry):
                self._use_robots(run, host, cached)
                return cached
        return None

    def _use_robots(self, run: _Run, host: str, robots: Robots) -> None:
        self._robots[host] = robots
        base = run.rule.delay if run.rule.delay is not None else self.settings.delay
        self._politeness.set_delay(host, max(base, robots.crawl_delay(self._token) or 0.0))
        sitemaps = [u for raw in robots.sitemaps() if (u := normalize(raw))]
        items = [self._item(run, u, "sitemap", 0) for u in sitemaps if run.scope.on_site(u)]
        if items and self.store.enqueue(items):
            self._dirty = True

    def _start_robots(self, run: _Run, host: str, mono: float) -> bool:
        """Fetch robots.txt, unless another worker is at it (once per host for all)."""
        if self.store.shared and not self.store.begin_robots(
            host, owner=self._owner, lease=self._lease
        ):
            return False
        if self._politeness.acquire(host, mono) > 0:
            return False
        self._robots_busy.add(host)
        self._submit(_Done("robots", run.info.id, None, host), self._get_robots, host)
        return True

    def _get_robots(self, host: str) -> Robots:
        assert self._resources is not None
        try:
            res = self._resources.get(host + "/robots.txt", truncate=True)
        except FetchError:
            return Robots.from_response(0, "", time.time())
        body = res.body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace")
        return Robots.from_response(res.status, body, time.time())

    def _start_fetch(self, run: _Run, item: FrontierItem) -> None:
        job = "page" if item.kind in ("page", "start") else "resource"
        done = _Done(job, run.info.id, item, item.host)
        if done.kind == "page":
            record = self.store.record(item.url)
            done.meta["record"] = record
            headers: dict[str, str] = {}
            if item.kind == "page" and record is not None and record.hash:
                if record.etag:
                    headers["If-None-Match"] = record.etag
                if record.last_modified:
                    headers["If-Modified-Since"] = record.last_modified
            self._submit(done, self._fetch_page, item.url, headers)
        else:
            self._submit(done, self._fetch_resource, item)

    def _submit(self, done: _Done, fn: Callable[..., Any], *args: Any) -> None:
        def job() -> None:
            try:
                done.value = fn(*args)
            except BaseException as exc:  # reported to the dispatcher, never lost in a thread
                done.error = exc
            self._queue.put(done)

        self._fetch_pool.submit(job)

    def _fetch_page(self, url: str, headers: dict[str, str]) -> FetchResult:
        assert self._fetcher is not None
        return self._fetcher.fetch(url, headers=headers or None, retry=False)

    def _fetch_resource(self, item: FrontierItem) -> list[Entry] | tuple[list[Entry], list[Entry]]:
        assert self._resources is not None
        res = self._resources.get(item.url)
        if res.status >= 400:
            retryable = res.status == 429 or res.status >= 500
            message = f"{item.url}: HTTP {res.status}"
            raise FetchError(message, url=item.url, status=res.status, retryable=retryable)
        if item.kind == "feed":
            return parse_feed(res.body, res.final_url)
        doc = parse_sitemap(res.body, res.final_url)
        return doc.pages, doc.sitemaps

    # -- collecting ---------------------------------------------------------------------

    def _drain(self, timeout: float) -> None:
        try:
            done = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return
        while True:
            self._handle(done)
            try:
                done = self._queue.get_nowait()
            except queue.Empty:
                return

    def _handle(self, done: _Done) -> None:
        run = self._runs[done.run_id]
        if done.kind == "cleaned":
            self._cleaning -= 1
            assert done.item is not None
            self._on_cleaned(run, done)
            return
        self._politeness.release(done.host, time.monotonic())
        if done.kind == "robots":
            self._robots_busy.discard(done.host)
            robots: Robots = done.value or Robots.from_response(0, "", time.time())
            self.store.save_robots(
                done.host, status=robots.status, body=robots.body, fetched_at=robots.fetched_at
            )
            self._use_robots(run, done.host, robots)
            return
        item = done.item
        assert item is not None
        if done.error is not None:
            self._on_error(run, item, done.error, done.meta.get("record"))
        elif done.kind == "resource":
            self._on_resource(run, item, done.value)
        else:
            self._on_page(run, item, done.value, done.meta.get("record"))

    def _on_error(
        self, run: _Run, item: FrontierItem, exc: BaseException, record: UrlRecord | None
    ) -> None:
        status = getattr(exc, "status", None)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            # 429/503 with Retry-After: this host waits (for every worker); the others go on.
            self._politeness.push_back(item.host, time.monotonic() + retry_after)
            self.store.push_back(item.host, retry_after)
        retryable = isinstance(exc, FetchError) and exc.retryable
        if retryable and item.attempts < self.config.fetch.retries:
            fetch = self.config.fetch
            backoff = min(fetch.backoff * 2**item.attempts, fetch.max_backoff)
            wait = retry_after if retry_after is not None else backoff
            self.store.release(item, after=wait, attempted=True)
            self._dirty = True
            self.emit(PageDone(run.info.site, item.url, "retry", status, f"{exc}"))
            return
        message = str(exc)
        if not isinstance(exc, ScraperError):
            message = f"{item.url}: {type(exc).__name__}: {exc}"
        new = self._record(run, item, record, status=status, error=message)
        self._complete(run, item, "failed", new, status=status, detail=message)

    def _record(
        self,
        run: _Run,
        item: FrontierItem,
        old: UrlRecord | None,
        *,
        status: int | None,
        error: str | None = None,
        **fields: Any,
    ) -> UrlRecord:
        base = old or UrlRecord(url=item.url, site=run.info.site)
        return replace(
            base,
            site=run.info.site,
            fetched_at=time.time(),
            status=status,
            error=error,
            error_count=base.error_count + 1 if error else 0,
            **fields,
        )

    def _on_resource(self, run: _Run, item: FrontierItem, value: Any) -> None:
        if item.kind == "feed":
            pages, sitemaps = value, []
        else:
            pages, sitemaps = value
        found = [self._item(run, e.url, "sitemap", 0) for e in sitemaps if run.scope.on_site(e.url)]
        wanted = [e for e in pages if run.scope.wants(e.url)]
        records = self.store.records(e.url for e in wanted)
        skipped: list[FrontierItem] = []
        for entry in wanted:
            page = self._item(run, entry.url, "page", 1)
            record = records.get(entry.url)
            if (
                entry.modified is not None
                and record is not None
                and record.hash
                and record.fetched_at is not None
                and entry.modified.timestamp() <= record.fetched_at
            ):
                skipped.append(page)  # lastmod: not changed since we fetched it
            else:
                found.append(page)
        if skipped:
            self.store.mark(skipped, "skipped")
        self._complete(run, item, "hub", None, found=found, status=200)

    def _on_page(
        self, run: _Run, item: FrontierItem, result: FetchResult, record: UrlRecord | None
    ) -> None:
        validators = {
            "etag": result.headers.get("etag"),
            "last_modified": result.headers.get("last-modified"),
        }
        if result.status == 304:
            kept = {k: v or getattr(record, k, None) for k, v in validators.items()}
            new = self._record(run, item, record, status=304, **kept)
            self._complete(run, item, "unchanged", new, status=304)
            return
        final = normalize(result.final_url)
        if final and final != item.url and run.scope.on_site(final):
            # Where a redirect ended is done in this run: not fetched again if linked too.
            target = self._item(run, final, "page", item.depth)
            self.store.redirected(replace(item, host=target.host), final)
            key = (run.info.id, target.host)
            buffer = self._buffers.get(key)
            if buffer and any(b.url == final for b in buffer):
                self._buffers[key] = deque(b for b in buffer if b.url != final)
        if item.kind == "page":
            run.output.archive(result.final_url, result.status, result.headers, result.body)
        want_links = item.depth < run.rule.max_depth
        future = self._clean_pool.submit(
            clean_page,
            result.body,
            result.charset,
            result.final_url,
            item.kind == "page",
            want_links,
        )
        self._cleaning += 1
        done = _Done("cleaned", run.info.id, item, item.host)
        done.meta.update(
            record=record, status=result.status, final_url=result.final_url, **validators
        )

        def cleaned(fut: Future[Cleaned]) -> None:
            try:
                done.value = fut.result()
            except BaseException as exc:
                done.error = exc
            self._queue.put(done)

        future.add_done_callback(cleaned)

    def _on_cleaned(self, run: _Run, done: _Done) -> None:
        item = done.item
        assert item is not None
        meta = done.meta
        record: UrlRecord | None = meta["record"]
        status: int = meta["status"]
        if done.error is not None:
            message = f"{item.url}: cleaning failed: {type(done.error).__name__}: {done.error}"
            new = self._record(run, item, record, status=status, error=message)
            self._complete(run, item, "failed", new, status=status, detail=message)
            return
        cleaned: Cleaned = done.value
        found = [
            self._item(run, url, "page", item.depth + 1)
            for url in cleaned.links
            if run.scope.wants(url)
        ]
        also: list[str] = []  # (the redirect's end was marked done when the response came)
        validators = {"etag": meta["etag"], "last_modified": meta["last_modified"]}
        if item.kind != "page":
            new = self._record(run, item, record, status=status, **validators)
            self._complete(run, item, "hub", new, found=found, also=also, status=status)
            return
        if cleaned.doc is None:
            message = cleaned.error or f"{item.url}: no article text found"
            new = self._record(run, item, record, status=status, error=message, **validators)
            self._complete(
                run, item, "failed", new, found=found, also=also, status=status, detail=message
            )
            return
        outcome: Outcome
        if record is None or not record.hash:
            outcome = "new"
        elif record.hash != cleaned.hash:
            outcome = "changed"
        else:
            outcome = "unchanged"
        path = record.path if record else None
        if outcome != "unchanged" and self.store.shared and not self.store.holds(item):
            # Taken over while we cleaned: the new owner writes it, not us (one output per page).
            self.emit(PageDone(run.info.site, item.url, "lost", status, "lease lost"))
            return
        if outcome != "unchanged":
            written = run.output.write(
                item.url,
                cleaned.doc,
                {"status": outcome, "fetched_at": time.time(), "hash": cleaned.hash},
            )
            path = str(written)
        new = self._record(
            run, item, record, status=status, hash=cleaned.hash, path=path, **validators
        )
        self._complete(run, item, outcome, new, found=found, also=also, status=status)

    def _complete(
        self,
        run: _Run,
        item: FrontierItem,
        outcome: Outcome,
        record: UrlRecord | None = None,
        *,
        found: Iterable[FrontierItem] = (),
        also: Iterable[str] = (),
        status: int | None = None,
        detail: str = "",
    ) -> None:
        try:
            self.store.complete(item, outcome, record, found, also)
            # Look again: new links, or the host's last URL done (no lease left to wait for).
            self._dirty = True
        except LeaseLost as exc:
            # Our lease ran out and another worker owns the URL now: its result stands.
            self.emit(PageDone(run.info.site, item.url, "lost", status, str(exc)))
            return
        if item.kind == "page":
            self._done += 1
            self._failed += outcome == "failed"
        self.emit(PageDone(run.info.site, item.url, outcome, status, detail))


def crawl_due(
    config: Config,
    store: Store,
    *,
    names: Iterable[str] = (),
    force: bool = False,
    emit: Emit | None = None,
    stop: threading.Event | None = None,
) -> list[SiteSummary]:
    """Crawl the sites that are due (all named ones with ``force``)."""
    due = due_sites(config, store, store.now(), names, force)
    return Crawler(config, store, emit=emit, stop=stop).crawl(due, force=force)


def watch(
    config: Config,
    store: Store,
    *,
    names: Iterable[str] = (),
    emit: Emit | None = None,
    stop: threading.Event,
    idle: float = 60.0,
) -> list[SiteSummary]:
    """Crawl sites as they fall due until ``stop`` is set; returns every run's summary."""
    names = list(names)
    summaries: list[SiteSummary] = []
    while not stop.is_set():
        summaries += crawl_due(config, store, names=names, emit=emit, stop=stop)
        with contextlib.suppress(ValueError):
            wait = next_due(config, store, names) - store.now()
            stop.wait(min(max(wait, 0.5), idle))
    return summaries
