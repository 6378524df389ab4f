"""`clean -i URLS` fetching: robots.txt first, then one host's requests at least its delay apart."""

from __future__ import annotations

import httpx
import pytest

from scraper.config import Config
from scraper.errors import FetchError
from scraper.fetch.polite import PoliteFetcher

PAGE = b"<html><body><p>hello</p></body></html>"


class Clock:
    """A clock that moves only when slept on: waits are recorded, and take no time."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def handler(robots: tuple[int, str], others: tuple[int, str] = (404, "")):
    """Every host answers ``others`` for robots.txt, except a.example: ``robots``."""
    asked: list[str] = []

    def respond(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.path == "/robots.txt":
            status, body = robots if request.url.host == "a.example" else others
            return httpx.Response(status, text=body, headers={"Content-Type": "text/plain"})
        return httpx.Response(200, content=PAGE, headers={"Content-Type": "text/html"})

    return respond, asked


def fetcher(config: Config, respond, clock: Clock) -> PoliteFetcher:
    return PoliteFetcher(
        config, transport=httpx.MockTransport(respond), sleep=clock.sleep, clock=clock
    )


def test_requests_to_one_host_wait_the_larger_of_delay_and_crawl_delay():
    clock = Clock()
    respond, asked = handler(
        (200, "User-agent: *\nCrawl-delay: 3\n"), (200, "User-agent: *\nDisallow: /private/\n")
    )
    config = Config.model_validate({"crawl": {"delay": 1.0}})
    with fetcher(config, respond, clock) as polite:
        polite.fetch("https://a.example/1")
        polite.fetch("https://a.example/2")
        polite.fetch("https://b.example/1")  # another host: no wait for a's delay
    assert asked == [
        "https://a.example/robots.txt",
        "https://a.example/1",
        "https://a.example/2",
        "https://b.example/robots.txt",
        "https://b.example/1",
    ]
    # Crawl-delay 3 s outranks the configured 1 s, from the request after robots.txt on;
    # b.example's robots.txt (no Crawl-delay) asks for nothing: the configured 1 s
    assert clock.sleeps == [3.0, 3.0, 1.0]


def test_a_site_rule_delay_wins_over_the_crawl_default():
    clock = Clock()
    respond, _ = handler((404, ""))
    config = Config.model_validate(
        {"crawl": {"delay": 1.0}, "sites": {"a": {"hosts": ["a.example"], "delay": 5}}}
    )
    with fetcher(config, respond, clock) as polite:
        polite.fetch("https://a.example/1")
        polite.fetch("https://a.example/2")
    assert clock.sleeps == [5.0, 5.0]


@pytest.mark.parametrize(
    ("robots", "message"),
    [
        ((200, "User-agent: scraper\nDisallow: /\n"), "disallowed by robots.txt"),
        ((503, ""), "robots.txt of https://a.example unavailable (status 503): not fetched"),
    ],
)
def test_robots_txt_refusals(robots, message):
    clock = Clock()
    respond, asked = handler(robots)
    with fetcher(Config(), respond, clock) as polite, pytest.raises(FetchError) as caught:
        polite.fetch("https://a.example/1")
    assert str(caught.value) == f"https://a.example/1: {message}"
    assert caught.value.url == "https://a.example/1"
    assert asked == ["https://a.example/robots.txt"]
