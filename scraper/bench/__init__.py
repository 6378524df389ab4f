"""Dev benchmarks: WCXB-dev and trafilatura's evaluation set, scraper beside trafilatura.

``wcxb`` and ``trafeval`` load each set and hold its metric; ``language`` names a page's
language; ``systems`` are the extractors compared; ``runner`` runs them interleaved in one
process; ``report`` writes the markdown report and the per-page CSV; ``structure`` is the
hook for figures about scraper's Document.
"""

from scraper.bench.language import PageLanguage, page_language
from scraper.bench.report import Verdict, markdown_tables, verdicts, write_csv, write_markdown
from scraper.bench.runner import Result, run
from scraper.bench.structure import structure_figures
from scraper.bench.systems import SYSTEMS, Output, System, run_scraper
from scraper.bench.trafeval import (
    ChunkCounts,
    ChunkScore,
    EvalCase,
    chunk_counts,
    load_eval_cases,
    score_eval_page,
    total,
)
from scraper.bench.wcxb import (
    Case,
    PageScore,
    Summary,
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
    "ChunkCounts",
    "ChunkScore",
    "EvalCase",
    "Output",
    "PageLanguage",
    "PageScore",
    "Result",
    "Summary",
    "System",
    "Verdict",
    "best_per_page",
    "chunk_counts",
    "load_cases",
    "load_eval_cases",
    "markdown_tables",
    "page_language",
    "run",
    "run_scraper",
    "score_eval_page",
    "score_page",
    "snippet_rate",
    "structure_figures",
    "summarise",
    "total",
    "verdicts",
    "word_prf",
    "write_csv",
    "write_markdown",
]
