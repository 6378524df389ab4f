"""One failure policy for every many-page path (``scraper.batch.failure``): a page whose
cleaning raises anything becomes that page's error, ``<source>: cleaning failed: <reason>``,
and the other pages go on.

Each path is driven with a page that crashes a stage of the cleaner (monkeypatched): the
structure walk (``page_units``), the pruning or the rendering. ``scraper clean`` with many
inputs is run in this process (``--jobs 1``) and in worker processes (``--jobs 2``, forked
from this process, so that they inherit the patch: the record names the worker's pid to show
the crash happened there). The crawl's workers come from a forkserver, so its clean function
installs the patch itself, in the worker.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.batch.failure import cleaning_failed, failure_reason, guarded
from scraper.cleaner import pipeline
from scraper.cli import main
from scraper.errors import CleaningError, ExtractionError

MARK = "CRASH-THIS-PAGE"
SENTENCE = (
    "The harbour committee met on {n} occasions this spring to review the plans, and its "
    "members said that the public consultation had drawn far more letters than expected."
)


def page(title: str, extra: str = "") -> str:
    paragraphs = "\n".join(f"<p>{SENTENCE.format(n=i + 3)} {title} {i}.</p>" for i in range(5))
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>{paragraphs}<p>{extra}</p></article></body></html>"
    )


def crash_structure(monkeypatch: pytest.MonkeyPatch, error: type[Exception]) -> None:
    """The structure stage raises ``error`` on a page holding ``MARK``, saying its pid."""
    real = pipeline.page_units

    def page_units(tree):  # type: ignore[no-untyped-def]
        if MARK in (tree.html or ""):
            raise error(f"stage broke in pid {os.getpid()}")
        return real(tree)

    monkeypatch.setattr(pipeline, "page_units", page_units)


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a-good.html").write_text(page("Harbour plans"), encoding="utf-8")
    (folder / "b-bad.html").write_text(page("Broken page", MARK), encoding="utf-8")
    (folder / "c-good.html").write_text(page("Ferry timetable"), encoding="utf-8")
    return folder


def records(stdout: str) -> dict[str, dict]:
    return {Path(r["source"]).name: r for r in map(json.loads, stdout.splitlines())}


# -- the policy itself ----------------------------------------------------------------------


def test_the_reason_names_the_type_the_message_and_our_function():
    def deep() -> None:
        raise RecursionError("maximum recursion depth exceeded")

    with pytest.raises(CleaningError) as caught:
        guarded("a.html", deep)
    assert str(caught.value) == (
        "a.html: cleaning failed: RecursionError: maximum recursion depth exceeded"
    )  # (deep is the test's: no function of the package to name)
    # A ScraperError (a page with no article) passes through as it is.
    with pytest.raises(ExtractionError):
        guarded("a.html", lambda: pipeline.clean("<html><body></body></html>"))
    error = cleaning_failed("x.html", MemoryError())
    assert str(error) == "x.html: cleaning failed: MemoryError" and error.path == "x.html"
    assert failure_reason(ValueError("a\nb  c")) == "ValueError: a b c"


def test_the_reason_names_the_innermost_function_of_the_package(monkeypatch):
    crash_structure(monkeypatch, RecursionError)
    with pytest.raises(CleaningError) as caught:
        guarded("p.html", lambda: pipeline.clean(page("t", MARK)))
    message = str(caught.value)
    assert message.startswith("p.html: cleaning failed: RecursionError: stage broke in pid")
    assert message.endswith("(in scraper.cleaner.pipeline._clean)")  # the patch is the test's


def test_interrupts_and_exits_are_not_a_page_error():
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        guarded("a.html", interrupted)
    with pytest.raises(SystemExit):
        guarded("a.html", lambda: exit(3))


# -- scraper clean with many inputs -------------------------------------------------------


@pytest.mark.parametrize("error", [RecursionError, MemoryError, ValueError, KeyError])
def test_a_crashing_page_in_a_directory_is_its_error_record_in_process(
    monkeypatch, pages, error
):
    crash_structure(monkeypatch, error)
    result = run("clean", str(pages), "--jobs", "1")
    assert result.exit_code == 10, result.output
    found = records(result.stdout)
    assert list(found) == ["a-good.html", "b-bad.html", "c-good.html"]  # input order
    assert found["a-good.html"]["text"].startswith("The harbour committee")
    assert found["c-good.html"]["word_count"] > 50
    bad = found["b-bad.html"]["error"]
    assert bad.startswith(f"{pages / 'b-bad.html'}: cleaning failed: {error.__name__}: ")
    assert f"pid {os.getpid()}" in bad  # cleaned in this process
    assert f"error: {bad}" in result.stderr and "1 input failed" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="workers must inherit the patch"
)
def test_a_crashing_page_in_a_directory_is_its_error_record_in_a_worker(monkeypatch, pages):
    crash_structure(monkeypatch, RecursionError)
    result = run("clean", str(pages), "--jobs", "2")
    assert result.exit_code == 10, result.output
    found = records(result.stdout)
    assert list(found) == ["a-good.html", "b-bad.html", "c-good.html"]
    assert found["a-good.html"]["text"] and found["c-good.html"]["text"]
    bad = found["b-bad.html"]["error"]
    assert bad.startswith(f"{pages / 'b-bad.html'}: cleaning failed: RecursionError: ")
    assert f"pid {os.getpid()}" not in bad  # the crash was in a worker process
    assert "Traceback" not in result.output


def test_a_page_whose_rendering_crashes_is_its_error_record(monkeypatch, pages, tmp_path):
    from scraper.cli import clean_cmd

    real = clean_cmd.render

    def render(doc, fmt, **options):  # type: ignore[no-untyped-def]
        if doc.title == "Ferry timetable":
            raise ValueError("cannot render this")
        return real(doc, fmt, **options)

    monkeypatch.setattr(clean_cmd, "render", render)
    out = tmp_path / "out"
    result = run("clean", str(pages), "--jobs", "1", "--output-dir", str(out), "-f", "text")
    assert result.exit_code == 10, result.output
    index = records((out / "index.jsonl").read_text(encoding="utf-8"))
    assert Path(index["a-good.html"]["path"]).read_text(encoding="utf-8").startswith("The harbour")
    assert index["c-good.html"]["error"] == (
        f"{pages / 'c-good.html'}: cleaning failed: ValueError: cannot render this"
        " (in scraper.cli.clean_cmd.render)"
    )
    assert "b-bad.html" in index  # (not crashed here: no patch of the structure stage)


def test_one_crashing_page_is_one_line_and_exit_11(monkeypatch, pages):
    crash_structure(monkeypatch, RecursionError)
    result = run("clean", str(pages / "b-bad.html"))
    assert result.exit_code == 11
    assert result.output.startswith(f"error: {pages / 'b-bad.html'}: cleaning failed: Recursion")
    assert result.output.count("\n") == 1


# -- scraper diff and snapshot update -----------------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "tests/pages/example.org").mkdir(parents=True)
    (root / "tests/pages/example.org/good.html").write_text(page("Harbour plans"), "utf-8")
    (root / "tests/pages/example.org/bad.html").write_text(page("Broken", MARK), "utf-8")
    (root / "tests/pages/pages.yaml").write_text(
        "example.org/bad:\n  url: https://example.org/bad\n"
        "example.org/good:\n  url: https://example.org/good\n",
        encoding="utf-8",
    )
    (root / "config.yaml").write_text("sites: {}\n", encoding="utf-8")
    return root


def test_snapshot_update_writes_the_good_page_and_names_the_crashing_one(monkeypatch, corpus):
    crash_structure(monkeypatch, MemoryError)
    result = run("snapshot", "update", "--root", str(corpus))
    assert result.exit_code == 11, result.output
    good = corpus / "snapshots/example.org/good.txt"
    assert good.read_text(encoding="utf-8").startswith("The harbour committee")
    assert not (corpus / "snapshots/example.org/bad.txt").exists()
    assert (
        "error: tests/pages/example.org/bad.html: cleaning failed: MemoryError: stage broke"
        in result.stderr
    )
    assert "Traceback" not in result.output


def test_diff_shows_the_good_page_and_names_the_crashing_one(monkeypatch, corpus):
    crash_structure(monkeypatch, RecursionError)
    result = run("diff", "--root", str(corpus), "--color", "never")
    assert result.exit_code == 2, result.output
    assert "+++ b/snapshots/example.org/good.txt" in result.stdout
    assert "+The harbour committee" in result.stdout
    assert "bad.txt" not in result.stdout
    assert (
        "error: tests/pages/example.org/bad.html: cleaning failed: RecursionError: stage broke"
        in result.stderr
    )


# -- the crawl ------------------------------------------------------------------------------


def crashing_clean(body, charset, url, want_doc, want_links, *, site_template=None):  # type: ignore[no-untyped-def]
    """The crawl's clean function with the structure stage broken, in the worker itself."""
    from scraper.crawl.work import clean_page

    if not getattr(pipeline.page_units, "broken", False):
        real = pipeline.page_units

        def page_units(tree):  # type: ignore[no-untyped-def]
            if MARK in (tree.html or ""):
                raise RecursionError("maximum recursion depth exceeded")
            return real(tree)

        page_units.broken = True  # type: ignore[attr-defined]
        pipeline.page_units = page_units  # (a worker process of this test only)
    return clean_page(body, charset, url, want_doc, want_links, site_template=site_template)


def test_a_crawled_page_that_crashes_the_cleaner_fails_and_the_crawl_goes_on(tmp_path):
    from crawl.conftest import article, hub
    from crawl.server import Reply, Server

    from scraper.config import load_config
    from scraper.crawl.runner import Crawler
    from scraper.crawl.store.sqlite import SQLiteStore

    server = Server()
    try:
        server.routes["/robots.txt"] = Reply(body="User-agent: *\nAllow: /\n")
        server.routes["/"] = Reply(body=hub(["/good", "/bad"]))
        server.routes["/good"] = Reply(body=article("Good page"))
        server.routes["/bad"] = Reply(body=article("Bad page", extra=MARK))
        config_path = tmp_path / "config.yaml"
        config_path.write_text(
            f"crawl: {{state_dir: {tmp_path / 'state'}, output_dir: {tmp_path / 'out'},"
            " delay: 0, workers: 1}\n"
            f"sites:\n  s:\n    hosts: [127.0.0.1]\n    start: ['{server.url('/')}']\n",
            encoding="utf-8",
        )
        config = load_config(config_path)
        store = SQLiteStore(config.crawl.state_dir)
        try:
            with store.lock():
                [summary] = Crawler(config, store, clean=crashing_clean).crawl(["s"])
            record = store.record(server.url("/bad"))
        finally:
            store.close()
    finally:
        server.close()
    assert summary.counts["new"] == 1 and summary.counts["failed"] == 1
    assert summary.cleaning_failed == 1  # (the command's exit code: 10)
    assert record is not None and record.error == (
        f"{server.url('/bad')}: cleaning failed: RecursionError: maximum recursion depth"
        " exceeded (in scraper.cleaner.pipeline._clean)"
    )


def test_the_crawl_worker_keeps_the_links_of_a_page_it_cannot_clean(monkeypatch):
    from scraper.crawl.work import clean_page

    crash_structure(monkeypatch, ValueError)
    html = page("Links", MARK + ' <a href="/next">next</a>').encode()
    cleaned = clean_page(html, "utf-8", "http://h/p", True, True)
    assert cleaned.doc is None and cleaned.links == ["http://h/next"]
    assert cleaned.error is not None
    assert cleaned.error.startswith("http://h/p: cleaning failed: ValueError: stage broke")


# -- the benchmarks -------------------------------------------------------------------------


def test_the_dev_benchmark_scores_a_crashing_page_as_its_error(monkeypatch):
    from scraper.bench.runner import run_pages
    from scraper.bench.systems import systems

    class Case:
        def __init__(self, id: str, html: str) -> None:
            self.id, self.url, self.html = id, f"https://example.org/{id}", html

        def page(self) -> str:
            return self.html

    crash_structure(monkeypatch, RecursionError)
    cases = [Case("good", page("Harbour plans")), Case("bad", page("Broken", MARK))]
    runs = run_pages(cases, [systems()["scraper"]], metadata=False)
    good, bad = runs["scraper"]
    assert good.output.text.startswith("The harbour committee") and not good.output.error
    assert bad.output.text == ""
    assert bad.output.error.startswith("bad: cleaning failed: RecursionError: stage broke")


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="workers must inherit the patch"
)
def test_a_page_that_kills_its_worker_is_its_error_and_the_others_are_cleaned(
    monkeypatch, pages
):
    import signal

    real = pipeline.page_units

    def page_units(tree):  # type: ignore[no-untyped-def]
        if MARK in (tree.html or ""):
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
        return real(tree)

    monkeypatch.setattr(pipeline, "page_units", page_units)
    for n in range(12):  # more pages than are in flight at once
        (pages / f"d{n:02}.html").write_text(page(f"Page number {n}"), encoding="utf-8")
    result = run("clean", str(pages), "--jobs", "2")
    assert result.exit_code == 10, result.output
    found = records(result.stdout)
    assert list(found) == sorted(found) and len(found) == 15  # every page, in input order
    assert found["b-bad.html"]["error"] == (
        f"{pages / 'b-bad.html'}: cleaning failed: the worker process died"
        " (killed by a signal or out of memory)"
    )
    assert all("text" in r for name, r in found.items() if name != "b-bad.html")
    assert "1 input failed" in result.stderr and "Traceback" not in result.output


def test_a_crawl_whose_cleaner_failed_on_a_page_exits_10(tmp_path, monkeypatch):
    """Pages the cleaner failed on are counted apart from the web's failures (a 404, no
    article): the command exits 10 for them, as ``scraper clean`` with many inputs."""
    from crawl.conftest import article, hub
    from crawl.server import Reply, Server

    from scraper.cli import crawl_cmd
    from scraper.crawl.runner import Crawler

    def crawl_due(config, store, *, names=(), force=False, emit=None, stop=None):  # type: ignore[no-untyped-def]
        crawler = Crawler(config, store, emit=emit, stop=stop, clean=crashing_clean)
        return crawler.crawl(list(names) or ["s"], force=force)

    monkeypatch.setattr(crawl_cmd, "crawl_due", crawl_due)
    server = Server()
    try:
        server.routes["/robots.txt"] = Reply(body="User-agent: *\nAllow: /\n")
        server.routes["/"] = Reply(body=hub(["/good", "/missing"]))
        server.routes["/good"] = Reply(body=article("Good page"))
        server.routes["/missing"] = Reply(status=404, body="gone")
        config_path = tmp_path / "config.yaml"
        config_path.write_text(
            f"crawl: {{state_dir: {tmp_path / 'state'}, output_dir: {tmp_path / 'out'},"
            " delay: 0, workers: 1}\n"
            f"sites:\n  s:\n    hosts: [127.0.0.1]\n    start: ['{server.url('/')}']\n",
            encoding="utf-8",
        )
        web_only = run("crawl", "-c", str(config_path), "--json")
        server.routes["/bad"] = Reply(body=article("Bad page", extra=MARK))
        server.routes["/"] = Reply(body=hub(["/good", "/missing", "/bad"]))
        crashed = run("crawl", "-c", str(config_path), "--json", "--force")
    finally:
        server.close()
    assert web_only.exit_code == 0, web_only.output  # a 404 is the web's failure
    assert crashed.exit_code == 10, crashed.output
    [summary] = json.loads(crashed.stdout)["runs"]
    assert summary["cleaning_failed"] == 1
    assert "cleaning failed: RecursionError" in crashed.stderr
