"""Fetch a list of page URLs one at a time, politely: robots.txt, a per-host delay, retries.

For ``scraper clean -i URLS``: the pages are fetched in order by one ``Fetcher`` (its retries
and size cap), after the host's robots.txt (``scraper.fetch.robots``: protego, our product
token, ``Crawl-delay``) allows them, and two requests to one host (robots.txt included) are at
least the delay apart: the site rule's ``delay``, else ``crawl.delay``, raised by
``Crawl-delay``. A robots.txt that answers 5xx or 429, or cannot be fetched, means nothing is
fetched from that host (RFC 9309). The crawl keeps the same rules with many hosts at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from scraper.config import Config
from scraper.errors import FetchError
from scraper.fetch.client import Fetcher, FetchResult
from scraper.fetch.resources import ResourceClient
from scraper.fetch.retry import RetryWait
from scraper.fetch.robots import ROBOTS_MAX_BYTES, Robots, product_token

__all__ = ["PoliteFetcher"]

_T = TypeVar("_T")


class PoliteFetcher:
    """``fetch(url)`` one page after the other; raises like ``Fetcher.fetch``."""

    def __init__(
        self,
        config: Config,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[RetryWait], None] | None = None,
    ) -> None:
        self._config = config
        self._sleep = sleep
        self._clock = clock
        self._pages = Fetcher(config.fetch, transport=transport, sleep=sleep, on_wait=on_wait)
        self._resources = ResourceClient(
            config.fetch, max_bytes=ROBOTS_MAX_BYTES, transport=transport
        )
        self._token = product_token(config.fetch.user_agent)
        self._robots: dict[str, Robots] = {}
        self._next_at: dict[str, float] = {}  # per origin: no request before this time

    def fetch(self, url: str) -> FetchResult:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        robots = self._robots_for(origin)
        if robots.unavailable:
            why = f"status {robots.status}" if robots.status else "unreachable"
            raise FetchError(
                f"{url}: robots.txt of {origin} unavailable ({why}): not fetched", url=url
            )
        if not robots.allows(url, self._token):
            raise FetchError(f"{url}: disallowed by robots.txt", url=url)
        return self._polite(origin, lambda: self._pages.fetch(url))

    def _robots_for(self, origin: str) -> Robots:
        robots = self._robots.get(origin)
        if robots is None:
            try:
                res = self._polite(
                    origin, lambda: self._resources.get(f"{origin}/robots.txt", truncate=True)
                )
                robots = Robots.from_response(
                    res.status, res.body.decode("utf-8", errors="replace"), time.time()
                )
            except FetchError:
                robots = Robots(status=0, fetched_at=time.time())
            self._robots[origin] = robots
            # the gap after robots.txt is already the one its Crawl-delay asks for
            self._next_at[origin] = self._clock() + self._delay(origin)
        return robots

    def _delay(self, origin: str) -> float:
        match = self._config.site_for(urlsplit(origin).hostname)
        rule_delay = match[1].delay if match else None
        delay = self._config.crawl.delay if rule_delay is None else rule_delay
        robots = self._robots.get(origin)
        crawl_delay = robots.crawl_delay(self._token) if robots is not None else None
        return max(delay, crawl_delay or 0.0)

    def _polite(self, origin: str, request: Callable[[], _T]) -> _T:
        """Run ``request`` once the host's delay since its last request has passed."""
        wait = self._next_at.get(origin, 0.0) - self._clock()
        if wait > 0:
            self._sleep(wait)
        try:
            return request()
        finally:
            # counted from the end of the request, so a slow answer still gets its gap
            self._next_at[origin] = self._clock() + self._delay(origin)

    def close(self) -> None:
        self._pages.close()
        self._resources.close()

    def __enter__(self) -> PoliteFetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
