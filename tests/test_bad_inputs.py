"""Every bad input found in testing (issue 17): one `error:` line and a documented exit code."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper import clean
from scraper.batch.inputs import read_capped_stream
from scraper.cli import main
from scraper.errors import ContentError
from scraper.page.encoding import decode_html, looks_binary
from scraper.page.parse import parse_html

ROOT = Path(__file__).resolve().parent.parent
PAGE = (
    ROOT
    / "tests/pages/japantoday.com"
    / "interpol-arrests-more-than-3-700-suspects-in-global-trafficking-crackdown.html"
)


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def assert_one_line_error(result, code: int, *fragments: str) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def small_cap(tmp_path: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text("fetch:\n  max_bytes: 1000\n", encoding="utf-8")
    return config


@pytest.mark.parametrize("url", ["http://[::1/x", "http://[::1", "http://example.com:99999/"])
def test_a_broken_url_option(url):
    assert_one_line_error(
        run("clean", str(PAGE), "--url", url), 4, f"--url {url}", "not a valid URL"
    )


@pytest.mark.parametrize("source", ["http://[::1", "http://[::1/x", "https://[zz]/"])
def test_a_broken_url_source(source):
    assert_one_line_error(run("clean", source), 4, source, "not a valid URL")


def test_a_url_without_its_scheme():
    line = assert_one_line_error(run("clean", "www.example.com/a"), 4)
    assert line == "error: www.example.com/a: no such file; did you mean https://www.example.com/a?"


def test_a_missing_file_gets_no_url_hint():
    line = assert_one_line_error(run("clean", "notes/page.html"), 4)
    assert line == "error: notes/page.html: no such file"


@pytest.mark.parametrize("url", ["notaurl", "example.com/a", "ftp://example.com/a", "https:///a"])
def test_a_url_option_that_is_not_a_web_url_is_refused(url):
    assert_one_line_error(run("clean", str(PAGE), "--url", url), 4, f"--url {url}")


def test_a_local_file_over_the_cap(tmp_path, small_cap):
    big = tmp_path / "big.html"
    big.write_bytes(b"<html><body><p>" + b"word " * 400 + b"</p></body></html>")
    assert_one_line_error(
        run("clean", str(big), "-c", str(small_cap)), 6, str(big), "fetch.max_bytes (1000 bytes)"
    )


def test_standard_input_over_the_cap(small_cap):
    result = run("clean", "-", "-c", str(small_cap), stdin=b"<p>" + b"word " * 400)
    assert_one_line_error(result, 6, "<stdin>", "fetch.max_bytes (1000 bytes)")


def test_the_cap_reads_at_most_one_byte_more():
    class Endless(io.RawIOBase):
        """A stream that never ends, counting what was read from it."""

        served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[override]
            buffer[:] = b"a" * len(buffer)
            self.served += len(buffer)
            return len(buffer)

    stream = Endless()
    with pytest.raises(ContentError, match=r"larger than fetch\.max_bytes"):
        read_capped_stream(io.BufferedReader(stream, 64), name="-", max_bytes=1000)
    assert stream.served <= 1001 + 64


def test_a_gzipped_page_over_the_cap_is_refused_without_inflating_it(tmp_path, small_cap):
    import gzip

    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b" " * 50_000_000))
    result = run("clean", str(bomb), str(PAGE), "-c", str(small_cap), "--jobs", "1")
    assert result.exit_code == 10
    assert f"error: {bomb}: larger than fetch.max_bytes (1000 bytes): not cleaned" in result.output


@pytest.mark.parametrize(
    ("content", "what"),
    [(b"", "empty input"), (b" \n\t ", "empty input"), (bytes(range(256)) * 4, "binary")],
)
def test_an_empty_or_binary_file_is_named(tmp_path, content, what):
    page = tmp_path / "page.html"
    page.write_bytes(content)
    line = assert_one_line_error(run("clean", str(page)), 6, what)
    assert line.startswith(f"error: {page}: ")
    assert "<input>" not in line


def test_a_page_without_text_is_named_by_its_file(tmp_path):
    page = tmp_path / "gallery.html"
    page.write_text("<html><body><div><img src='a.jpg'></div></body></html>")
    line = assert_one_line_error(run("clean", str(page)), 7, "no article text")
    assert line.startswith(f"error: {page}: ")


def test_an_iframe_followed_by_150_kb_of_spaces_parses():
    # quadratic in the old regular expression: 97 s; each character is now read at most twice
    html = "<html><body><p>before</p><iframe" + " " * 150_000
    tree = parse_html(html)
    assert tree.css_first("p").text() == "before"


def test_a_self_closed_iframe_among_many_is_still_closed():
    html = "<body>" + "<iframe src='x'></iframe>" * 1000 + "<iframe src='y' /><p>after</p></body>"
    assert parse_html(html).css_first("p").text() == "after"


def test_a_western_page_without_a_declared_charset_is_read_as_windows_1252():
    text = "Café déjà vu — “quoted” naïve façade, Straße, über alles, à bientôt. " * 20
    body = f"<html><body><article><p>{text.strip()}</p></article></body></html>".encode("cp1252")
    assert decode_html(body) == body.decode("cp1252")
    assert clean(body).text == text.strip()


def test_a_russian_page_without_a_declared_charset_is_read_in_its_locale_encoding():
    text = "Москва — столица России, город федерального значения. " * 20
    body = f'<html lang="ru"><body><p>{text.strip()}</p></body></html>'.encode("cp1251")
    assert decode_html(body) == body.decode("cp1251")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_text(codec):
    text = "東京の天気は晴れです。気温は二十度まで上がります。" * 20
    body = f"<html><body><article><p>{text}</p></article></body></html>".encode(codec)
    assert not looks_binary(body)
    assert decode_html(body) == body.decode(codec)
    assert clean(body).text == text
