"""The one exception tree of scraper.

    ScraperError                 any failure the tool reports (exit 1)
    ├── ConfigError              config file missing, unreadable or invalid (exit 3)
    ├── InputError               bad input: missing file, invalid URL or scheme (exit 4)
    ├── FetchError               network or HTTP failure; carries url, status, retryable (exit 5)
    │   └── ContentError         a response we refuse: too large, not HTML, empty, binary (exit 6)
    ├── ExtractionError          a page with no article text in it (exit 7)
    ├── StateError               crawl state unusable or locked by another run (exit 8)
    └── SnapshotError            snapshot corpus inconsistent or unreadable (exit 9)

Messages are one line and name the URL, file, key or line at fault. The CLI maps
each class to its exit code; nothing else picks exit codes.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ContentError",
    "ExtractionError",
    "FetchError",
    "InputError",
    "ScraperError",
    "SnapshotError",
    "StateError",
]


class ScraperError(Exception):
    """Base of every error scraper raises on purpose."""

    exit_code = 1


class ConfigError(ScraperError):
    exit_code = 3


class InputError(ScraperError):
    exit_code = 4


class FetchError(ScraperError):
    """A fetch failed. ``status`` is the HTTP status when there was a response.

    ``retry_after`` is the wait in seconds a 429/503 asked for (``Retry-After``), if any.
    """

    exit_code = 5

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.retryable = retryable
        # seconds the server asked us to wait (Retry-After), when it said so
        self.retry_after = retry_after


class ContentError(FetchError):
    """The response arrived but is not something we clean (never retryable)."""

    exit_code = 6


class ExtractionError(ScraperError):
    exit_code = 7


class StateError(ScraperError):
    exit_code = 8


class SnapshotError(ScraperError):
    exit_code = 9
