"""The crawl runner: takes URLs from the store, fetches them politely, cleans them in worker
processes, writes what is new or changed, and records every outcome.

Threads fetch (``concurrency`` of them, sharing one thread-safe ``Fetcher``); worker processes
clean (``workers``, one per core by default); one dispatcher thread, the caller's, decides what
goes next and is the only one that touches the store and the output files. Events go to the
``emit`` callback; nothing here prints.

The dispatcher is event-driven, like Scrapy's downloader slots: between two passes it sleeps
on one queue until the soonest of a host's due time (its delay, Crawl-delay or Retry-After),
a finished fetch or cleaning, a stop, a notice from the shared store that another worker
changed the frontier, a lease renewal, or a progress report owed. Nothing wakes it at a fixed
interval; with a shared store a slow re-read (``reread_every``) still finds the URLs of killed
workers whose leases lapsed. ``wakeups`` counts its sleeps that ended (for tests).
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
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from scraper.batch.failure import cleaning_failed
from scraper.config import Config, SiteRule
from scraper.crawl.discover import Entry, Scope, host_key, normalize, parse_feed, parse_sitemap
from scraper.crawl.events import (
    Event,
    Notice,
    PageDone,
    Progress,
    RunFinished,
    RunStarted,
    SiteSummary,
)
from scraper.crawl.output import RunOutput
from scraper.crawl.politeness import Politeness
from scraper.crawl.schedule import due_sites, next_due
from scraper.crawl.stopping import Stop
from scraper.crawl.store import FrontierItem, LeaseLost, Outcome, RunInfo, Store, UrlRecord
from scraper.crawl.work import Cleaned, CleanFn, clean_page, init_worker, run_clean
from scraper.errors import FetchError, ScraperError
from scraper.fetch.client import Fetcher, FetchResult
from scraper.fetch.resources import Resource, ResourceClient
from scraper.fetch.retry import RetryPolicy
from scraper.fetch.robots import ROBOTS_MAX_BYTES, Robots, product_token

__all__ = ["Crawler", "crawl_due", "watch"]

Emit = Callable[[Event], None]
_CLAIM = 4  # URLs claimed from the store at a time, per host
_PROGRESS_EVERY = 0.25  # at most this often, and only when something changed
_REFRESH_GAP = 0.05  # the frontier's hosts are listed again at most this often
_REREAD = 5.0  # shared store: hosts listed again this often even with no notice (lapsed leases)
_HOSTS_AT_ONCE = 1000  # hosts listed at a time; a larger frontier is listed a page per refresh
_ROBOTS_ELSEWHERE = 1.0  # robots.txt fetched by another worker: asked again (or at its notice)
_ROBOTS_TRIES = 3  # robots.txt fetches per host and crawl that may find it unavailable
_CLEAN_TRIES = 2  # a page in a worker that died is cleaned again once, in a new pool
# A Retry-After beyond ``fetch.retry_after_cap`` defers its host as asked, but not longer than
# this: a date years ahead is a server's mistake, not a reason to drop the host for good.
_MAX_PUSHBACK = 24 * 3600.0
_WORKER_DIED = "cleaning failed: the worker process died (killed by a signal or out of memory)"


@dataclass
class _Run:
    info: RunInfo
    rule: SiteRule
    scope: Scope
    output: RunOutput
    started: float
    resumed: bool = False
    full: bool = False  # max_pages claimed, by this worker and any other (from the store)
    warnings: list[str] = field(default_factory=list)
    # the site's learned template (JSON; "" while it has none; None: templates are off)
    template: str | None = None
    template_pages: int = 0  # the pages it rests on
    template_used: int = 0  # pages cleaned with it
    template_drift: int = 0  # pages that did not fit it
    cleaning_failed: int = 0  # pages the cleaner failed on (a bug, or beyond a limit)
    samples_since: int = 0  # fingerprints added since it was learned


@dataclass
class _Done:
    """A finished background job, handed to the dispatcher through the queue."""

    kind: str  # robots | page | resource | cleaned | notice (the store's) | wake (a stop)
    run_id: int
    item: FrontierItem | None
    host: str
    value: Any = None
    error: BaseException | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Hop:
    """A page whose response was a redirect: its next request waits for the target host's
    robots.txt and politeness, like any other request to that host."""

    run_id: int
    item: FrontierItem
    url: str
    meta: dict[str, Any]


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
        clean: CleanFn = clean_page,
    ) -> None:
        """``clean`` runs in the worker processes (a module-level function: it is pickled).

        ``stop``: a ``Stop`` wakes the dispatcher at once; a plain ``threading.Event`` is
        watched by a helper thread (every 0.5 s)."""
        self.config = config
        self.settings = config.crawl
        self.store = store
        self.emit: Emit = emit or (lambda event: None)
        self.stop = stop or Stop()
        self.wakeups = 0  # the dispatcher's sleeps that ended (tests count them)
        self.notices = 0  # frontier notices from other workers (shared store)
        self.reread_every = _REREAD
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
        self._robots_tries: dict[str, int] = {}  # host → robots.txt fetches found unavailable
        self._robots_waiting: dict[str, Robots] = {}  # hosts held back by that, this pass
        self._robots_given_up: set[str] = set()
        self._hosts_seen: set[str] = set()
        self._hops: list[_Hop] = []
        self._dirty = True
        self._changed = True  # something a progress report shows
        self._delaying = False
        self._noticed = False  # a frontier notice waits in the queue (set by the listener)
        self._refreshed = -math.inf
        self._host_cursor: dict[int, str] = {}  # run → last host listed (a large frontier)
        self._turn = 0
        self._cleaning = 0
        self._done = 0
        self._failed = 0
        self._clean_fn = clean
        self._retry = RetryPolicy.from_settings(config.fetch)
        self._in_cleaning: dict[int, tuple[Future[Cleaned], _Done]] = {}

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
        # The workers' lifeline: only this process holds the writing end, so they see end of
        # file (and exit) when it is gone, however it died.
        lifeline, self._lifeline = context.Pipe(duplex=False)
        self._workers, self._context, self._lifeline_r = workers, context, lifeline
        self._fetch_pool, self._clean_pool = fetch_pool, self._new_pool()
        self._max_cleaning = workers * 4
        wake = self._wake_on_stop()
        try:
            for name in names:
                self._open(name)
            if not self._runs:
                return []  # another worker ran them all meanwhile
            with self.store.listen(self._notice):
                stopped = self._loop()
            self.store.give_up(self._owner)
            return [self._finish(run, stopped) for run in self._runs.values()]
        finally:
            wake()
            fetch_pool.shutdown(wait=True, cancel_futures=True)
            self._clean_pool.shutdown(wait=True, cancel_futures=True)
            lifeline.close()
            self._lifeline.close()
            for run in self._runs.values():
                run.output.close()
            if own_fetcher:
                fetcher.close()
            if own_resources:
                resources.close()

    def _wake_on_stop(self) -> Callable[[], None]:
        """A stop wakes the dispatcher; returns what ends that (when the crawl ends)."""

        def put() -> None:
            self._queue.put(_Done("wake", -1, None, ""))

        if isinstance(self.stop, Stop):
            return self.stop.on_set(put)
        ended = threading.Event()
        stop = self.stop

        def watch_plain_event() -> None:
            while not ended.wait(0.5):
                if stop.is_set():
                    put()
                    return

        threading.Thread(target=watch_plain_event, name="stop-watch", daemon=True).start()
        return ended.set

    def _notice(self, what: str) -> None:
        """From the store's listening thread: another worker changed the frontier or a host.

        Coalesced, so that a busy crawl of many workers does not wake this one per page: a
        frontier notice while one waits unhandled adds nothing (the refresh it causes reads
        the latest state), and a freed slot matters only on a host this worker waits for."""
        kind, _, host = what.partition(" ")
        if kind == "host":
            if self._politeness.waits_for_others(host):
                self._queue.put(_Done("notice", -1, None, "", value=what))
            return
        if not self._noticed:
            self._noticed = True
            self._queue.put(_Done("notice", -1, None, "", value=what))

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self._workers,
            mp_context=self._context,
            initializer=init_worker,
            initargs=(self.config, self._lifeline_r),
        )

    def _replace_pool(self, broken: ProcessPoolExecutor) -> None:
        """A worker died: its pool is broken for good; a new one takes over (once per pool)."""
        if broken is not self._clean_pool:
            return
        broken.shutdown(wait=False, cancel_futures=True)
        self._clean_pool = self._new_pool()

    def _check_clean_times(self, now: float) -> float:
        """The backstop of ``clean_timeout``: a page whose worker ignored the alarm (stuck in C
        code) is failed, and its pool's workers are killed; the other pages are cleaned again.

        Returns when to look again (``inf``: nothing is being cleaned)."""
        # Twice the limit: a page may wait in the pool's call queue for a page ahead of it.
        limit = 2 * self.settings.clean_timeout + 1
        stuck = False
        soonest = math.inf
        for fut, done in self._in_cleaning.values():
            if "timed_out" in done.meta:
                continue
            since = done.meta.get("running_since")
            if not fut.running():
                if since is None and not fut.done():
                    # Queued behind other pages: seen running at a later pass (each finished
                    # page makes one), or at the latest when looked at again.
                    soonest = min(soonest, now + limit)
                continue
            if since is None:
                since = done.meta["running_since"] = now
            if now - since > limit:
                done.meta["timed_out"] = True
                stuck = True
            else:
                soonest = min(soonest, since + limit + 0.001)
        if stuck:
            # (``_processes`` is private, but the pool offers no other way to stop a task.)
            for process in list(getattr(self._clean_pool, "_processes", {}).values()):
                with contextlib.suppress(OSError, ValueError):
                    process.kill()
        return soonest

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
        if self.settings.templates:
            self._load_template(run)
        self._runs[info.id] = run
        seeds: list[FrontierItem] = []
        start = rule.start or ([] if rule.sitemaps or rule.feeds else [f"https://{rule.hosts[0]}/"])
        self.emit(RunStarted(site=name, run_id=info.id, resumed=resumed))
        for urls, kind in ((start, "start"), (rule.sitemaps, "sitemap"), (rule.feeds, "feed")):
            for raw in urls:
                url = normalize(raw)
                if url:
                    seeds.append(self._item(run, url, kind, 0))
        self.store.enqueue([s for s in seeds if s.kind != "sitemap"])
        self._add_sitemaps(run, [s for s in seeds if s.kind == "sitemap"], None)

    def _load_template(self, run: _Run) -> None:
        from scraper.site.template import SiteTemplate

        run.template = self.store.template(run.info.site) or ""
        if run.template:
            try:
                run.template_pages = SiteTemplate.from_json(run.template).pages
            except ScraperError:  # a template of another version: learned again
                run.template = ""

    def _learn(self, run: _Run, url: str, fingerprint: str) -> None:
        """Add the page's fingerprint to the site's sample; (re)learn the template once the
        sample holds ``template_pages`` pages, and again after as many new ones."""
        from scraper.site.fingerprint import PageFingerprint
        from scraper.site.template import learn_from_fingerprints

        site, settings = run.info.site, self.settings
        size = self.store.add_sample(site, url, fingerprint, keep=settings.template_sample)
        run.samples_since += 1
        if size < settings.template_pages or (
            run.template and run.samples_since < settings.template_pages
        ):
            return
        try:
            sample = [PageFingerprint.unpack(f) for f in self.store.samples(site)]
            template = learn_from_fingerprints(sample, site=site)
        except (ValueError, ScraperError):  # too few distinct pages yet, or a bad sample row
            return
        if template.empty:  # pages that share nothing: no template from them (one learned
            # before stays), learned again after as many new pages
            run.samples_since = 0
            return
        run.template, run.template_pages, run.samples_since = template.to_json(), template.pages, 0
        self.store.save_template(site, run.template, template.pages)

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
        """Dispatch and collect until the work is done (False) or a stop was asked (True).

        Each pass handles what came in, starts what may start, then sleeps until the soonest
        thing that can change that (see the module's docstring)."""
        last_progress = -math.inf
        while True:
            self._drain()
            self._renew()
            if self.stop.is_set():
                self._give_back()
                if self._politeness.in_flight == 0 and self._cleaning == 0:
                    return True
                wait = math.inf  # each fetch or cleaning still running wakes us as it ends
            else:
                self._robots_waiting = {}
                wait = self._dispatch()
                idle = self._politeness.in_flight == 0 and self._cleaning == 0
                # Waiting for a host's delay is work in progress, however long the delay.
                idle = idle and not self._delaying
                if idle and wait > self.config.fetch.retry_after_cap + 1.0 and self._host_cursor:
                    self._dirty = True  # hosts not listed yet: look at them before ending
                    continue
                if idle and wait > self.config.fetch.retry_after_cap + 1.0:
                    # Nothing running, and nothing due soon: what is left waits for the next run.
                    # (A pushback within the cap is waited for; a longer one, a host deferred,
                    # leaves its URLs to a later run.)
                    for host, robots in self._robots_waiting.items():
                        self._give_up_robots(host, robots)
                    return False
                retry = min((r.fetched_at for r in self._robots_waiting.values()), default=None)
                if retry is not None:
                    wait = min(wait, retry + self.settings.robots_retry - time.time())
            now = time.monotonic()
            if self._changed:
                if now - last_progress >= _PROGRESS_EVERY:
                    last_progress, self._changed = now, False
                    self.emit(self._progress())
                else:
                    wait = min(wait, last_progress + _PROGRESS_EVERY - now)
            wait = min(wait, self._check_clean_times(now) - now)
            wait = min(wait, self._renewed + self._lease / 3 - now)
            if self.store.shared:
                wait = min(wait, self._refreshed + self.reread_every - now)
            # (At least a millisecond: a due time that a pass could not act on must not spin.)
            self._sleep(max(wait, 0.001))

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
            warnings=tuple(run.warnings),
            template={
                "pages": run.template_pages,
                "cleaned": run.template_used,
                "drift": run.template_drift,
            }
            if run.template is not None
            else {},
            cleaning_failed=run.cleaning_failed,
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
        # Other workers' changes come as notices (they set ``_dirty``); the slow re-read finds
        # what no notice announces: the URLs of a killed worker, once its lease lapsed.
        stale = self.store.shared and mono - self._refreshed >= self.reread_every
        if not (self._dirty or stale) or mono - self._refreshed < _REFRESH_GAP:
            return
        self._dirty, self._refreshed = False, mono
        pending: dict[tuple[int, str], float] = {}
        for run_id, run in self._runs.items():
            run.full = self.store.pages_claimed(run_id) >= run.rule.max_pages
            after = self._host_cursor.get(run_id, "")
            hosts = self.store.pending_hosts(
                run_id, pages=not run.full, after=after, limit=_HOSTS_AT_ONCE
            )
            if len(hosts) >= _HOSTS_AT_ONCE:
                # More hosts than one listing: the next refresh lists the ones after these.
                self._host_cursor[run_id] = max(hosts)
            else:
                self._host_cursor.pop(run_id, None)
            for host, wait in hosts.items():
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
        self._politeness.set_delay(host, self._host_delay(host))
        state = self.store.host(host)
        # A pushback beyond the cap is kept as the server asked (``_on_error``), up to a bound.
        left = min(state.backoff_until - self.store.now(), _MAX_PUSHBACK)
        if left > 0:
            self._politeness.push_back(host, time.monotonic() + left)

    def _dispatch(self) -> float:
        """Start what may start now; returns seconds until something else may (``inf``: never)."""
        wall, mono = time.time(), time.monotonic()
        self._refresh()
        self._delaying = False  # some host waits for its delay (not a pushback)
        soonest = math.inf
        if self._dirty:  # a refresh is owed; it waits for the gap since the last one
            soonest = max(0.0, self._refreshed + _REFRESH_GAP - mono)
        if self._hops:
            soonest = min(soonest, self._dispatch_hops(wall, mono))
        keys = list(self._pending)
        if keys:
            # Start each pass at the next host: free slots go round, not to the first hosts.
            self._turn = (self._turn + 1) % len(keys)
            keys = keys[self._turn :] + keys[: self._turn]
        for key in keys:
            if self._politeness.full() or self._cleaning >= self._max_cleaning:
                return soonest  # a fetch or a cleaning that ends wakes us
            run_id, host = key
            run = self._runs[run_id]
            not_before = self._pending[key] - mono
            if not_before > 0 and not self._buffers.get(key):
                soonest = min(soonest, not_before)
                continue
            wait = self._politeness.wait(host, mono)
            if wait > 0:
                known = self._robots.get(host)
                if known is not None and known.unavailable:
                    # Not counted in ``soonest``: the loop decides whether to wait for a retry.
                    if host not in self._robots_given_up:
                        self._robots_waiting[host] = known
                    continue
                # ``inf``: all the host's slots are taken here; each one that ends wakes us.
                soonest = min(soonest, wait)
                self._delaying |= self._politeness.blocked(host, mono) <= 0
                continue
            if host in self._robots_busy or host in self._robots_given_up:
                continue
            if self._robots_tries.get(host, 0) >= _ROBOTS_TRIES:
                self._give_up_robots(host, self._robots[host])
                continue
            robots = self._robots_for(run, host, wall)
            if robots is None:
                if not self._start_robots(run, host, mono):
                    # Another worker is fetching it (its notice wakes us), or has the host's slot.
                    soonest = min(soonest, _ROBOTS_ELSEWHERE, self._politeness.wait(host, mono))
                continue
            if robots.unavailable:
                # Not counted in ``soonest``: the loop decides whether to wait for a retry.
                retry_at = robots.fetched_at + self.settings.robots_retry
                self._politeness.push_back(host, mono + max(0.0, retry_at - wall))
                self._robots_waiting[host] = robots
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

    def _dispatch_hops(self, wall: float, mono: float) -> float:
        """Start the redirect hops whose host may take a request now; seconds to the next."""
        soonest = math.inf
        for hop in list(self._hops):
            if self._politeness.full():
                return soonest  # a fetch that ends wakes us
            run = self._runs[hop.run_id]
            item, host = hop.item, host_key(hop.url)
            if host not in self._hosts_seen:
                self._meet(run, host)
            wait = self._politeness.wait(host, mono)
            if wait > 0:
                soonest = min(soonest, wait)  # (``inf``: a fetch to the host that ends wakes us)
                self._delaying |= self._politeness.blocked(host, mono) <= 0
                continue
            if host in self._robots_busy:
                continue  # its robots.txt fetch wakes us as it ends
            robots = self._robots_for(run, host, wall)
            if robots is None:
                if not self._start_robots(run, host, mono):
                    soonest = min(soonest, _ROBOTS_ELSEWHERE, self._politeness.wait(host, mono))
                continue
            if robots.unavailable:
                # Tried again once robots.txt may be back, from the first URL of the chain
                # (the release gives its page back to the run's budget in the store).
                self._hops.remove(hop)
                self.store.release(item, after=self.settings.robots_retry, attempted=False)
                self._dirty = True
                detail = f"redirected to {hop.url}, whose robots.txt is unavailable"
                self.emit(PageDone(run.info.site, item.url, "retry", None, detail))
                continue
            if not robots.allows(hop.url, self._token):
                self._hops.remove(hop)
                detail = f"redirected to {hop.url}, disallowed by robots.txt"
                self._complete(run, item, "robots", detail=detail)
                continue
            wait = self._politeness.acquire(host, mono)
            if wait > 0:  # another worker took the host's turn: the hop waits for the next
                soonest = min(soonest, wait)
                continue
            self._hops.remove(hop)
            done = _Done(hop.meta["job"], run.info.id, item, host, meta=hop.meta)
            if done.kind == "page":
                self._submit(done, self._fetch_page, hop.url, hop.meta["headers"])
            else:
                self._submit(done, self._fetch_resource, item, hop.url)
        return soonest

    def _on_redirect(self, run: _Run, item: FrontierItem, done: _Done) -> None:
        result: FetchResult | Resource = done.value
        hops = done.meta.get("hops", 0) + 1
        location = result.headers.get("location", "")
        target = normalize(location, result.final_url)
        limit = self.config.fetch.max_redirects
        error = None
        if target is None:
            error = f"{item.url}: redirected to an unsupported URL ({location[:200]})"
        elif hops > limit:
            error = f"{item.url}: too many redirects (more than {limit})"
        if error is not None:
            record = done.meta.get("record")
            new = self._record(run, item, record, status=result.status, error=error)
            self._complete(run, item, "failed", new, status=result.status, detail=error)
            return
        assert target is not None
        meta = {**done.meta, "hops": hops, "job": done.kind}
        self._hops.append(_Hop(run.info.id, item, target, meta))

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
        for hop in self._hops:
            self.store.release(hop.item, after=0.0, attempted=False)
        self._hops.clear()

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
                if cached.unavailable:  # another worker's fetch: its count is the run's
                    self._robots_tries[host] = self.store.robots_failures(run.info.id, host)
                self._use_robots(run, host, cached)
                return cached
        return None

    def _give_up_robots(self, host: str, robots: Robots) -> None:
        """This crawl stops asking ``host``; its URLs stay queued for the next run. Says so."""
        self._robots_given_up.add(host)
        why = f"HTTP {robots.status}" if robots.status else "unreachable"
        if not robots.status and robots.body:
            why += f": {robots.body}"
        message = f"robots.txt unavailable for {host} ({why}); its URLs wait for the next run"
        for run_id, pending_host in list(self._pending):
            if pending_host == host:
                self._warn(self._runs[run_id], message)

    def _warn(self, run: _Run, message: str) -> None:
        run.warnings.append(message)
        self.emit(Notice(run.info.site, message))

    def _add_sitemaps(
        self, run: _Run, items: list[FrontierItem], parent: FrontierItem | None
    ) -> None:
        """Queue the sitemaps a run may still read: at most ``max_sitemaps`` in the run (counted
        in the store, so every worker shares the limit) and ``max_sitemap_depth`` levels of
        sitemap indexes (an index listing a new URL of itself must end)."""
        if not items:
            return
        settings = self.settings
        if parent is not None and parent.depth + 1 > settings.max_sitemap_depth:
            self._warn(
                run,
                f"{parent.url}: sitemap index nested deeper than max_sitemap_depth "
                f"{settings.max_sitemap_depth}; {len(items)} sitemaps not read",
            )
            return
        added, refused = self.store.add_sitemaps(run.info.id, items, limit=settings.max_sitemaps)
        if refused:
            self._warn(
                run,
                f"max_sitemaps {settings.max_sitemaps} reached; "
                f"{refused} more sitemaps not read in this run",
            )
        if added:
            self._dirty = True

    def _host_delay(self, host: str) -> float:
        """The delay of the site that owns ``host`` (a redirect may lead to another site's)."""
        owner = self.config.site_for(urlsplit(host).hostname)
        if owner is not None and owner[1].delay is not None:
            return owner[1].delay
        return self.settings.delay

    def _use_robots(self, run: _Run, host: str, robots: Robots) -> None:
        self._robots[host] = robots
        base = self._host_delay(host)
        self._politeness.set_delay(host, max(base, robots.crawl_delay(self._token) or 0.0))
        sitemaps = [u for raw in robots.sitemaps() if (u := normalize(raw))]
        items = [self._item(run, u, "sitemap", 0) for u in sitemaps if run.scope.on_site(u)]
        self._add_sitemaps(run, items, None)

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

    def _get_robots(self, host: str) -> Robots:  # in a fetch thread
        assert self._resources is not None
        try:
            res = self._resources.get(host + "/robots.txt", truncate=True)
        except FetchError as exc:
            # Status 0 (unreachable) has no rules; its body keeps why, for the message.
            return Robots.from_response(0, str(exc).removeprefix(f"{exc.url}: "), time.time())
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
            done.meta["headers"] = headers
            self._submit(done, self._fetch_page, item.url, headers)
        else:
            self._submit(done, self._fetch_resource, item, item.url)

    def _submit(self, done: _Done, fn: Callable[..., Any], *args: Any) -> None:
        self._changed = True

        def job() -> None:
            try:
                done.value = fn(*args)
            except BaseException as exc:  # reported to the dispatcher, never lost in a thread
                done.error = exc
            self._queue.put(done)

        self._fetch_pool.submit(job)

    def _fetch_page(self, url: str, headers: dict[str, str]) -> FetchResult:
        """One request: a redirect comes back to the dispatcher, which takes the next hop."""
        assert self._fetcher is not None
        return self._fetcher.fetch(
            url, headers=headers or None, retry=False, follow_redirects=False
        )

    def _fetch_resource(
        self, item: FrontierItem, url: str
    ) -> Resource | list[Entry] | tuple[list[Entry], list[Entry], str | None]:
        """A sitemap or feed read at ``url`` (``item.url`` or a hop of its redirects); a
        redirect comes back as the ``Resource``, for the dispatcher to take the next hop."""
        assert self._resources is not None
        res = self._resources.get(url, follow_redirects=False)
        if 300 <= res.status < 400 and "location" in res.headers:
            return res
        if res.status >= 400:
            retryable = res.status == 429 or res.status >= 500
            message = f"{item.url}: HTTP {res.status}"
            raise FetchError(message, url=item.url, status=res.status, retryable=retryable)
        if item.kind == "feed":
            return parse_feed(res.body, res.final_url)
        doc = parse_sitemap(res.body, res.final_url)
        return doc.pages, doc.sitemaps, doc.problem

    # -- collecting ---------------------------------------------------------------------

    def _drain(self) -> None:
        """Handle everything that came in, without waiting."""
        while True:
            try:
                done = self._queue.get_nowait()
            except queue.Empty:
                return
            self._handle(done)

    def _sleep(self, seconds: float) -> None:
        """Wait up to ``seconds`` for something to come in (a completion, a notice, a stop)."""
        try:
            # (``seconds`` is finite: the lease renewal is always due some time.)
            done = self._queue.get(timeout=min(seconds, threading.TIMEOUT_MAX))
        except queue.Empty:
            pass
        else:
            self._handle(done)
        self.wakeups += 1

    def _handle(self, done: _Done) -> None:
        if done.kind == "wake":
            return
        if done.kind == "notice":
            self.notices += 1
            what, _, host = str(done.value).partition(" ")
            if what == "host":  # a slot on the host was freed by another worker
                self._politeness.freed(host)
            else:
                self._noticed = False  # (before the refresh: a later notice queues again)
                self._dirty = True
            return
        self._changed = True
        run = self._runs[done.run_id]
        if done.kind == "cleaned":
            self._cleaning -= 1
            self._in_cleaning.pop(id(done), None)
            assert done.item is not None
            self._on_cleaned(run, done)
            return
        if done.kind == "robots":
            self._robots_busy.discard(done.host)
            robots: Robots = done.value or Robots.from_response(0, "", time.time())
            if robots.unavailable:
                # Counted in the store, per run: every worker gives up at the same count.
                self._robots_tries[done.host] = self.store.robots_failed(run.info.id, done.host)
            self.store.save_robots(
                done.host, status=robots.status, body=robots.body, fetched_at=robots.fetched_at
            )
            self._use_robots(run, done.host, robots)
            # Released after its Crawl-delay is known: the robots.txt request is a request to
            # the host, and the next one waits the Crawl-delay from it.
            self._politeness.release(done.host, time.monotonic())
            return
        self._politeness.release(done.host, time.monotonic())
        item = done.item
        assert item is not None
        if done.error is not None:
            self._on_error(run, item, done.error, done.meta.get("record"), done.host)
        elif isinstance(done.value, Resource):
            self._on_redirect(run, item, done)
        elif done.kind == "resource":
            self._on_resource(run, item, done.value)
        elif 300 <= done.value.status < 400 and done.value.status != 304:
            self._on_redirect(run, item, done)
        else:
            self._on_page(run, item, done.value, done.meta.get("record"))

    def _on_error(
        self,
        run: _Run,
        item: FrontierItem,
        exc: BaseException,
        record: UrlRecord | None,
        host: str,
    ) -> None:
        """``host`` is the one that answered (a redirect hop's, maybe not the item's)."""
        status = getattr(exc, "status", None)
        policy = self._retry
        asked = policy.beyond_cap(exc)
        if asked is not None:
            # Longer than we wait: not a failure of the page but the host's pushback, kept for
            # as long as asked (in the store, for every worker and the next runs); the URL
            # waits in the frontier, the run goes on with the other hosts.
            asked = min(asked, _MAX_PUSHBACK)
            self._politeness.push_back(host, time.monotonic() + asked)
            self.store.push_back(host, asked)
            self.store.release(item, after=asked, attempted=False)
            self._dirty = True
            self.emit(PageDone(run.info.site, item.url, "retry", status, f"{exc}: host deferred"))
            return
        retry_after = policy.retry_after(exc)
        if retry_after is not None:
            # 429/503 with Retry-After (capped): this host waits, for every worker; the
            # others go on.
            self._politeness.push_back(host, time.monotonic() + retry_after)
            self.store.push_back(host, retry_after)
        if policy.retryable(exc) and item.attempts < policy.retries:
            wait = policy.wait(item.attempts + 1, exc)
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
            pages, sitemaps, problem = value, [], None
        else:
            pages, sitemaps, problem = value
        if problem is not None:
            self._warn(run, f"{item.url}: sitemap read in part: {problem}")
        children = [
            self._item(run, e.url, "sitemap", item.depth + 1)
            for e in sitemaps
            if run.scope.on_site(e.url)
        ]
        self._add_sitemaps(run, children, item)
        found: list[FrontierItem] = []
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
        done = _Done("cleaned", run.info.id, item, item.host)
        done.meta.update(
            record=record, status=result.status, final_url=result.final_url, **validators
        )
        args = (result.body, result.charset, result.final_url, item.kind == "page", want_links)
        done.meta["clean_args"] = args
        if run.template is not None and item.kind == "page":
            done.meta["clean_kwargs"] = {"site_template": run.template}
        self._start_cleaning(done)

    def _start_cleaning(self, done: _Done) -> None:
        args = (self._clean_fn, self.settings.clean_timeout, *done.meta["clean_args"])
        kwargs = done.meta.get("clean_kwargs", {})
        pool = self._clean_pool
        try:
            future = pool.submit(run_clean, *args, **kwargs)
        except BrokenProcessPool:
            self._replace_pool(pool)
            pool = self._clean_pool
            future = pool.submit(run_clean, *args, **kwargs)
        done.meta["pool"] = pool
        done.meta.pop("running_since", None)
        if self._cleaning < self._workers:  # a worker is free: it starts now
            done.meta["running_since"] = time.monotonic()
        self._cleaning += 1
        self._in_cleaning[id(done)] = (future, done)

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
        if isinstance(done.error, BrokenProcessPool):
            self._replace_pool(meta["pool"])
            tries = meta["clean_tries"] = meta.get("clean_tries", 0) + 1
            if tries < _CLEAN_TRIES and "timed_out" not in meta:
                done.error = None
                self._start_cleaning(done)  # an innocent bystander, most likely
                return
        if done.error is not None:
            message = str(cleaning_failed(item.url, done.error))
            if "timed_out" in meta:
                limit = self.settings.clean_timeout
                message = f"{item.url}: cleaning took longer than {limit:g}s; its worker was killed"
            elif isinstance(done.error, BrokenProcessPool):
                message = f"{item.url}: {_WORKER_DIED}"
            run.cleaning_failed += 1
            new = self._record(run, item, record, status=status, error=message)
            self._complete(run, item, "failed", new, status=status, detail=message)
            return
        cleaned: Cleaned = done.value
        if cleaned.fingerprint and item.kind == "page":
            self._learn(run, item.url, cleaned.fingerprint)
        if cleaned.doc is not None and run.template:
            if cleaned.doc.cleaned_with == "template":
                run.template_used += 1
            elif cleaned.doc.template_note:
                run.template_drift += 1
                if run.template_drift == 1:
                    self._warn(
                        run,
                        f"{item.url}: does not fit the site's template "
                        f"({cleaned.doc.template_note}); cleaned without it",
                    )
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
            run.cleaning_failed += cleaned.crashed
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
        if item.kind != "page" and outcome in ("failed", "robots"):
            # A start page, sitemap or feed is where the pages come from: say it is missing.
            what = {"start": "start page", "sitemap": "sitemap", "feed": "feed"}[item.kind]
            why = detail.removeprefix(f"{item.url}: ") or outcome
            self._warn(run, f"{what} {item.url} could not be read: {why}")


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
