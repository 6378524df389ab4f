import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from pytest_httpx import HTTPXMock, IteratorStream

from scraper.config import FetchSettings
from scraper.errors import ContentError, FetchError, InputError
from scraper.fetch.client import Fetcher

URL = "https://news.example/story"
HTML = "<!doctype html><html><head><title>Story</title></head><body><p>Hello</p></body></html>"
HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}
SETTINGS = FetchSettings(
    retries=2, backoff=0.5, max_backoff=4.0, retry_after_cap=60.0, max_bytes=1000, max_redirects=3
)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fetcher(sleeps: list[float]):
    with Fetcher(SETTINGS, sleep=sleeps.append) as f:
        yield f


def fetch_error(fetcher: Fetcher, url: str = URL, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url, **kwargs)
    message = str(info.value)
    assert message.startswith(url)
    assert "\n" not in message
    return info.value


def test_success_after_redirect_chain(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_response(url=URL, status_code=301, headers={"Location": "/step2"})
    httpx_mock.add_response(
        url="https://news.example/step2", status_code=302, headers={"Location": "/final"}
    )
    httpx_mock.add_response(
        url="https://news.example/final",
        html=HTML,
        match_headers={"User-Agent": SETTINGS.user_agent},
    )
    result = fetcher.fetch(URL)
    assert result.url == URL
    assert result.final_url == "https://news.example/final"
    assert result.status == 200
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    assert result.body == HTML.encode()
    assert "<p>Hello</p>" in result.text()
    assert result.fetched_at.tzinfo is UTC
    assert result.elapsed >= 0
    assert sleeps == []


def test_too_many_redirects(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_response(url=URL, status_code=302, headers={"Location": URL}, is_reusable=True)
    err = fetch_error(fetcher)
    assert "too many redirects" in str(err)
    assert not err.retryable
    assert len(httpx_mock.get_requests()) == SETTINGS.max_redirects + 1
    assert sleeps == []


def test_host_not_found_is_retried_then_reported(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_exception(
        httpx.ConnectError("[Errno -2] Name or service not known"), is_reusable=True
    )
    err = fetch_error(fetcher)
    assert str(err) == f"{URL}: host not found (news.example)"
    assert err.retryable
    assert len(httpx_mock.get_requests()) == SETTINGS.retries + 1
    assert len(sleeps) == SETTINGS.retries


def test_connection_refused(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"))
    err = fetch_error(fetcher, retry=False)
    assert str(err) == f"{URL}: connection refused"
    assert err.retryable
    assert err.status is None
    assert sleeps == []


def test_timeout_retried_with_backoff_then_error(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"), is_reusable=True)
    err = fetch_error(fetcher)
    # (the total is measured on the real clock; tests/test_retry_after.py fakes it)
    assert re.fullmatch(
        re.escape(URL) + r": timed out after 3 attempts over \d+ s \(each attempt capped at 20 s\)",
        str(err),
    )
    assert len(httpx_mock.get_requests()) == 3
    assert len(sleeps) == 2
    # exponential: 0.5 then 1.0, each plus up to 0.5 of jitter, never above max_backoff
    assert 0.5 <= sleeps[0] <= 1.0
    assert 1.0 <= sleeps[1] <= 1.5


def test_404_is_not_retried(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_response(url=URL, status_code=404, html="<p>nope</p>")
    err = fetch_error(fetcher)
    assert str(err) == f"{URL}: HTTP 404 Not Found"
    assert err.status == 404
    assert not err.retryable
    assert len(httpx_mock.get_requests()) == 1
    assert sleeps == []


def test_500_then_200_succeeds(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_response(url=URL, status_code=500)
    httpx_mock.add_response(url=URL, html=HTML)
    result = fetcher.fetch(URL)
    assert result.status == 200
    assert len(httpx_mock.get_requests()) == 2
    assert len(sleeps) == 1
    assert 0.5 <= sleeps[0] <= 1.0


def test_500_every_time_gives_retryable_error(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_response(url=URL, status_code=502, is_reusable=True)
    err = fetch_error(fetcher)
    assert str(err) == f"{URL}: HTTP 502 Bad Gateway"
    assert err.retryable
    assert err.status == 502
    assert len(sleeps) == 2


def _http_date(delta: timedelta) -> str:
    return format_datetime(datetime.now(UTC) + delta, usegmt=True)


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("7", 7.0), ("60", 60.0)],  # beyond the cap: tests/test_retry_after.py
)
def test_429_waits_for_retry_after_capped(
    httpx_mock: HTTPXMock, fetcher, sleeps, retry_after, expected
):
    httpx_mock.add_response(url=URL, status_code=429, headers={"Retry-After": retry_after})
    httpx_mock.add_response(url=URL, html=HTML)
    assert fetcher.fetch(URL).status == 200
    assert sleeps == [expected]


def test_429_retry_after_http_date(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_response(
        url=URL, status_code=429, headers={"Retry-After": _http_date(timedelta(seconds=30))}
    )
    httpx_mock.add_response(url=URL, html=HTML)
    fetcher.fetch(URL)
    assert len(sleeps) == 1
    assert sleeps[0] == pytest.approx(30, abs=2)


def test_no_retry_returns_retry_after_on_503(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_response(url=URL, status_code=503, headers={"Retry-After": "120"})
    err = fetch_error(fetcher, retry=False)
    assert err.status == 503
    assert err.retryable
    assert err.retry_after == 120.0
    assert len(httpx_mock.get_requests()) == 1
    assert sleeps == []


def test_body_over_cap_by_content_length(httpx_mock: HTTPXMock, fetcher):
    httpx_mock.add_response(url=URL, headers=HTML_TYPE, content=b"<p>" + b"x" * 2000)
    with pytest.raises(ContentError, match=r"body larger than 1000 bytes$"):
        fetcher.fetch(URL)


def test_body_over_cap_streamed_stops_reading(httpx_mock: HTTPXMock, fetcher):
    produced: list[int] = []

    def chunks():
        for i in range(100):
            produced.append(i)
            yield b"<p>" + b"x" * 297

    httpx_mock.add_response(
        url=URL, headers={"Content-Type": "text/html"}, stream=IteratorStream(chunks())
    )
    with pytest.raises(ContentError, match=r"body larger than 1000 bytes$"):
        fetcher.fetch(URL)
    assert len(produced) <= 5


@pytest.mark.parametrize("mime", ["application/pdf", "image/png"])
def test_non_html_refused(httpx_mock: HTTPXMock, fetcher, mime):
    httpx_mock.add_response(url=URL, headers={"Content-Type": mime}, content=b"%PDF-1.4 ...")
    with pytest.raises(ContentError) as info:
        fetcher.fetch(URL)
    assert str(info.value) == f"{URL}: not an HTML page ({mime})"
    assert not info.value.retryable


def test_pdf_without_content_type_is_sniffed(httpx_mock: HTTPXMock, fetcher):
    httpx_mock.add_response(url=URL, content=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    with pytest.raises(ContentError, match=r"not an HTML page \(application/pdf\)"):
        fetcher.fetch(URL)


def test_html_without_content_type_is_accepted(httpx_mock: HTTPXMock, fetcher):
    httpx_mock.add_response(url=URL, content=HTML.encode())
    result = fetcher.fetch(URL)
    assert result.content_type == ""
    assert "Hello" in result.text()


def test_empty_body(httpx_mock: HTTPXMock, fetcher):
    httpx_mock.add_response(url=URL, headers=HTML_TYPE, content=b"")
    with pytest.raises(ContentError, match=r"empty response body$"):
        fetcher.fetch(URL)


def test_binary_garbage(httpx_mock: HTTPXMock, fetcher):
    httpx_mock.add_response(url=URL, headers=HTML_TYPE, content=bytes(range(256)) * 3)
    with pytest.raises(ContentError, match="binary content"):
        fetcher.fetch(URL)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://news.example/file.html", "not an http(s) URL (ftp://)"),
        ("news.example/story", "not an http(s) URL"),
        ("http://", "URL has no host"),
        ("https://exa mple.com/", "not a valid host name"),
        ("http://news.example:99999/", "port out of range"),
        ("http://[::1/", "not a valid URL"),
    ],
)
def test_bad_urls_refused_before_any_request(httpx_mock: HTTPXMock, fetcher, url, expected):
    with pytest.raises(InputError) as info:
        fetcher.fetch(url)
    assert str(info.value).startswith(url)
    assert expected in str(info.value)
    assert httpx_mock.get_requests() == []


JAPANESE = "日本語のニュース記事です。"


def test_shift_jis_charset_only_in_meta(httpx_mock: HTTPXMock, fetcher):
    body = f'<html><head><meta charset="Shift_JIS"></head><body><p>{JAPANESE}</p></body></html>'
    httpx_mock.add_response(
        url=URL, headers={"Content-Type": "text/html"}, content=body.encode("shift_jis")
    )
    result = fetcher.fetch(URL)
    assert result.charset is None
    assert JAPANESE in result.text()


def test_windows_1252_meta(httpx_mock: HTTPXMock, fetcher):
    text = "“Smart quotes” café"
    body = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        f"</head><body><p>{text}</p></body></html>"
    )
    httpx_mock.add_response(
        url=URL, headers={"Content-Type": "text/html"}, content=body.encode("cp1252")
    )
    assert text in fetcher.fetch(URL).text()


def test_header_charset_wins_over_meta(httpx_mock: HTTPXMock, fetcher):
    body = '<html><head><meta charset="iso-8859-1"></head><body><p>café</p></body></html>'
    httpx_mock.add_response(
        url=URL, headers={"Content-Type": 'text/html; charset="UTF-8"'}, content=body.encode()
    )
    result = fetcher.fetch(URL)
    assert result.charset == "UTF-8"
    assert "<p>café</p>" in result.text()


def test_304_passthrough(httpx_mock: HTTPXMock, fetcher, sleeps):
    httpx_mock.add_response(
        url=URL, status_code=304, headers={"ETag": '"v1"'}, match_headers={"If-None-Match": '"v1"'}
    )
    result = fetcher.fetch(URL, headers={"If-None-Match": '"v1"'})
    assert result.status == 304
    assert result.body == b""
    assert result.headers["etag"] == '"v1"'
    assert sleeps == []


def test_crawl_resources_share_the_cap(httpx_mock: HTTPXMock):
    from scraper.fetch.resources import ResourceClient

    robots, sitemap = "https://news.example/robots.txt", "https://news.example/sitemap.xml"
    httpx_mock.add_response(url=robots, content=b"User-agent: *\n" + b"#" * 3000)
    httpx_mock.add_response(url=sitemap, content=b"<urlset>" + b" " * 3000)
    client = ResourceClient(SETTINGS)
    try:
        # robots.txt is read up to the cap, as its RFC allows; a sitemap that long is refused
        got = client.get(robots, truncate=True)
        assert (got.status, len(got.body)) == (200, 1000)
        assert got.body.startswith(b"User-agent: *\n")
        with pytest.raises(FetchError, match=r"sitemap.xml: body larger than 1000 bytes$"):
            client.get(sitemap)
    finally:
        client.close()


def _trickle(step: float, count: int):
    """A body that arrives one byte every ``step`` seconds (each read well inside the timeout)."""
    import time

    def chunks():
        yield b"<p>"
        for _ in range(count):
            time.sleep(step)
            yield b"x"

    return IteratorStream(chunks())


def test_a_trickling_body_times_out_at_the_whole_response_timeout(httpx_mock: HTTPXMock):
    import time

    httpx_mock.add_response(url=URL, headers=HTML_TYPE, stream=_trickle(0.1, 40))
    settings = FetchSettings(timeout=0.5, retries=0)
    started = time.monotonic()
    with Fetcher(settings) as fetcher:
        error = fetch_error(fetcher)
    took = time.monotonic() - started
    assert str(error) == f"{URL}: timed out after 0.5s" and error.retryable
    assert took < 1.5  # not the 4 s the trickle would take


def test_a_trickling_crawl_resource_times_out(httpx_mock: HTTPXMock):
    from scraper.fetch.resources import ResourceClient

    sitemap = "https://news.example/sitemap.xml"
    httpx_mock.add_response(url=sitemap, stream=_trickle(0.1, 40))
    client = ResourceClient(FetchSettings(timeout=0.5))
    try:
        with pytest.raises(FetchError, match=r"sitemap.xml: timed out after 0.5s$"):
            client.get(sitemap)
    finally:
        client.close()


def test_redirect_returned_as_is_when_not_followed(httpx_mock: HTTPXMock, fetcher):
    httpx_mock.add_response(url=URL, status_code=301, headers={"Location": "/moved"})
    result = fetcher.fetch(URL, follow_redirects=False)
    assert (result.status, result.headers["location"], result.body) == (301, "/moved", b"")
