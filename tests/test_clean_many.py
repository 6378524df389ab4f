"""`scraper clean SOURCE...`: many pages to JSON Lines or files, WARC archives, URL lists."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper import clean
from scraper.batch.records import RECORD_FIELDS
from scraper.cli import main

ROOT = Path(__file__).resolve().parent.parent
GATE = ROOT / "tests/gate/html"  # 41 WCXB pages, gzipped (CC-BY-4.0, tests/gate/README.md)
GATE_PAGES = sorted(GATE.glob("*.html.gz"))
JT = ROOT / "tests/pages/japantoday.com"


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def expected() -> dict[str, str]:
    """clean() of each gate page, by file name: what every batch path must give."""
    out = {}
    for page in GATE_PAGES:
        out[page.name] = clean(gzip.decompress(page.read_bytes())).text
    return out


def test_a_directory_gives_one_json_line_per_page(expected):
    result = run("clean", str(GATE), "--jobs", "1")
    assert result.exit_code == 0, result.output
    lines = records(result.stdout)
    assert len(lines) == len(GATE_PAGES) == 41
    assert [Path(r["source"]).name for r in lines] == [p.name for p in GATE_PAGES]
    for record in lines:
        assert list(record) == list(RECORD_FIELDS)
        assert record["text"] == expected[Path(record["source"]).name]
        assert record["word_count"] > 0


def test_two_jobs_give_the_same_lines_as_one():
    one = run("clean", str(GATE), "--jobs", "1")
    two = run("clean", str(GATE), "--jobs", "2")
    assert one.exit_code == two.exit_code == 0
    assert two.stdout == one.stdout
    assert one.stderr == two.stderr == ""  # not a terminal: no progress bar, silence


def test_failures_are_one_line_and_a_record_and_exit_10(tmp_path):
    shutil.copy(GATE_PAGES[0], tmp_path / "good.html.gz")
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "garbage.html").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.7")  # not a page: not picked up
    result = run("clean", str(tmp_path), "--jobs", "1")
    assert result.exit_code == 10, result.output
    lines = records(result.stdout)
    assert [Path(r["source"]).name for r in lines] == ["empty.html", "garbage.html", "good.html.gz"]
    assert lines[0] == {"source": str(tmp_path / "empty.html"), "error": lines[0]["error"]}
    assert lines[0]["error"] == f"{tmp_path / 'empty.html'}: empty input"
    assert "binary" in lines[1]["error"] and lines[1]["error"].startswith(str(tmp_path))
    assert lines[2]["text"]
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    assert errors == [f"error: {lines[0]['error']}", f"error: {lines[1]['error']}"]
    assert "Traceback" not in result.output


def test_a_missing_source_among_many_is_one_failure(tmp_path):
    result = run("clean", str(GATE_PAGES[0]), "www.example.com/a", "--jobs", "1")
    assert result.exit_code == 10
    lines = records(result.stdout)
    assert (
        lines[1]["error"]
        == "www.example.com/a: no such file; did you mean https://www.example.com/a?"
    )


def test_output_dir_writes_a_file_per_page_and_an_index(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(JT / "interpol-arrests-dump.txt", pages / "dump.txt")
    shutil.copy(GATE_PAGES[1], pages / "one.html.gz")
    out = tmp_path / "out"
    result = run("clean", str(pages), "--output-dir", str(out), "-f", "text", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    index = records((out / "index.jsonl").read_text(encoding="utf-8"))
    assert len(index) == 2 and all("text" not in r for r in index)
    for record in index:
        written = Path(record["path"])
        assert written.parent == out / pages.relative_to(pages.anchor)
        assert written.suffix == ".txt" and written.read_text(encoding="utf-8").strip()
    dump_text = clean((JT / "interpol-arrests-dump.txt").read_bytes()).text
    assert (out / pages.relative_to(pages.anchor) / "dump.txt").read_text() == dump_text + "\n"


def test_many_pages_as_text_need_an_output_dir():
    result = run("clean", str(GATE), "-f", "text")
    assert result.exit_code == 2
    assert result.output.startswith("error: many pages as text need --output-dir")


def test_standard_input_among_many(tmp_path):
    page = gzip.decompress(GATE_PAGES[2].read_bytes())
    result = run("clean", "-", str(GATE_PAGES[3]), "--jobs", "1", stdin=page)
    assert result.exit_code == 0, result.output
    first, second = records(result.stdout)
    assert first["source"] == "<stdin>" and first["text"] == clean(page).text
    assert second["source"] == str(GATE_PAGES[3])


# --- WARC ------------------------------------------------------------------------------


def _warc(path: Path, pages: list[tuple[str, bytes, str]]) -> None:
    """A WARC.gz of response records (and the request, redirect and image records a
    crawl's archive also holds, which are not pages)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body, content_type in pages:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            asked = StatusAndHeaders("GET / HTTP/1.1", [], is_http_request=True)
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), http_headers=asked
            )
            writer.write_record(request)
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)
        moved = StatusAndHeaders("301 Moved", [("Location", "/x")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://example.org/moved",
                "response",
                payload=io.BytesIO(b""),
                http_headers=moved,
            )
        )
        image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://example.org/a.png",
                "response",
                payload=io.BytesIO(b"\x89PNG\r\n"),
                http_headers=image,
            )
        )


def test_a_warc_of_100_responses_gives_100_records_equal_to_clean(tmp_path, expected):
    pages = []
    for n in range(100):
        page = GATE_PAGES[n % len(GATE_PAGES)]
        url = f"https://site{n}.example.org/articles/{page.name.split('.')[0]}"
        pages.append((url, gzip.decompress(page.read_bytes()), "text/html; charset=utf-8"))
    archive = tmp_path / "crawl.warc.gz"
    _warc(archive, pages)
    result = run("clean", str(archive), "--jobs", "2")
    assert result.exit_code == 0, result.output
    lines = records(result.stdout)
    assert len(lines) == 100
    for (url, body, _), record in zip(pages, lines, strict=True):
        assert record["url"] == url
        assert record["source"].startswith(f"{archive}#")
        # the HTTP charset outranks the page's own <meta> (one of these pages says latin-1)
        assert record["text"] == clean(body, url, charset="utf-8").text


def test_a_warc_record_is_decoded_with_its_http_charset(tmp_path):
    text = "Ceci est un texte français, écrit à Paris, où l'on parle de l'été. " * 12
    body = f"<html><body><article><p>{text.strip()}</p></article></body></html>".encode("cp1252")
    archive = tmp_path / "one.warc.gz"
    _warc(archive, [("https://example.fr/a", body, "text/html; charset=windows-1252")])
    result = run("clean", str(archive), "--jobs", "1")
    assert result.exit_code == 0, result.output
    (record,) = records(result.stdout)
    assert record["text"] == text.strip()
    assert record["text"] == clean(body, "https://example.fr/a", charset="windows-1252").text


def test_a_file_that_is_not_a_warc_is_one_failure(tmp_path):
    fake = tmp_path / "broken.warc.gz"
    fake.write_bytes(b"not a warc at all")
    result = run("clean", str(fake), "--jobs", "1")
    assert result.exit_code == 10
    (record,) = records(result.stdout)
    assert record["error"] == f"{fake}: not a WARC file"


# --- URL lists ---------------------------------------------------------------------------


def test_a_url_list_is_fetched_politely(httpx_mock, tmp_path):
    page = gzip.decompress(GATE_PAGES[4].read_bytes())
    httpx_mock.add_response(
        url="https://news.example.org/robots.txt",
        text="User-agent: *\nDisallow: /private/\n",
        headers={"Content-Type": "text/plain"},
    )
    httpx_mock.add_response(
        url="https://news.example.org/a", content=page, headers={"Content-Type": "text/html"}
    )
    config = tmp_path / "config.yaml"
    config.write_text("crawl:\n  delay: 0\n", encoding="utf-8")
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "# today's pages\nhttps://news.example.org/a\n\nhttps://news.example.org/private/b\n"
        "notaurl\n",
        encoding="utf-8",
    )
    result = run("clean", "-i", str(urls), "--config", str(config), "--jobs", "1")
    assert result.exit_code == 10, result.output
    first, second, third = records(result.stdout)
    assert first["url"] == "https://news.example.org/a" and first["text"] == clean(page).text
    assert second["error"] == "https://news.example.org/private/b: disallowed by robots.txt"
    assert third["error"].startswith("notaurl: not a URL")
    # robots.txt once, then the allowed page only
    assert [str(r.url) for r in httpx_mock.get_requests()] == [
        "https://news.example.org/robots.txt",
        "https://news.example.org/a",
    ]


def test_config_errors_still_stop_everything(tmp_path):
    result = run("clean", str(GATE), "--config", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 3
    assert result.output.startswith("error: ") and len(result.output.splitlines()) == 1


def test_python_dash_m_scraper_works_like_scraper():
    import subprocess
    import sys

    page = JT / "interpol-arrests-more-than-3-700-suspects-in-global-trafficking-crackdown.html"
    url = "https://japantoday.com/category/world/interpol"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scraper",
            "clean",
            str(page),
            "--url",
            url,
            "-c",
            str(ROOT / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout == run("clean", str(page), "--url", url, "-c", str(ROOT / "config.yaml")).stdout
    )
    bad = subprocess.run(
        [sys.executable, "-m", "scraper", "clean", "no/such.html"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 4 and bad.stderr == "error: no/such.html: no such file\n"


def test_json_lines_to_a_file(tmp_path):
    out = tmp_path / "records.jsonl"
    result = run("clean", str(GATE_PAGES[5]), str(GATE_PAGES[6]), "-o", str(out), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert [r["source"] for r in records(out.read_text(encoding="utf-8"))] == [
        str(GATE_PAGES[5]),
        str(GATE_PAGES[6]),
    ]
