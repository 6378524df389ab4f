"""The one retry policy, shared by the fetcher (in place) and the crawl (back in the frontier)."""

from __future__ import annotations

import pytest
from pytest_httpx import HTTPXMock

from scraper.config import FetchSettings
from scraper.errors import ContentError, FetchError
from scraper.fetch.client import Fetcher
from scraper.fetch.retry import RetryPolicy

SETTINGS = FetchSettings(retries=3, backoff=0.5, max_backoff=1.5, retry_after_cap=60.0)
POLICY = RetryPolicy.from_settings(SETTINGS)


def no_jitter(low: float, high: float) -> float:
    return 0.0


def test_backoff_doubles_up_to_its_cap_and_jitter_stays_under_backoff():
    assert [POLICY.wait(n, uniform=no_jitter) for n in (1, 2, 3, 4)] == [0.5, 1.0, 1.5, 1.5]
    assert POLICY.wait(1, uniform=lambda low, high: high) == 1.0


def test_retry_after_wins_and_is_capped():
    asked = FetchError("u: HTTP 503", url="u", status=503, retryable=True, retry_after=3600)
    assert POLICY.wait(1, asked) == 60.0 == POLICY.retry_after(asked)
    soon = FetchError("u: HTTP 429", url="u", status=429, retryable=True, retry_after=2)
    assert POLICY.wait(3, soon) == 2.0


def test_what_is_retried():
    assert POLICY.retryable(FetchError("u: timed out", url="u", retryable=True))
    assert not POLICY.retryable(FetchError("u: HTTP 404", url="u", status=404))
    assert not POLICY.retryable(ContentError("u: not HTML", url="u"))
    assert not POLICY.retryable(ValueError("bug"))


def test_the_fetcher_waits_what_the_policy_says(httpx_mock: HTTPXMock):
    url = "https://news.example/story"
    for _ in range(4):
        httpx_mock.add_response(url=url, status_code=500)
    sleeps: list[float] = []
    with Fetcher(SETTINGS, sleep=sleeps.append) as fetcher, pytest.raises(FetchError):
        fetcher.fetch(url)
    assert len(sleeps) == 3
    for attempt, slept in enumerate(sleeps, 1):
        low = POLICY.wait(attempt, uniform=no_jitter)
        assert low <= slept <= min(low + 0.5, 1.5)
