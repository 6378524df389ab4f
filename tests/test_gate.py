"""Regression gate: the generic cleaner on 41 real WCXB pages (tests/gate/README.md).

The floor and ceiling are pinned a little below/above what the cleaner measures, so a
change that makes extraction worse fails here. Raise them when the cleaner improves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.benchmark import load_cases, run_scraper, score_page, summarise

GATE = Path(__file__).parent / "gate"

F1_FLOOR = 0.86  # measured 0.877
LEAK_CEILING = 0.1  # measured 9.8% (4 of 41 pages), the most it allows


@pytest.fixture(scope="module")
def summary():
    cases = load_cases(GATE)
    assert len(cases) == 41
    scores = [score_page(c, "scraper", run_scraper(c.html(), c.url), 0.0) for c in cases]
    return summarise(scores)


def test_mean_f1_stays_above_floor(summary) -> None:
    assert summary.f1 >= F1_FLOOR, f"mean F1 {summary.f1:.3f} < floor {F1_FLOOR}"


def test_leak_share_stays_below_ceiling(summary) -> None:
    assert summary.leak_share <= LEAK_CEILING, (
        f"{summary.leak_share:.1%} of pages leak chrome > ceiling {LEAK_CEILING:.0%}"
    )


def test_every_gate_page_yields_text(summary) -> None:
    assert summary.empty <= 2, f"{summary.empty} gate pages gave no text"


def test_metric_is_wcxb_word_f1() -> None:
    from scraper.benchmark import snippet_rate, word_prf

    p, r, f = word_prf("the cat sat", "The cat sat on the mat")
    assert (round(p, 3), round(r, 3), round(f, 3)) == (1.0, 0.5, 0.667)
    assert word_prf("", "") == (1.0, 1.0, 1.0)
    assert snippet_rate("Hello World", ["hello world", "bye"]) == 0.5
    assert snippet_rate("x", []) is None
