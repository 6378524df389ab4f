"""``scraper serve`` over real HTTP: every endpoint, every error code, the SSRF refusals,
and the same output as ``scraper clean`` byte for byte."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from crawl.server import Reply, Server

from scraper.cli import main

from .conftest import ARTICLE, UPSTREAM, Running, Start, settings, write_config


@pytest.fixture(scope="module")
def server(start: Start, upstream: Server) -> Running:
    return start(settings())


@pytest.fixture(scope="module")
def loopback() -> Server:
    """A server on 127.0.0.1 that must never be reached (the service's own network)."""
    server = Server(address="127.0.0.1")
    return server


def test_post_a_url_answers_the_batch_record(server: Running, upstream: Server) -> None:
    url = upstream.url("/article", host=UPSTREAM)
    r = httpx.post(f"{server.base}/v1/clean", json={"url": url})
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["source"] == url and record["url"] == url
    assert "Understanding Web Design" in record["title"]
    assert record["word_count"] > 500 and record["blocks"]
    assert "content" not in record


def test_the_record_is_the_clis_json_line_byte_for_byte(
    server: Running, upstream: Server, tmp_path: Path
) -> None:
    url = upstream.url("/article", host=UPSTREAM)
    config = write_config(tmp_path / "config.yaml", settings())
    urls = tmp_path / "urls.txt"
    urls.write_text(url + "\n", encoding="utf-8")
    cli = CliRunner().invoke(main, ["clean", "-i", str(urls), "--config", str(config)])
    assert cli.exit_code == 0, cli.output
    r = httpx.get(f"{server.base}/v1/clean", params={"url": url})
    assert r.status_code == 200
    assert r.content == cli.stdout_bytes


@pytest.mark.parametrize("fmt", ["markdown", "text", "html"])
def test_a_rendering_is_the_clis_byte_for_byte(
    server: Running, upstream: Server, tmp_path: Path, fmt: str
) -> None:
    url = upstream.url("/article", host=UPSTREAM)
    config = write_config(tmp_path / "config.yaml", settings())
    args = ["clean", url, "-f", fmt, "--links", "--config", str(config)]
    cli = CliRunner().invoke(main, args)
    assert cli.exit_code == 0, cli.output
    r = httpx.get(f"{server.base}/v1/clean", params={"url": url, "format": fmt, "links": "true"})
    assert r.status_code == 200
    assert r.content == cli.stdout_bytes
    assert r.headers["content-type"].startswith(
        {"markdown": "text/markdown", "text": "text/plain", "html": "text/html"}[fmt]
    )


def test_posted_html_is_cleaned_as_the_cli_cleans_the_file(server: Running, tmp_path: Path) -> None:
    url = "https://alistapart.com/article/understandingwebdesign/"
    config = write_config(tmp_path / "config.yaml", settings())
    args = ["clean", str(ARTICLE), "--url", url, "-f", "markdown", "--comments"]
    cli = CliRunner().invoke(main, [*args, "--config", str(config)])
    assert cli.exit_code == 0, cli.output
    body = {
        "html": ARTICLE.read_text(encoding="utf-8"),
        "url": url,
        "format": "markdown",
        "comments": True,
    }
    r = httpx.post(f"{server.base}/v1/clean", json=body)
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["content"] == cli.stdout_bytes.decode("utf-8")
    assert record["source"] == url and "comments" in record


def test_html_without_a_url(server: Running) -> None:
    html = "<html><body><article>" + "<p>A long enough paragraph of text. </p>" * 20
    r = httpx.post(f"{server.base}/v1/clean", json={"html": html + "</article></body></html>"})
    assert r.status_code == 200, r.text
    assert r.json()["source"] == "<html>" and r.json()["url"] is None


def test_a_redirect_is_followed_and_checked(server: Running, upstream: Server) -> None:
    url = upstream.url("/to-article", host=UPSTREAM)
    r = httpx.get(f"{server.base}/v1/clean", params={"url": url})
    assert r.status_code == 200, r.text
    assert r.json()["url"] == upstream.url("/article", host=UPSTREAM)


def test_a_name_is_connected_to_at_its_checked_address(server: Running, upstream: Server) -> None:
    # no DNS knows upstream.test: only the address the server checked can have been used,
    # and the upstream still saw the name in the Host header
    url = f"http://upstream.test:{upstream.port}/article"
    r = httpx.get(f"{server.base}/v1/clean", params={"url": url})
    assert r.status_code == 200, r.text
    assert any(
        req.host == f"upstream.test:{upstream.port}" for req in upstream.requests("/article")
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:{port}/article", "loopback"),
        ("http://2130706433:{port}/article", "loopback"),
        ("http://0177.0.0.1:{port}/article", "loopback"),
        ("http://0x7f.1:{port}/article", "loopback"),
        ("http://[::ffff:127.0.0.1]:{port}/article", "loopback"),
        ("http://[::1]:{port}/article", "loopback"),
        ("http://localhost:{port}/article", "loopback"),
        ("http://private.test/", "private"),
        ("http://metadata.test/latest/meta-data/", "link-local"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://mixed.test/", "private"),
        ("http://[fd00::1]/", "unique-local"),
        ("http://0.0.0.0:{port}/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[2002:7f00:1::]/", "loopback"),
        ("ftp://upstream.test/file", "http and https"),
        ("file:///etc/passwd", "http and https"),
    ],
)
def test_non_public_addresses_are_refused_with_403(
    server: Running, loopback: Server, url: str, reason: str
) -> None:
    url = url.format(port=loopback.port)
    r = httpx.post(f"{server.base}/v1/clean", json={"url": url})
    assert r.status_code == 403, r.text
    assert r.json()["source"] == url
    assert "refused" in r.json()["error"] and reason in r.json()["error"]
    assert loopback.requests() == []


def test_a_redirect_to_loopback_is_refused_at_the_hop(
    server: Running, upstream: Server, loopback: Server
) -> None:
    upstream.routes["/to-loopback"] = Reply(302, b"", {"Location": loopback.url("/secret")})
    url = upstream.url("/to-loopback", host=UPSTREAM)
    r = httpx.get(f"{server.base}/v1/clean", params={"url": url})
    assert r.status_code == 403, r.text
    assert "loopback" in r.json()["error"]
    assert upstream.requests("/to-loopback") and loopback.requests() == []


def test_robots_txt_is_honoured(server: Running, upstream: Server) -> None:
    r = httpx.get(f"{server.base}/v1/clean", params={"url": upstream.url("/private", UPSTREAM)})
    assert r.status_code == 403 and "robots.txt" in r.json()["error"]
    assert upstream.requests("/private") == []


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/error", 502, "HTTP 500"),
        ("/pdf", 502, "not an HTML page"),
        ("/slow", 504, "timed out"),
        ("/missing", 502, "HTTP 404"),
    ],
)
def test_upstream_failures(
    server: Running, upstream: Server, path: str, status: int, says: str
) -> None:
    r = httpx.get(f"{server.base}/v1/clean", params={"url": upstream.url(path, UPSTREAM)})
    assert r.status_code == status, r.text
    assert says in r.json()["error"] and r.json()["source"].endswith(path)


def test_a_host_not_found_is_502(server: Running) -> None:
    r = httpx.get(f"{server.base}/v1/clean", params={"url": "http://nowhere.test/"})
    assert r.status_code == 502 and "host not found" in r.json()["error"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "body: not JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b"{}", "give url"),
        (b'{"url": "http://upstream.test/", "format": "pdf"}', "body.format"),
        (b'{"url": "http://upstream.test/", "colour": "red"}', "body.colour: unknown field"),
        (b'{"url": 42}', "body.url"),
        (b'{"html": "<p>x</p>", "url": "not a url"}', "body.url"),
    ],
)
def test_bad_requests_are_422_naming_the_field(server: Running, body: bytes, says: str) -> None:
    r = httpx.post(
        f"{server.base}/v1/clean", content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert set(r.json()) == {"source", "error"} and says in r.json()["error"]


def test_a_bad_query_is_422_naming_the_field(server: Running) -> None:
    r = httpx.get(f"{server.base}/v1/clean", params={"url": "http://x.test/", "format": "pdf"})
    assert r.status_code == 422 and r.json()["error"].startswith("query.format:")
    r = httpx.get(f"{server.base}/v1/clean")
    assert r.status_code == 422 and r.json()["error"].startswith("query.url: required")


def test_a_page_with_nothing_to_clean_is_422(server: Running) -> None:
    r = httpx.post(f"{server.base}/v1/clean", json={"html": "   "})
    assert r.status_code == 422, r.text
    assert r.json()["source"] == "<html>"


def test_a_body_over_max_bytes_is_413(server: Running) -> None:
    body = json.dumps({"html": "x" * 500_000}).encode()
    r = httpx.post(f"{server.base}/v1/clean", content=body)
    assert r.status_code == 413 and "fetch.max_bytes" in r.json()["error"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(50):
            yield b" " * 10_000

    r = httpx.post(f"{server.base}/v1/clean", content=chunks())
    assert r.status_code == 413


def test_healthz_index_and_openapi(server: Running) -> None:
    assert httpx.get(f"{server.base}/healthz").json()["status"] == "ok"
    page = httpx.get(f"{server.base}/")
    assert page.status_code == 200 and "<form" in page.text and "v1/clean" in page.text
    schema = httpx.get(f"{server.base}/openapi.json").json()
    assert {"get", "post"} <= set(schema["paths"]["/v1/clean"])
    body = schema["paths"]["/v1/clean"]["post"]["requestBody"]["content"]["application/json"]
    assert {"url", "html", "format", "links", "comments"} <= set(body["schema"]["properties"])
    assert "403" in schema["paths"]["/v1/clean"]["post"]["responses"]


def test_metrics_count_requests_cleaning_fetches_and_refusals(
    server: Running, upstream: Server
) -> None:
    httpx.get(f"{server.base}/v1/clean", params={"url": upstream.url("/article", UPSTREAM)})
    httpx.get(f"{server.base}/v1/clean", params={"url": "http://10.0.0.1/"})
    text = httpx.get(f"{server.base}/metrics").text
    assert 'scraper_requests_total{endpoint="/v1/clean",status="200"}' in text
    assert 'scraper_requests_total{endpoint="/v1/clean",status="403"}' in text
    assert 'scraper_refusals_total{reason="a private network address"}' in text
    assert 'scraper_fetches_total{outcome="ok"}' in text
    count = next(
        line for line in text.splitlines() if line.startswith("scraper_clean_seconds_count")
    )
    assert float(count.split()[-1]) >= 1


def test_tokens_are_required_when_configured(start: Start, upstream: Server) -> None:
    secured = start(settings(tokens=["SCRAPER_TEST_TOKEN"]), env={"SCRAPER_TEST_TOKEN": "s3cret"})
    url = f"{secured.base}/v1/clean"
    html = {"html": "<article>" + "<p>Some text that is long enough to keep.</p>" * 10}
    none = httpx.post(url, json=html)
    assert none.status_code == 401 and none.headers["www-authenticate"] == "Bearer"
    wrong = httpx.post(url, json=html, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "nope" not in wrong.text
    right = httpx.post(url, json=html, headers={"Authorization": "Bearer s3cret"})
    assert right.status_code == 200, right.text
    assert httpx.get(f"{secured.base}/metrics").status_code == 401
    assert httpx.get(f"{secured.base}/healthz").status_code == 200


def test_a_token_variable_that_is_unset_fails_at_start() -> None:
    from scraper.config import config_from_mapping
    from scraper.errors import ConfigError
    from scraper.serve import create_app

    config = config_from_mapping(settings(tokens=["SCRAPER_UNSET_TOKEN"]))
    with pytest.raises(ConfigError, match=r"serve.tokens.0: environment variable SCRAPER_UNSET"):
        create_app(config, workers=1, env={})


def test_the_rate_limit_is_429_with_retry_after(start: Start) -> None:
    limited = start(settings(rate_limit=6, burst=2))  # a request every 10 s, two at once
    body = {"html": "<article>" + "<p>Some text that is long enough to keep.</p>" * 10}
    statuses = [httpx.post(f"{limited.base}/v1/clean", json=body) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert 1 <= int(statuses[2].headers["retry-after"]) <= 10
    assert "rate limit" in statuses[2].json()["error"]


def test_requests_beyond_the_queue_get_503(start: Start, upstream: Server) -> None:
    bounded = start(settings(queue=1))
    url = upstream.url("/held", UPSTREAM)
    first: list[httpx.Response] = []
    thread = threading.Thread(
        target=lambda: first.append(
            httpx.get(f"{bounded.base}/v1/clean", params={"url": url}, timeout=20)
        )
    )
    before = len(upstream.requests("/held"))
    thread.start()
    while len(upstream.requests("/held")) == before and thread.is_alive():
        threading.Event().wait(0.02)
    second = httpx.get(f"{bounded.base}/v1/clean", params={"url": url})
    thread.join()
    assert second.status_code == 503 and "serve.queue" in second.json()["error"]
    assert first[0].status_code == 200


def test_a_rebinding_name_never_reaches_loopback(
    server: Running, upstream: Server, loopback: Server
) -> None:
    # each connection goes to an address checked for it: the second answer (127.0.0.1) is
    # refused, never connected to
    url = f"http://rebind.test:{loopback.port}/article"
    r = httpx.get(f"{server.base}/v1/clean", params={"url": url})
    assert r.status_code in (403, 502), r.text
    assert loopback.requests() == []


def test_politeness_is_shared_by_every_request(start: Start, upstream: Server) -> None:
    polite = start(settings(crawl={"delay": 0.4}))
    url = upstream.url("/article", UPSTREAM)
    before = len(upstream.requests("/article"))
    answers: list[int] = []

    def ask() -> None:
        answers.append(httpx.get(f"{polite.base}/v1/clean", params={"url": url}).status_code)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200, 200, 200]
    times = [r.at for r in upstream.requests("/article")[before:]]
    assert len(times) == 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.35 for gap in gaps), gaps


def test_cleaning_past_clean_timeout_is_504(start: Start) -> None:
    hurried = start(settings(crawl={"clean_timeout": 0.001}))
    r = httpx.post(f"{hurried.base}/v1/clean", json={"html": ARTICLE.read_text(encoding="utf-8")})
    assert r.status_code == 504, r.text
    assert "cleaning took longer than 0.001s" in r.json()["error"]


def test_a_bug_answers_500_in_the_error_shape_without_a_traceback(server: Running) -> None:
    r = httpx.get(f"{server.base}/v1/clean", params={"url": "http://boom.test/"})
    assert r.status_code == 500
    assert r.json() == {"source": "http://boom.test/", "error": "internal error: RuntimeError"}
