"""Kept for existing imports: the benchmark now lives in the ``scraper.bench`` package."""

from scraper.bench.systems import SYSTEMS, Output, run_scraper
from scraper.bench.wcxb import (
    Case,
    PageScore,
    best_per_page,
    load_cases,
    score_page,
    snippet_rate,
    summarise,
    word_prf,
)

__all__ = [
    "SYSTEMS",
    "Case",
    "Output",
    "PageScore",
    "best_per_page",
    "load_cases",
    "run_scraper",
    "score_page",
    "snippet_rate",
    "summarise",
    "word_prf",
]
