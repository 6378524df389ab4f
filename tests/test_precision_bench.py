"""The over-long guard of ``scraper bench`` (``scraper.bench.overlong``)."""

from __future__ import annotations

from scraper.bench.overlong import over_long_lines
from scraper.bench.trafeval import ChunkCounts, ChunkScore
from scraper.bench.wcxb import PageScore


def _page(page_id: str, system: str, output: int, answer: int) -> PageScore:
    return PageScore(
        page_id, "article", system, 0.3, 0.9, 0.45, None, None, False, output, 0.0,
        None, None, None, "", kind="page" if system == "scraper" else None,
        reading="blocks" if system == "scraper" else None,
        output_words=output, answer_words=answer,
    )  # fmt: skip


def _chunks(page_id: str, system: str, fp: int) -> ChunkScore:
    counts = ChunkCounts(tp=3, fn=0, fp=fp, tn=3 - fp)
    kind = "article" if system == "scraper" else None
    return ChunkScore(page_id, "de", "declared", None, system, counts, 100, 0.0, "", kind=kind)


def test_an_output_over_three_times_the_answer_is_over_long() -> None:
    assert _page("1", "scraper", 301, 100).over_long
    assert not _page("1", "scraper", 300, 100).over_long
    assert not _page("1", "scraper", 50, 0).over_long  # no answer: no measure


def test_a_page_keeping_most_of_its_chrome_chunks_is_over_long() -> None:
    assert _chunks("a", "scraper", 2).over_long
    assert not _chunks("a", "scraper", 1).over_long


def test_the_report_counts_both_systems_and_lists_the_worst_pages() -> None:
    wcxb = {
        "scraper": [_page("0001", "scraper", 900, 100), _page("0002", "scraper", 90, 100)],
        "trafilatura": [
            _page("0001", "trafilatura", 500, 100),
            _page("0002", "trafilatura", 400, 100),
        ],
    }
    trafeval = {
        "scraper": [_chunks("a.html", "scraper", 3)],
        "trafilatura": [_chunks("a.html", "trafilatura", 0)],
    }
    text = "\n".join(over_long_lines(wcxb, trafeval))
    assert "| all | 2 | 1 (50.0%) | 2 (100.0%) |" in text
    assert "| 0001 | article | page | blocks | 900 | 100 | 9.0 | 5.0 |" in text
    assert "| 1 | 1 (100.0%) | 0 (0.0%) |" in text
    assert "| a.html | article | None | 100 | 1.00 | 0.00 |" in text
