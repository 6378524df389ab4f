"""The one exception tree of scraper.

    ScraperError                 any failure the tool reports
    ├── ConfigError              config file missing, unreadable or invalid
    ├── InputError               bad input: missing file, invalid URL or scheme
    │   └── RefusedError         a URL ``scraper serve`` will not fetch: a non-public address
    ├── FetchError               network or HTTP failure; carries url, status, retryable
    │   └── ContentError         a response or file we refuse: too large, not HTML, empty, binary
    ├── ExtractionError          a page with no article text in it
    ├── CleaningError            the cleaner itself failed on a page (any other exception)
    ├── StateError               crawl state unusable or locked by another run
    └── SnapshotError            snapshot corpus inconsistent or unreadable

Messages are one line and name the URL, file, key or line at fault; the same facts are
fields (``url``, ``path``, ``key``), None when they do not apply. The CLI maps each class to
its exit code (``scraper.cli.exit_code``); nothing else picks exit codes.
"""

from __future__ import annotations

__all__ = [
    "CleaningError",
    "ConfigError",
    "ContentError",
    "ExtractionError",
    "FetchError",
    "InputError",
    "RefusedError",
    "ScraperError",
    "SnapshotError",
    "StateError",
]


class ScraperError(Exception):
    """Base of every error scraper raises on purpose.

    ``url`` is the page's address, ``path`` the local file, ``key`` the config or manifest key
    at fault, each when known.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        path: str | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.path = path
        self.key = key


class ConfigError(ScraperError):
    pass


class InputError(ScraperError):
    pass


class RefusedError(InputError):
    """A URL refused before any connection: its host is (or resolves to) an address that is
    not public, or its scheme is not http(s). ``reason`` says which, in a few words."""

    def __init__(self, message: str, *, url: str | None = None, reason: str = "") -> None:
        super().__init__(message, url=url)
        self.reason = reason


class FetchError(ScraperError):
    """A fetch failed. ``status`` is the HTTP status when there was a response.

    ``retry_after`` is the wait in seconds a 429/503 asked for (``Retry-After``), if any;
    ``timed_out`` says that the failure was a timeout (connecting, or the whole response).
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        path: str | None = None,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        timed_out: bool = False,
    ) -> None:
        super().__init__(message, url=url, path=path)
        self.timed_out = timed_out
        self.status = status
        self.retryable = retryable
        # seconds the server asked us to wait (Retry-After), when it said so
        self.retry_after = retry_after


class ContentError(FetchError):
    """The response (or local file) arrived but is not something we clean (never retryable)."""


class ExtractionError(ScraperError):
    pass


class CleaningError(ScraperError):
    """Cleaning one page raised something that is not a ``ScraperError`` (a bug, or a page
    beyond a library's limits: ``RecursionError``, ``MemoryError``…), turned into an error of
    that page by ``scraper.batch.failure``."""


class StateError(ScraperError):
    pass


class SnapshotError(ScraperError):
    pass
