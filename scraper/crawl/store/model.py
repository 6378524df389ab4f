"""What the crawl keeps: its records (frozen dataclasses) and the store's protocols.

The store is four small protocols, each one job, and ``Store`` is all four:

    Runs       one run per site and crawl; who may start or join one (``begin_run``)
    Frontier   each run's URLs, claimed with a lease and a fencing token
    Records    one record per URL: validators, hash of the clean text, errors
    Hosts      per-host state: robots.txt cache, Retry-After pushback, and, for a shared
               store, the host's delay and request slots held by workers across machines

Times are epoch seconds from the store's own clock (``now()``): PostgreSQL's for the
shared store, so that workers on machines with skewed clocks agree on leases and delays.
Durations (a lease, a delay, a retry wait) are passed as seconds from now.

A shared store tells the other workers when it changes the frontier or frees a host's slot
(``listen``: PostgreSQL's LISTEN/NOTIFY), so that a waiting worker wakes instead of
re-reading the frontier on a timer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from scraper.errors import StateError

__all__ = [
    "OUTCOMES",
    "Frontier",
    "FrontierItem",
    "HostState",
    "Hosts",
    "Kind",
    "LeaseLost",
    "Outcome",
    "Records",
    "RunInfo",
    "Runs",
    "Store",
    "UrlRecord",
]

Kind = Literal["start", "page", "sitemap", "feed"]
Outcome = Literal["new", "changed", "unchanged", "failed", "robots", "skipped", "redirect", "hub"]
# Outcomes a run reports: the documents it saw, and what it left alone.
OUTCOMES: tuple[Outcome, ...] = ("new", "changed", "unchanged", "failed", "robots", "skipped")


class LeaseLost(StateError):
    """A worker's lease on a URL ran out and another worker took it over (fencing)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url}: lease lost to another worker; its result is dropped")
        self.url = url


@dataclass(frozen=True)
class RunInfo:
    id: int
    site: str
    started_at: float
    status: str  # running | finished | stopped
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
    token: int = 0  # the fencing token of the claim that handed it out (0: not claimed)


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


class Runs(Protocol):
    def lock(self) -> contextlib.AbstractContextManager[None]: ...
    def begin_run(self, site: str, *, every: float, force: bool) -> tuple[RunInfo, bool] | None:
        """Join the site's open run, or start one if it is due: (run, joined) or None."""
        ...

    def open_run(self, site: str) -> RunInfo | None: ...
    def start_run(self, site: str, now: float | None = None) -> RunInfo: ...
    def set_run_jsonl(self, run_id: int, path: str) -> None: ...
    def finish_run(self, run_id: int, status: str) -> RunInfo: ...
    def last_run(self, site: str) -> RunInfo | None: ...
    def runs(self, limit: int = 20) -> list[RunInfo]: ...
    def counts(self, run_id: int) -> dict[str, int]: ...


class Frontier(Protocol):
    def enqueue(self, items: Iterable[FrontierItem]) -> int: ...
    def add_sitemaps(
        self, run_id: int, items: Iterable[FrontierItem], *, limit: int
    ) -> tuple[int, int]:
        """Enqueue the sitemaps not yet in the run while the run has queued fewer than
        ``limit`` (counted in the store, for every worker): (added, refused)."""
        ...

    def pending_hosts(
        self, run_id: int, *, pages: bool = True, after: str = "", limit: int | None = None
    ) -> dict[str, float]:
        """Hosts with URLs left in the run → seconds until one may be claimed (0: now);
        in host order, the ones after ``after``, at most ``limit`` of them."""
        ...

    def listen(self, wake: Callable[[str], None]) -> contextlib.AbstractContextManager[None]:
        """While open, ``wake(what)`` is called (from another thread) when another worker
        changes the frontier (``"frontier"``), saves a robots.txt (``"robots HOST"``) or frees
        a slot on a host (``"host HOST"``). A store no other process uses calls nothing."""
        ...

    def pending_count(self, run_id: int) -> int: ...
    def done_count(self, run_id: int, kinds: tuple[Kind, ...]) -> int: ...
    def pages_claimed(self, run_id: int) -> int: ...
    def claim(
        self,
        run_id: int,
        host: str,
        *,
        limit: int,
        owner: str,
        lease: float,
        max_pages: int | None = None,
    ) -> list[FrontierItem]: ...
    def holds(self, item: FrontierItem) -> bool: ...
    def renew(self, owner: str, lease: float) -> int: ...
    def give_up(self, owner: str) -> None: ...
    def mark(self, items: Iterable[FrontierItem], outcome: Outcome) -> int: ...
    def release(self, item: FrontierItem, *, after: float, attempted: bool) -> None: ...
    def redirected(self, item: FrontierItem, url: str) -> None: ...
    def complete(
        self,
        item: FrontierItem,
        outcome: Outcome,
        record: UrlRecord | None = None,
        found: Iterable[FrontierItem] = (),
        also_done: Iterable[str] = (),
    ) -> int: ...


class Records(Protocol):
    def record(self, url: str) -> UrlRecord | None: ...
    def records(self, urls: Iterable[str]) -> dict[str, UrlRecord]: ...


class Hosts(Protocol):
    def host(self, host: str) -> HostState: ...
    def save_robots(self, host: str, *, status: int, body: str, fetched_at: float) -> None: ...
    def begin_robots(self, host: str, *, owner: str, lease: float) -> bool: ...
    def robots_failed(self, run_id: int, host: str) -> int:
        """Count one more robots.txt fetch of ``host`` found unavailable in the run; returns
        the run's count so far (every worker's)."""
        ...

    def robots_failures(self, run_id: int, host: str) -> int: ...
    def push_back(self, host: str, seconds: float) -> None: ...
    # site templates: a bounded sample of page fingerprints per site, and its template
    def add_sample(self, site: str, url: str, fingerprint: str, *, keep: int) -> int: ...
    def samples(self, site: str) -> list[str]: ...
    def save_template(self, site: str, template: str, pages: int) -> None: ...
    def template(self, site: str) -> str | None: ...
    def acquire_host(
        self, host: str, *, owner: str, per_host: int, delay: float, lease: float
    ) -> tuple[int, float]: ...
    def release_host(self, host: str, slot: int, *, delay: float) -> None: ...


class Store(Runs, Frontier, Records, Hosts, Protocol):
    """Everything the crawler keeps. ``shared``: other processes may use it at the same time,
    so politeness goes through the store's host rows rather than this process's memory."""

    shared: bool

    def now(self) -> float: ...
    def close(self) -> None: ...
