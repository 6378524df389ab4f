"""`scraper clean` from a user's seat: outputs, and each error as one line with its exit code."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from scraper.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGE = (
    ROOT
    / "tests/pages/japantoday.com"
    / "interpol-arrests-more-than-3-700-suspects-in-global-trafficking-crackdown.html"
)
URL = "https://japantoday.com/category/world/interpol"
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The repository's site rules with instant retries, so retry tests take no time."""
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("backoff: 0.5", "backoff: 0").replace(
        "retry_after_cap: 120", "retry_after_cap: 0"
    )
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def assert_one_line_error(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


# --- outputs -----------------------------------------------------------------------------


def test_saved_page_with_url_uses_site_rules(config):
    result = run("clean", str(PAGE), "--url", URL, "--config", str(config))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("A global crackdown")
    assert "Savvy Tokyo" not in result.output


def test_standard_input(config):
    result = run("clean", "-", "--url", URL, "--config", str(config), stdin=PAGE.read_bytes())
    assert result.exit_code == 0, result.output
    assert result.output.startswith("A global crackdown")


def test_text_dump_file(config):
    dump = ROOT / "tests/pages/japantoday.com/interpol-arrests-dump.txt"
    result = run("clean", str(dump), "--config", str(config))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("A global crackdown")
    assert "Facebook" not in result.output


def test_json_and_markdown(config):
    result = run("clean", str(PAGE), "--url", URL, "--config", str(config), "--format", "json")
    data = json.loads(result.output)
    assert data["title"].startswith("Interpol arrests")
    assert data["site"] == "japantoday" and data["url"] == URL
    assert data["text"].startswith("A global crackdown")
    result = run("clean", str(PAGE), "--url", URL, "--config", str(config), "-f", "markdown")
    front, _, body = result.output.removeprefix("---\n").partition("---\n")
    assert yaml.safe_load(front)["author"] == "OPE ADETAY0"
    assert body.startswith("\n# Interpol arrests more than 3,700 suspects")
    assert data["blocks"][0]["type"] == "paragraph"


# --- errors a user will meet ---------------------------------------------------------------


def test_unknown_host(httpx_mock, config):
    httpx_mock.add_exception(
        httpx.ConnectError("[Errno -2] Name or service not known"), is_reusable=True
    )
    result = run("clean", "https://no-such-host.invalid/a", "--config", str(config))
    assert_one_line_error(result, 5, "https://no-such-host.invalid/a", "host not found")


def test_connection_refused(httpx_mock, config):
    httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"), is_reusable=True)
    result = run("clean", "http://127.0.0.1:9/a", "--config", str(config))
    assert_one_line_error(result, 5, "http://127.0.0.1:9/a", "connection refused")


def test_timeout(httpx_mock, config):
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"), is_reusable=True)
    result = run("clean", URL, "--config", str(config))
    assert_one_line_error(result, 5, URL, "timed out")
    assert len(httpx_mock.get_requests()) == 4  # first attempt + 3 retries


def test_404_is_not_retried(httpx_mock, config):
    httpx_mock.add_response(status_code=404, html="<p>not here</p>")
    result = run("clean", URL, "--config", str(config))
    assert_one_line_error(result, 5, URL, "404")
    assert len(httpx_mock.get_requests()) == 1


def test_500_then_success(httpx_mock, config):
    httpx_mock.add_response(status_code=500)
    httpx_mock.add_response(content=PAGE.read_bytes(), headers=HTML)
    result = run("clean", URL, "--config", str(config))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("A global crackdown")
    assert len(httpx_mock.get_requests()) == 2


def test_429_with_retry_after_then_success(httpx_mock, config):
    # (0: within the fixture's cap of 0 s; a longer one fails at once, test_retry_after.py)
    httpx_mock.add_response(status_code=429, headers={"Retry-After": "0"})
    httpx_mock.add_response(content=PAGE.read_bytes(), headers=HTML)
    result = run("clean", URL, "--config", str(config))
    assert result.exit_code == 0, result.output
    assert len(httpx_mock.get_requests()) == 2


def test_body_over_the_cap(httpx_mock, tmp_path, config):
    small = tmp_path / "small.yaml"
    small.write_text(config.read_text().replace("max_bytes: 10000000", "max_bytes: 1000"))
    httpx_mock.add_response(content=PAGE.read_bytes(), headers=HTML)
    result = run("clean", URL, "--config", str(small))
    assert_one_line_error(result, 6, URL, "1000 bytes")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
        ("image/png", b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_pdf_or_image_refused(httpx_mock, config, content_type, body):
    httpx_mock.add_response(content=body, headers={"Content-Type": content_type})
    result = run("clean", URL, "--config", str(config))
    assert_one_line_error(result, 6, URL, content_type)


def test_empty_body(httpx_mock, config):
    httpx_mock.add_response(content=b"", headers=HTML)
    result = run("clean", URL, "--config", str(config))
    assert_one_line_error(result, 6, URL, "empty")


def test_binary_garbage_file(tmp_path, config):
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(bytes(range(256)) * 40)
    result = run("clean", str(garbage), "--config", str(config))
    assert_one_line_error(result, 6, "binary")


def test_page_with_no_article(tmp_path, config):
    page = tmp_path / "empty.html"
    page.write_text(
        "<html><head><title>Gallery</title><script>var a = 1;</script></head>"
        "<body><div class='gallery'><img src='a.jpg'><img src='b.jpg'></div></body></html>"
    )
    result = run("clean", str(page), "--config", str(config))
    assert_one_line_error(result, 7, "no article text")


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://example.com/a", "scheme"),
        ("http://", "http://"),
        ("https:///nohost", "https:///nohost"),
    ],
)
def test_invalid_url_or_scheme(config, url, fragment):
    result = run("clean", url, "--config", str(config))
    assert_one_line_error(result, 4, fragment)


def test_missing_config_file(tmp_path):
    result = run("clean", str(PAGE), "--config", str(tmp_path / "missing.yaml"))
    assert_one_line_error(result, 3, "missing.yaml", "not found")


def test_malformed_config_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites:\n  jt:\n    hosts: [x.com]\n    remove: ['div[']\n")
    result = run("clean", str(PAGE), "--config", str(bad))
    assert_one_line_error(result, 3, "bad.yaml", "sites.jt.remove.0")


def test_missing_input_file(config):
    result = run("clean", "no/such/page.html", "--config", str(config))
    assert_one_line_error(result, 4, "no/such/page.html", "no such file")
