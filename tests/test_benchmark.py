"""Benchmark scoring: the WCXB word metric and the best-per-page ceiling."""

from __future__ import annotations

import pytest

from scraper.benchmark import PageScore, best_per_page, word_prf


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


def test_word_prf_counts_repeated_words_once_each() -> None:
    p, r, f = word_prf("the cat the cat", "the cat sat")
    assert (p, r) == (pytest.approx(2 / 4), pytest.approx(2 / 3))
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
