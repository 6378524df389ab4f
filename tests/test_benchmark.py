"""Benchmark scoring, page languages, and ``scraper bench`` over both dev sets.

The CLI tests run on the gate pages copied under ``tests/gate`` (no ``../shared`` needed).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.bench import (
    ChunkCounts,
    PageScore,
    best_per_page,
    chunk_counts,
    load_eval_cases,
    page_language,
    word_prf,
)
from scraper.cli import main

GATE = Path(__file__).parent / "gate"
EVAL_GATE = GATE / "trafilatura-eval"


def _score(system: str, page: str, f1: float, leaks: bool, with_rate: float | None) -> PageScore:
    return PageScore(
        id=page,
        page_type="article",
        system=system,
        precision=f1,
        recall=f1,
        f1=f1,
        with_rate=with_rate,
        without_rate=float(leaks),
        leaks=leaks,
        words=10,
        seconds=0.01,
        title_ok=None,
        author_ok=None,
        date_ok=None,
        error="",
    )


# --- WCXB metric ------------------------------------------------------------------------


def test_word_prf_counts_repeated_words_once_each() -> None:
    p, r, f = word_prf("the cat the cat", "the cat sat")
    assert p == pytest.approx(2 / 4) and r == pytest.approx(2 / 3)
    assert f == pytest.approx(2 * p * r / (p + r))


def test_word_prf_of_two_empty_texts_is_perfect_and_of_one_is_zero() -> None:
    assert word_prf("", "") == (1.0, 1.0, 1.0)
    assert word_prf("words", "") == (0.0, 0.0, 0.0)


def test_best_per_page_takes_each_page_best_figure() -> None:
    ours = [_score("ours", "1", 0.9, True, 0.5), _score("ours", "2", 0.2, False, None)]
    theirs = [_score("theirs", "1", 0.6, False, 1.0), _score("theirs", "2", 0.8, True, None)]
    best = best_per_page({"ours": ours, "theirs": theirs})
    assert best.f1 == pytest.approx((0.9 + 0.8) / 2)
    assert best.with_rate == pytest.approx(1.0)  # page 2 has no snippets
    assert best.leak_share == 0.0  # on each page one system kept clear


def test_best_per_page_leaks_where_every_system_leaks() -> None:
    ours = [_score("ours", "1", 0.9, True, 0.5)]
    theirs = [_score("theirs", "1", 0.6, True, 0.5)]
    assert best_per_page({"ours": ours, "theirs": theirs}).leak_share == 1.0


# --- trafilatura-eval chunk metric ------------------------------------------------------


def test_chunks_match_with_whitespace_collapsed_on_both_sides() -> None:
    text = "Erster  Satz\nhier.\n\nZweiter Satz."
    counts = chunk_counts(text, ["Erster Satz hier.", "Zweiter\tSatz", "fehlt"], ["Impressum"])
    assert counts == ChunkCounts(tp=2, fn=1, fp=0, tn=1)


def test_chunks_are_a_plain_case_sensitive_substring_test() -> None:
    assert chunk_counts("Impressum und Kontakt", ["impressum"], ["Kontakt"]) == ChunkCounts(
        tp=0, fn=1, fp=1, tn=0
    )


def test_empty_output_misses_every_with_chunk_and_leaks_nothing() -> None:
    assert chunk_counts("", ["a b", "c"], ["d"]) == ChunkCounts(tp=0, fn=2, fp=0, tn=1)


def test_figures_come_from_counts_summed_over_pages_not_averaged() -> None:
    pooled = ChunkCounts(tp=1, fn=0, fp=0, tn=1) + ChunkCounts(tp=1, fn=3, fp=1, tn=0)
    assert pooled == ChunkCounts(tp=2, fn=3, fp=1, tn=1)
    assert pooled.precision == pytest.approx(2 / 3)
    assert pooled.recall == pytest.approx(2 / 5)
    assert pooled.accuracy == pytest.approx(3 / 7)
    assert pooled.f1 == pytest.approx(2 * (2 / 3) * (2 / 5) / (2 / 3 + 2 / 5))


def test_loader_gives_pages_as_bytes_with_their_chunks() -> None:
    cases = load_eval_cases(EVAL_GATE)
    assert len(cases) == 30
    first = cases[0]
    assert isinstance(first.page(), bytes) and first.with_ and first.without
    assert [c.id for c in load_eval_cases(EVAL_GATE, every=10)] == [c.id for c in cases[::10]]
    assert len(load_eval_cases(EVAL_GATE, limit=3)) == 3
    (only,) = load_eval_cases(EVAL_GATE, ids=["nhk.or.jp.k100.html"])
    assert only.language.code == "ja"


# --- page language ----------------------------------------------------------------------


def test_declared_language_keeps_the_primary_subtag() -> None:
    html = '<html lang="de-AT"><body><p>This text is English.</p></body></html>'
    lang = page_language(html.encode(), None)
    assert (lang.code, lang.source, lang.detected) == ("de", "declared", "en")


def test_content_language_meta_counts_as_declared() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Language" content="fr-FR"></head>'
        "<body><p>Bonjour</p></body></html>"
    )
    assert page_language(html, None).code == "fr"


def test_undeclared_chinese_page_is_detected() -> None:
    html = "<html><body><p>新华社北京2月19日电，今天上午，国务院召开常务会议。</p></body></html>"
    lang = page_language(html.encode("gb18030"), None)  # not UTF-8: decoded first
    assert (lang.code, lang.source) == ("zh", "detected")


def test_without_a_detector_the_domain_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "py3langid", None)  # import fails: not installed
    html = "<html><body><p>Ein Satz.</p></body></html>"
    assert page_language(html, "https://www.example.de/a").code == "de"
    assert page_language(html, "https://example.com/a").source == "unknown"


def test_structure_figures_count_kept_code_headings_and_items() -> None:
    from scraper import clean
    from scraper.bench.structure import structure_counts

    page = (
        "<html><body><article><h1>Title</h1>"
        + "<p>The council met on Tuesday and agreed the new budget for the town in full.</p>" * 4
        + "<h2>What comes next for the town</h2><ul><li>First the roads get mended.</li>"
        "<li>Then the bridges get painted next spring.</li></ul>"
        "<pre>make all\n  make install</pre></article></body></html>"
    )
    counts = structure_counts(page, clean(page, "https://example.com/a"))
    assert counts.headings_kept == counts.headings_same == 1
    assert counts.items_kept == counts.items_same == 2
    assert counts.code_kept == counts.code_same == 1
    assert counts.words == counts.words_found > 20


def _bench(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        [
            "bench",
            "--wcxb-dir",
            str(GATE),
            "--trafeval-dir",
            str(EVAL_GATE),
            "--memory-pages",
            "0",
            "-q",
            *args,
        ],
    )
    return result.exit_code, result.output


def test_bench_runs_both_sets_in_one_report_and_csv(tmp_path: Path) -> None:
    report, table = tmp_path / "report.md", tmp_path / "pages.csv"
    # (the templates set is not in tests/: a fresh clone has no ../shared beside it)
    code, output = _bench(
        "--bench", "wcxb,trafeval", "--limit", "2", "--out", str(report), "--csv", str(table)
    )
    assert code == 0, output
    text = report.read_text(encoding="utf-8")
    for heading in ("### Verdict", "### WCXB-dev", "### trafilatura-eval", "#### By language"):
        assert heading in text
    assert "- WCXB-dev: scraper F1" in text and "- trafilatura-eval: scraper F1" in text
    assert "vs trafilatura (" in text and "vs no comments (" in text
    assert "Bars of issue 15, in this run:" in text
    with table.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["benchmark"], r["system"]) for r in rows} == {
        (b, s) for b in ("wcxb", "trafeval") for s in ("scraper", "trafilatura", "trafilatura-nc")
    }
    assert len(rows) == 2 * 2 * 3
    assert all(r["tp"] for r in rows if r["benchmark"] == "trafeval")


def test_bench_chooses_one_set_and_picks_pages_by_id() -> None:
    code, output = _bench(
        "--bench", "trafeval", "--systems", "scraper", "--ids", "nhk.or.jp.k100.html"
    )
    assert code == 0, output
    assert "### WCXB-dev" not in output
    assert "| ja | 1 |" in output


def test_bench_ids_may_name_pages_of_both_sets() -> None:
    code, output = _bench(
        "--bench", "wcxb,trafeval", "--systems", "scraper", "--ids", "0001,nhk.or.jp.k100.html"
    )
    assert code == 0, output
    assert "### WCXB-dev" in output and "### trafilatura-eval" in output


def test_bench_names_an_unknown_id_in_one_line() -> None:
    code, output = _bench("--systems", "scraper", "--ids", "0001,nope")
    assert code == 4
    assert output.strip().splitlines() == ["error: no page with id nope in the chosen benchmarks"]


def test_bench_rejects_an_unknown_benchmark_as_usage_error() -> None:
    code, output = _bench("--bench", "wcxb,other")
    assert code == 2 and "unknown benchmark other" in output


def test_bench_names_a_folder_that_is_not_a_benchmark(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["bench", "--bench", "trafeval", "--trafeval-dir", str(tmp_path), "-q"]
    )
    assert result.exit_code == 4
    assert "not a trafilatura-eval folder" in result.output


# --- site templates on today's pages -----------------------------------------------------


def test_siblings_shuffle_the_story_element_alone_the_same_way_each_time() -> None:
    from scraper.bench.templates_today import siblings

    story = "".join(f"<p>word{i} one two three four five</p>" for i in range(4))
    page = (
        "<html><body><div id='nav'><a href='/'>Home page</a></div>"
        f"<div id='story'><h2>A heading here</h2>{story}</div>"
        "<div id='foot'><p>Copyright line</p></div></body></html>"
    )
    made = siblings(page, "7")
    assert made is not None and siblings(page, "7") == made
    written, others = made
    assert "word0 one two" in written and "A heading here" in written
    assert len(others) == 3 and len(set(others)) == 3
    for other in others:
        assert ">Home page<" in other and ">Copyright line<" in other  # the frame as it was
        assert "A heading here" not in other and "word0 one two" not in other
    assert siblings("<html><body><div>no paragraph</div></body></html>", "7") is None


def test_templates_today_scores_and_times_article_pages() -> None:
    from scraper.bench.templates_today import run_templates_today, templates_today_markdown

    result = run_templates_today(GATE, every=4, limit=3)
    assert result.pages == 3 and len(result.sizes) == 3
    assert result.fitted == 3  # a page fits the template of its own frame
    for name in ("scraper+template", "scraper", "trafilatura-nc"):
        assert len(result.seconds[name]) == len(result.f1[name]) == 3
    assert all(0.0 <= f <= 1.0 for f in result.f1["scraper+template"])
    report = templates_today_markdown(result)
    assert "| scraper+template |" in report and "× trafilatura" in report


def test_templates_sites_learns_leave_one_out_on_sites_with_several_pages(tmp_path) -> None:
    import gzip
    import json
    import random

    from scraper.bench.templates_sites import run_templates_sites, templates_sites_markdown

    (tmp_path / "html").mkdir()
    (tmp_path / "ground-truth").mkdir()
    words = ["harbour", "council", "budget", "river", "bridge", "school", "winter", "market"]
    menu = "".join(f"<li><a href='/{s}'>{s.title()}</a></li>" for s in ("world", "sport", "arts"))
    for n in range(4):
        rnd = random.Random(n)
        story = [" ".join(rnd.choice(words) for _ in range(30)) + "." for _ in range(5)]
        page = (
            f"<html><head><title>Story {n}</title></head><body><div id='top'><ul>{menu}</ul>"
            "<p>Subscribe to our morning briefing for the stories that matter most today.</p>"
            "</div><div id='main'><article class='story'>"
            + "".join(f"<p>{p}</p>" for p in story)
            + "</article></div><div id='foot'><p>Copyright 2026 The Daily Example.</p></div>"
            "</body></html>"
        )
        (tmp_path / "html" / f"000{n}.html.gz").write_bytes(gzip.compress(page.encode()))
        truth = {
            "url": f"https://www.daily.example/a/{n}",
            "_internal": {"page_type": {"primary": "article"}},
            "ground_truth": {"main_content": "\n\n".join(story)},
        }
        (tmp_path / "ground-truth" / f"000{n}.json").write_text(json.dumps(truth))
    # a site of one page is left out
    (tmp_path / "html" / "0009.html.gz").write_bytes(gzip.compress(b"<p>alone</p>"))
    lone = {"url": "https://other.example/", "ground_truth": {"main_content": "alone"}}
    (tmp_path / "ground-truth" / "0009.json").write_text(json.dumps(lone))
    result = run_templates_sites(tmp_path)
    assert result.sites == 1 and result.kinds == ["article"] * 4
    assert result.fitted == 4
    # the template drops the briefing the generic cleaner may keep: never below it here
    ours, generic = result.f1["scraper+template"], result.f1["scraper"]
    assert all(f > 0.95 for f in ours) and sum(ours) >= sum(generic)
    report = templates_sites_markdown(result)
    assert "| all | 4 |" in report and "| article | 4 |" in report
