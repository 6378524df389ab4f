"""Fetch the crawl's non-HTML resources: robots.txt, sitemaps and feeds.

``scraper.fetch.client.Fetcher`` is for pages and refuses anything that is not HTML; these files are
plain text or XML, so they have their own small client with the same user agent, timeouts and
size cap. One attempt per call: the crawl runner schedules any retry.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

from scraper.config import FetchSettings
from scraper.errors import FetchError
from scraper.fetch.client import read_capped, transport_error

__all__ = ["Resource", "ResourceClient"]


@dataclass(frozen=True)
class Resource:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)


class ResourceClient:
    """GET small non-HTML files; thread-safe (one shared ``httpx.Client``)."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        max_bytes: int | None = None,
        max_redirects: int = 5,
        transport: httpx.BaseTransport | None = None,
        trust_env: bool = True,
    ) -> None:
        self._max_bytes = max_bytes or settings.max_bytes
        self._timeout = settings.timeout
        self._settings = settings.model_copy(update={"max_redirects": max_redirects})
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            follow_redirects=True,
            max_redirects=max_redirects,
            transport=transport,
            trust_env=trust_env,
        )

    def get(self, url: str, *, truncate: bool = False, follow_redirects: bool = True) -> Resource:
        """Any status comes back as a ``Resource``; only a network failure raises ``FetchError``.

        A body over the size cap raises, or with ``truncate`` is cut at the cap (robots.txt).
        ``follow_redirects=False`` returns a redirect as it is, for the crawl to take the hop.
        """
        timeout = self._timeout
        deadline = time.monotonic() + timeout  # the whole response, not each read
        try:
            with self._client.stream("GET", url, follow_redirects=follow_redirects) as response:
                body, cut = read_capped(
                    response, self._max_bytes, deadline=deadline, timeout=timeout
                )
                if cut and not truncate:
                    raise FetchError(f"{url}: body larger than {self._max_bytes} bytes", url=url)
                return Resource(
                    url=url,
                    final_url=str(response.url),
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=body,
                )
        except httpx.TimeoutException:
            message = f"{url}: timed out after {timeout:g}s"
            raise FetchError(message, url=url, retryable=True, timed_out=True) from None
        except httpx.HTTPError as exc:
            raise transport_error(url, exc, self._settings) from None

    def close(self) -> None:
        self._client.close()
