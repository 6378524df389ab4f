"""The one retry policy of fetching and crawling: what is retried, how long to wait, how often.

``Fetcher.fetch`` retries in place through tenacity (``RetryPolicy.retrying``); the crawl puts a
failed URL back in its frontier for later (``RetryPolicy.wait``), so that no slot is held while
waiting. Both wait the same: a Retry-After when the server sent one (up to
``retry_after_cap``), else ``backoff`` doubled each retry, plus up to ``backoff`` of jitter, up
to ``max_backoff``.
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

__all__ = ["RetryPolicy"]

log = logging.getLogger(__name__)


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

    def retrying(self, *, attempts: int, sleep: Callable[[float], None]) -> Retrying:
        """A tenacity ``Retrying`` of at most ``attempts`` attempts with this policy's waits."""
        return Retrying(
            stop=stop_after_attempt(attempts),
            wait=_Wait(self),
            retry=retry_if_exception(self.retryable),
            sleep=sleep,
            before_sleep=_log_retry,
            reraise=True,
        )


class _Wait(wait_base):
    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        return self.policy.wait(retry_state.attempt_number, exc)


def _log_retry(retry_state: RetryCallState) -> None:
    exc = retry_state.outcome.exception() if retry_state.outcome else None
    wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
    log.info("%s; retrying in %.1fs (attempt %d)", exc, wait, retry_state.attempt_number + 1)
