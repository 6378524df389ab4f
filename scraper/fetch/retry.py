"""The one retry policy of fetching and crawling: what is retried, how long to wait, how often.

``Fetcher.fetch`` retries in place through tenacity (``RetryPolicy.retrying``); the crawl puts a
failed URL back in its frontier for later (``RetryPolicy.wait``), so that no slot is held while
waiting. Both wait the same: a Retry-After when the server sent one, else ``backoff`` doubled each
retry, plus up to ``backoff`` of jitter, up to ``max_backoff``. A Retry-After beyond
``retry_after_cap`` is not waited for: the fetcher fails at once (its message says what the
server asked), and the crawl defers that host for as long as asked instead.

The library prints nothing: a caller that wants to say it is waiting passes ``on_wait``,
called with a ``RetryWait`` before each wait.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_base

from scraper.config import FetchSettings
from scraper.errors import FetchError

__all__ = ["RetryPolicy", "RetryWait", "beyond_cap_message"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryWait:
    """A wait before the next attempt: ``error`` is the failure's one-line message."""

    error: str
    seconds: float
    attempt: int  # the attempt about to be made (2 for the first retry)
    attempts: int  # at most this many in all


def beyond_cap_message(asked: float, cap: float) -> str:
    """What a fetch that will not wait for a Retry-After says."""
    return f"server asks to retry after {asked:.0f} s (cap {cap:g} s)"


@dataclass(frozen=True)
class RetryPolicy:
    retries: int  # after the first attempt
    backoff: float
    max_backoff: float
    retry_after_cap: float

    @classmethod
    def from_settings(cls, settings: FetchSettings) -> RetryPolicy:
        return cls(
            retries=settings.retries,
            backoff=settings.backoff,
            max_backoff=settings.max_backoff,
            retry_after_cap=settings.retry_after_cap,
        )

    def retryable(self, exc: BaseException) -> bool:
        """A failure that may go away: timeouts, connection errors, 429 and 5xx."""
        return isinstance(exc, FetchError) and exc.retryable

    def beyond_cap(self, exc: BaseException) -> float | None:
        """The Retry-After the server asked for, when it is longer than we wait; else None."""
        asked = getattr(exc, "retry_after", None)
        return float(asked) if asked is not None and asked > self.retry_after_cap else None

    def retries_in_place(self, exc: BaseException) -> bool:
        """Whether ``Fetcher.fetch`` tries again after ``exc`` (not past a Retry-After cap)."""
        return self.retryable(exc) and self.beyond_cap(exc) is None

    def retry_after(self, exc: BaseException) -> float | None:
        """The server's Retry-After, capped; ``None`` when it sent none."""
        asked = getattr(exc, "retry_after", None)
        return None if asked is None else min(float(asked), self.retry_after_cap)

    def wait(
        self,
        attempt: int,
        exc: BaseException | None = None,
        *,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1 for the first)."""
        asked = self.retry_after(exc) if exc is not None else None
        if asked is not None:
            return asked
        grown = self.backoff * 2.0 ** (attempt - 1) + uniform(0, self.backoff)
        return min(grown, self.max_backoff)

    def retrying(
        self,
        *,
        attempts: int,
        sleep: Callable[[float], None],
        on_wait: Callable[[RetryWait], None] | None = None,
    ) -> Retrying:
        """A tenacity ``Retrying`` of at most ``attempts`` attempts with this policy's waits;
        ``on_wait`` hears of each wait before it starts."""

        def before_sleep(retry_state: RetryCallState) -> None:
            exc = retry_state.outcome.exception() if retry_state.outcome else None
            wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
            attempt = retry_state.attempt_number + 1
            log.info("%s; retrying in %.1fs (attempt %d)", exc, wait, attempt)
            if on_wait is not None:
                on_wait(RetryWait(str(exc), wait, attempt, attempts))

        return Retrying(
            stop=stop_after_attempt(attempts),
            wait=_Wait(self),
            retry=retry_if_exception(self.retries_in_place),
            sleep=sleep,
            before_sleep=before_sleep,
            reraise=True,
        )


class _Wait(wait_base):
    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        return self.policy.wait(retry_state.attempt_number, exc)
