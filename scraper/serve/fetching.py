"""Fetch a page for ``scraper serve``: every hop checked by the guard and connected to the
address that was checked, robots.txt honoured, one host's requests spaced out.

Each hop (the page, each redirect, robots.txt) is one ``Fetcher`` request (its size cap,
its timeout over the whole body, its retries) without redirects followed: the guard checks
the hop's URL, and the connection goes to the checked address (``PinnedBackend``) while the
``Host`` header and the TLS server name stay the URL's host. Redirects are followed here, up
to ``fetch.max_redirects``, each checked again. robots.txt is read as the crawl reads it
(``scraper.fetch.robots``), cached per origin; two requests to one origin are at least the
crawl's delay apart (the site rule's ``delay``, else ``crawl.delay``, raised by
``Crawl-delay``), shared by every request the server handles. The blocking fetch runs in a
worker thread; the event loop only waits.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import typing
from collections.abc import Awaitable, Callable
from functools import partial
from urllib.parse import urljoin, urlsplit

import anyio.to_thread
import httpcore
import httpx

from scraper.config import Config
from scraper.errors import FetchError, RefusedError, ScraperError
from scraper.fetch.client import Fetcher, FetchResult
from scraper.fetch.resources import Resource, ResourceClient
from scraper.fetch.robots import ROBOTS_MAX_BYTES, Robots, product_token
from scraper.serve.guard import Checked, Guard

__all__ = ["PinnedBackend", "SafeFetcher", "pinned_transport"]

_T = typing.TypeVar("_T")
_ROBOTS_REDIRECTS = 5  # RFC 9309 §2.3.1.2: follow at least five
_KEPT_ORIGINS = 4096  # origins remembered (robots.txt, delays) before the stale ones go


class PinnedBackend(httpcore.NetworkBackend):
    """Connects to one checked address, whatever host name the request carries: the name
    still goes in the ``Host`` header and as the TLS server name, so certificates are
    checked against it."""

    def __init__(self, address: str) -> None:
        self._address = address
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return self._inner.connect_tcp(self._address, port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def pinned_transport(checked: Checked, ssl_context: ssl.SSLContext) -> httpx.HTTPTransport:
    """An httpx transport whose every connection goes to ``checked.address``."""
    transport = httpx.HTTPTransport(verify=ssl_context, trust_env=False)
    # httpx takes no network backend of its own: its pool is replaced by one that has ours.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context,
        max_connections=1,
        network_backend=PinnedBackend(str(checked.address)),
    )
    return transport


class SafeFetcher:
    """``await fetch(url)``: a page, fetched safely; raises like ``Fetcher.fetch``, and
    ``RefusedError`` for a hop the guard refuses or robots.txt disallows."""

    def __init__(
        self,
        config: Config,
        guard: Guard,
        *,
        clock: Callable[[], float] = time.monotonic,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._config = config
        self._guard = guard
        self._clock = clock
        self._ssl = ssl_context or httpx.create_ssl_context()
        self._token = product_token(config.fetch.user_agent)
        self._robots: dict[str, Robots] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}
        self._next_at: dict[str, float] = {}  # per origin: no request before this time

    async def fetch(self, url: str) -> FetchResult:
        # a refused host is refused before its robots.txt is asked
        checked = await self._guard.check(url)
        for _ in range(self._config.fetch.max_redirects + 1):
            origin = _origin(url)
            await self._allowed(url, origin)
            result = await self._polite(origin, partial(self._page_hop, checked))
            location = result.headers.get("location")
            if not (300 <= result.status < 400 and location):
                return result
            url = urljoin(url, location.strip())
            checked = await self._guard.check(url)  # every hop, before anything is sent
        limit = self._config.fetch.max_redirects
        raise FetchError(f"{url}: too many redirects (more than {limit})", url=url)

    async def _allowed(self, url: str, origin: str) -> None:
        robots = await self._robots_for(origin)
        if robots.unavailable:
            why = f"status {robots.status}" if robots.status else "unreachable"
            raise FetchError(
                f"{url}: robots.txt of {origin} unavailable ({why}): not fetched", url=url
            )
        if not robots.allows(url, self._token):
            raise RefusedError(
                f"{url}: refused: disallowed by robots.txt", url=url, reason="robots.txt"
            )

    async def _page_hop(self, checked: Checked) -> FetchResult:
        def hop() -> FetchResult:
            transport = pinned_transport(checked, self._ssl)
            with Fetcher(self._config.fetch, transport=transport, trust_env=False) as fetcher:
                return fetcher.fetch(checked.url, follow_redirects=False)

        return await anyio.to_thread.run_sync(hop)

    async def _robots_for(self, origin: str) -> Robots:
        now = time.time()
        crawl = self._config.crawl
        robots = self._robots.get(origin)
        if robots is not None and robots.fresh(now, crawl.robots_ttl, crawl.robots_retry):
            return robots
        async with self._robots_locks.setdefault(origin, asyncio.Lock()):
            robots = self._robots.get(origin)  # another request may have read it meanwhile
            if robots is not None and robots.fresh(now, crawl.robots_ttl, crawl.robots_retry):
                return robots
            try:
                res = await self._robots_fetch(f"{origin}/robots.txt")
                robots = Robots.from_response(
                    res.status, res.body.decode("utf-8", errors="replace"), time.time()
                )
            except ScraperError:  # refused at a hop, or unreachable: nothing is fetched
                robots = Robots(status=0, fetched_at=time.time())
            self._forget_stale()
            self._robots[origin] = robots
        return robots

    async def _robots_fetch(self, url: str) -> Resource:
        for _ in range(_ROBOTS_REDIRECTS + 1):
            checked = await self._guard.check(url)
            res = await self._polite(_origin(url), partial(self._robots_hop, checked))
            location = res.headers.get("location")
            if not (300 <= res.status < 400 and location):
                return res
            url = urljoin(url, location.strip())
        raise FetchError(f"{url}: too many redirects", url=url)

    async def _robots_hop(self, checked: Checked) -> Resource:
        def hop() -> Resource:
            client = ResourceClient(
                self._config.fetch,
                max_bytes=ROBOTS_MAX_BYTES,
                transport=pinned_transport(checked, self._ssl),
                trust_env=False,
            )
            try:
                return client.get(checked.url, truncate=True, follow_redirects=False)
            finally:
                client.close()

        return await anyio.to_thread.run_sync(hop)

    async def _polite(self, origin: str, request: Callable[[], Awaitable[_T]]) -> _T:
        """``request()`` once the origin's delay since its last request has passed; one
        request to an origin at a time, whichever client asked."""
        async with self._host_locks.setdefault(origin, asyncio.Lock()):
            wait = self._next_at.get(origin, 0.0) - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await request()
            finally:
                # counted from the end of the request, so a slow answer still gets its gap
                self._next_at[origin] = self._clock() + self._delay(origin)

    def _delay(self, origin: str) -> float:
        match = self._config.site_for(urlsplit(origin).hostname)
        rule_delay = match[1].delay if match else None
        delay = self._config.crawl.delay if rule_delay is None else rule_delay
        robots = self._robots.get(origin)
        crawl_delay = robots.crawl_delay(self._token) if robots is not None else None
        return max(delay, crawl_delay or 0.0)

    def _forget_stale(self) -> None:
        """Bound what is remembered per origin: a server asked for many hosts forgets the
        ones whose robots.txt is stale and whose delay has passed."""
        if len(self._robots) < _KEPT_ORIGINS:
            return
        now, clock = time.time(), self._clock()
        crawl = self._config.crawl
        for origin in list(self._robots):
            lock = self._host_locks.get(origin)
            busy = lock is not None and lock.locked()
            fresh = self._robots[origin].fresh(now, crawl.robots_ttl, crawl.robots_retry)
            if not busy and not fresh and self._next_at.get(origin, 0.0) <= clock:
                self._robots.pop(origin, None)
                self._next_at.pop(origin, None)
                self._host_locks.pop(origin, None)
                self._robots_locks.pop(origin, None)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
