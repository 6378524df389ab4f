"""Politeness: who may fetch now. Per-host slots and delay, a total limit, Retry-After pushback.

- at most ``per_host`` requests in flight to one host, and ``concurrency`` in all;
- between two requests to one host at least ``delay`` seconds, counted both from the start of
  the previous request and from the end of the last one (so the server sees the gap even when
  a response is slow);
- a 429/503 with Retry-After pushes back that host only;
- a host waiting (slow, throttled or with a long delay) holds at most its own ``per_host``
  slots, so the others keep going.

With a shared store (``slots``), the same rules hold across every worker: a request also
needs a slot on the host's row in the store, which keeps the host's ``next_at`` and the
slots all workers hold (leased, so a killed worker's slots come back).

Times are ``time.monotonic()`` seconds. Used from one thread (the runner's dispatcher).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from scraper.crawl.store import Hosts

__all__ = ["Politeness"]


@dataclass
class _Host:
    delay: float
    in_flight: int = 0
    next_at: float = 0.0  # the delay since the last request
    blocked_until: float = 0.0  # a pushback: Retry-After, robots.txt unavailable
    remote_until: float = 0.0  # the shared store said no: another worker has the host's turn
    slots: list[int] = field(default_factory=list)  # held in the shared store


class Politeness:
    def __init__(
        self,
        *,
        concurrency: int,
        per_host: int,
        delay: float,
        slots: Hosts | None = None,
        owner: str = "",
        lease: float = 60.0,
    ) -> None:
        self.concurrency = concurrency
        self.per_host = per_host
        self.default_delay = delay
        self.in_flight = 0
        self._hosts: dict[str, _Host] = {}
        self._slots = slots
        self._owner = owner
        self._lease = lease

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(delay=self.default_delay)
        return state

    def set_delay(self, host: str, delay: float) -> None:
        self._host(host).delay = delay

    def delay(self, host: str) -> float:
        return self._host(host).delay

    def full(self) -> bool:
        return self.in_flight >= self.concurrency

    def wait(self, host: str, now: float) -> float:
        """Seconds until ``host`` may start a request (``inf`` while its slots are all taken)."""
        state = self._host(host)
        if state.in_flight >= self.per_host:
            return math.inf
        return max(0.0, state.next_at - now, state.blocked_until - now, state.remote_until - now)

    def blocked(self, host: str, now: float) -> float:
        """Seconds of pushback left for ``host`` (0 when it is only waiting for its delay)."""
        return max(0.0, self._host(host).blocked_until - now)

    def acquire(self, host: str, now: float) -> float:
        """Take a slot on ``host``: 0.0, or the seconds to wait when the shared store says no."""
        state = self._host(host)
        if self._slots is not None:
            slot, wait = self._slots.acquire_host(
                host,
                owner=self._owner,
                per_host=self.per_host,
                delay=state.delay,
                lease=self._lease,
            )
            if not slot:
                # Another worker went: wait here too, so this host is not asked every pass
                # (at most a second: a notice that a slot was freed ends it sooner).
                wait = max(min(wait, 1.0), 0.001)
                state.remote_until = now + wait
                return wait
            state.slots.append(slot)
        state.in_flight += 1
        self.in_flight += 1
        state.next_at = max(state.next_at, now + state.delay)
        return 0.0

    def waits_for_others(self, host: str) -> bool:
        """Whether ``host`` waits because another worker has its turn (safe from any thread:
        a read of one float)."""
        state = self._hosts.get(host)
        return state is not None and state.remote_until > time.monotonic()

    def freed(self, host: str) -> None:
        """Another worker freed a slot on ``host``: ask the shared store again at once."""
        if host in self._hosts:
            self._hosts[host].remote_until = 0.0

    def release(self, host: str, now: float) -> None:
        state = self._host(host)
        state.in_flight -= 1
        self.in_flight -= 1
        state.next_at = max(state.next_at, now + state.delay)
        if self._slots is not None and state.slots:
            self._slots.release_host(host, state.slots.pop(), delay=state.delay)

    def push_back(self, host: str, until: float) -> None:
        """No request to ``host`` before ``until`` (a Retry-After, robots.txt unavailable)."""
        state = self._host(host)
        state.blocked_until = max(state.blocked_until, until)

    def busy_hosts(self) -> list[str]:
        return [host for host, state in self._hosts.items() if state.in_flight]
