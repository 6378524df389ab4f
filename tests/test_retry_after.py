"""Long waits say so, or do not happen: a Retry-After beyond ``fetch.retry_after_cap`` fails
at once (the crawl defers the host instead); a wait is announced on a terminal; a timeout
after retries says how many attempts and how long in all. Fetches on pytest-httpx with a
fake clock and sleep: nothing here really waits (but one CLI test, one second).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from pytest_httpx import HTTPXMock

from scraper.config import FetchSettings
from scraper.errors import FetchError
from scraper.fetch.client import Fetcher
from scraper.fetch.retry import RetryWait

URL = "https://news.example/story"
HTML = "<html><body><article><p>Hello there.</p></article></body></html>"


class FakeTime:
    """A clock that moves only when slept on, or when a request says it took a while."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fetcher(fake: FakeTime, waits: list[RetryWait] | None = None, **settings: object) -> Fetcher:
    base: dict[str, object] = {
        "retries": 3, "backoff": 2.0, "max_backoff": 2.0, "retry_after_cap": 120.0,
        "timeout": 20.0, "connect_timeout": 5.0,
    }
    return Fetcher(
        FetchSettings(**{**base, **settings}),  # type: ignore[arg-type]
        sleep=fake.sleep,
        clock=fake.clock,
        on_wait=waits.append if waits is not None else None,
    )


def fetch_error(f: Fetcher, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as caught:
        f.fetch(URL, **kwargs)  # type: ignore[arg-type]
    return caught.value


# -- Retry-After beyond the cap -------------------------------------------------------------


@pytest.mark.parametrize("status", [503, 429])
def test_a_retry_after_beyond_the_cap_fails_at_once(httpx_mock: HTTPXMock, status):
    httpx_mock.add_response(url=URL, status_code=status, headers={"Retry-After": "360"})
    fake = FakeTime()
    error = fetch_error(fetcher(fake))
    reason = {503: "Service Unavailable", 429: "Too Many Requests"}[status]
    assert str(error) == (
        f"{URL}: HTTP {status} {reason}: server asks to retry after 360 s (cap 120 s)"
    )
    assert error.retry_after == 360.0 and error.status == status
    assert fake.sleeps == [] and len(httpx_mock.get_requests()) == 1


def test_a_retry_after_date_beyond_the_cap_fails_at_once(httpx_mock: HTTPXMock):
    when = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    httpx_mock.add_response(url=URL, status_code=503, headers={"Retry-After": when})
    fake = FakeTime()
    error = fetch_error(fetcher(fake))
    assert "server asks to retry after 7" in str(error) and str(error).endswith(" s (cap 120 s)")
    assert fake.sleeps == []


def test_a_retry_after_within_the_cap_is_waited_for_and_announced(httpx_mock: HTTPXMock):
    httpx_mock.add_response(url=URL, status_code=503, headers={"Retry-After": "120"})
    httpx_mock.add_response(url=URL, html=HTML)
    fake, waits = FakeTime(), []
    assert fetcher(fake, waits).fetch(URL).status == 200
    assert fake.sleeps == [120.0]
    assert waits == [
        RetryWait(f"{URL}: HTTP 503 Service Unavailable (Retry-After 120s)", 120.0, 2, 4)
    ]


def test_the_cli_fails_at_once_on_a_retry_after_beyond_the_cap(httpx_mock: HTTPXMock):
    from scraper.cli import main

    httpx_mock.add_response(url=URL, status_code=503, headers={"Retry-After": "3600"})
    result = CliRunner().invoke(main, ["clean", URL])
    assert result.exit_code == 5
    assert result.output == (
        f"error: {URL}: HTTP 503 Service Unavailable: server asks to retry after 3600 s"
        " (cap 120 s)\n"
    )
    assert len(httpx_mock.get_requests()) == 1


def test_a_url_list_goes_on_past_a_host_that_asks_too_long(httpx_mock: HTTPXMock, tmp_path):
    from scraper.cli import main

    other = "https://other.example/a"
    for host in ("news.example", "other.example"):
        httpx_mock.add_response(url=f"https://{host}/robots.txt", text="User-agent: *\n")
    httpx_mock.add_response(url=URL, status_code=429, headers={"Retry-After": "900"})
    page = (Path(__file__).parent / "pages/japantoday.com").glob("*.html")
    httpx_mock.add_response(url=other, content=next(page).read_bytes(),
                            headers={"Content-Type": "text/html"})
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{URL}\n{other}\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("crawl: {delay: 0}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", "-i", str(urls), "--config", str(config)])
    assert result.exit_code == 10, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert lines[0]["error"].endswith("server asks to retry after 900 s (cap 120 s)")
    assert lines[1]["word_count"] > 100


# -- a wait on a terminal says so -----------------------------------------------------------


def test_a_wait_is_one_line_on_a_terminal_only(monkeypatch, capsys):
    import scraper.cli as cli

    wait = RetryWait(f"{URL}: HTTP 503 Service Unavailable (Retry-After 30s)", 30.0, 2, 4)
    monkeypatch.setattr(cli, "stderr_is_terminal", lambda: False)
    cli.say_wait(wait)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(cli, "stderr_is_terminal", lambda: True)
    cli.say_wait(wait)
    cli.say_wait(RetryWait("x", 0.4, 2, 4))  # (too short to be worth a line)
    assert capsys.readouterr().err == (
        f"waiting 30 s before attempt 2 of 4: {URL}: HTTP 503 Service Unavailable"
        " (Retry-After 30s)\n"
    )


def test_the_cli_announces_its_wait_on_a_terminal(httpx_mock: HTTPXMock, monkeypatch):
    import scraper.cli as cli

    monkeypatch.setattr(cli, "stderr_is_terminal", lambda: True)
    httpx_mock.add_response(url=URL, status_code=503, headers={"Retry-After": "1"})
    httpx_mock.add_response(url=URL, status_code=404)
    result = CliRunner().invoke(cli.main, ["clean", URL])
    assert result.exit_code == 5
    assert result.stderr.splitlines() == [
        f"waiting 1 s before attempt 2 of 4: {URL}: HTTP 503 Service Unavailable"
        " (Retry-After 1s)",
        f"error: {URL}: HTTP 404 Not Found",
    ]


# -- timeouts say how many attempts, over how long -----------------------------------------


def test_a_trickling_body_times_out_naming_attempts_and_total_time(httpx_mock: HTTPXMock):
    fake = FakeTime()

    def trickle(request: httpx.Request) -> httpx.Response:
        fake.now += 20.0  # each attempt runs into its 20 s bound
        raise httpx.ReadTimeout("the whole response took longer than 20s", request=request)

    httpx_mock.add_callback(trickle, url=URL, is_reusable=True)
    error = fetch_error(fetcher(fake))
    # four attempts of 20 s and three waits of 2 s
    assert str(error) == (
        f"{URL}: timed out after 4 attempts over 86 s (each attempt capped at 20 s)"
    )
    assert error.retryable and len(httpx_mock.get_requests()) == 4 and fake.sleeps == [2.0] * 3


def test_a_connect_timeout_names_its_own_bound(httpx_mock: HTTPXMock):
    fake = FakeTime()

    def refuse(request: httpx.Request) -> httpx.Response:
        fake.now += 5.0
        raise httpx.ConnectTimeout("timed out", request=request)

    httpx_mock.add_callback(refuse, url=URL, is_reusable=True)
    error = fetch_error(fetcher(fake, retries=1))
    assert str(error) == (
        f"{URL}: connection timed out after 2 attempts over 12 s (each attempt capped at 5 s)"
    )


def test_one_attempt_that_times_out_keeps_the_short_message(httpx_mock: HTTPXMock):
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"), url=URL)
    error = fetch_error(fetcher(FakeTime()), retry=False)
    assert str(error) == f"{URL}: timed out after 20s"


def test_a_timeout_then_another_failure_says_the_last_failure(httpx_mock: HTTPXMock):
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"), url=URL)
    httpx_mock.add_response(url=URL, status_code=502, is_reusable=True)
    error = fetch_error(fetcher(FakeTime()))
    assert str(error) == f"{URL}: HTTP 502 Bad Gateway"


# -- the crawl defers the host instead ----------------------------------------------------


def test_the_crawl_defers_a_host_that_asks_beyond_the_cap(tmp_path):
    from crawl.conftest import article, hub
    from crawl.server import Reply, Server

    from scraper.config import load_config
    from scraper.crawl.runner import Crawler
    from scraper.crawl.store.sqlite import SQLiteStore

    slow, other = Server(), Server("127.0.0.2")
    try:
        slow.routes["/robots.txt"] = other.routes["/robots.txt"] = Reply(body="User-agent: *\n")
        slow.routes["/"] = Reply(body=hub(["/a", "/b"]))
        slow.routes["/a"] = slow.routes["/b"] = Reply(
            503, "busy", {"Retry-After": "3600", "Content-Type": "text/plain"}
        )
        other.routes["/"] = Reply(body=hub(["/o1", "/o2"]))
        other.routes["/o1"] = Reply(body=article("Other one"))
        other.routes["/o2"] = Reply(body=article("Other two"))
        config_path = tmp_path / "config.yaml"
        config_path.write_text(
            f"crawl: {{state_dir: {tmp_path / 'state'}, output_dir: {tmp_path / 'out'},"
            " delay: 0, workers: 1}\nfetch: {retries: 2, backoff: 0, retry_after_cap: 60}\n"
            f"sites:\n  slow:\n    hosts: [127.0.0.1]\n    start: ['{slow.url('/')}']\n"
            f"  other:\n    hosts: [127.0.0.2]\n    start: ['{other.url('/', '127.0.0.2')}']\n",
            encoding="utf-8",
        )
        config = load_config(config_path)
        events: list[object] = []
        store = SQLiteStore(config.crawl.state_dir)
        try:
            with store.lock():
                crawler = Crawler(config, store, emit=events.append)
                summaries = {s.site: s for s in crawler.crawl(["slow", "other"])}
                again = Crawler(config, store).crawl(["slow"], force=True)
            host = store.host(f"http://127.0.0.1:{slow.port}")
            now = store.now()
        finally:
            store.close()
        asked = [r.path for r in slow.log if r.path in ("/a", "/b")]
    finally:
        slow.close()
        other.close()
    assert summaries["other"].counts["new"] == 2  # the other host went on
    counts = summaries["slow"].counts
    assert counts["failed"] == 0 and counts["queued"] >= 1  # left for a later run, not failed
    assert len(asked) == 1  # one answer deferred the host: no retry, no second page asked
    assert 3500 < host.backoff_until - now <= 3600  # kept as asked, beyond the cap
    assert again[0].counts["failed"] == 0  # the next run too leaves the host alone
    deferred = [e for e in events if getattr(e, "outcome", "") == "retry"]
    assert deferred and str(getattr(deferred[0], "detail", "")).endswith(
        "server asks to retry after 3600 s (cap 60 s): host deferred"
    )
