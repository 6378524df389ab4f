"""WCXB-dev: pages, answers and metric (``../shared/bench/README.md``).

Layout: ``html/NNNN.html.gz`` (gzipped UTF-8) and ``ground-truth/NNNN.json``. The metric,
per page then averaged over pages: tokens are ``re.findall(r"\\w+", text.lower())``;
precision and recall over token multisets; F1 = 2PR/(P+R). Snippet rates are the share of
``with`` / ``without`` snippets found case-insensitively in the output; a page leaks when
its output holds at least one ``without`` snippet.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scraper.bench.systems import Output
from scraper.measures import word_count

__all__ = [
    "OVER_LONG",
    "Case",
    "PageScore",
    "Summary",
    "best_per_page",
    "load_cases",
    "score_page",
    "snippet_rate",
    "summarise",
    "word_prf",
]

_WORD = re.compile(r"\w+")
# An output more than this many times the answer's words is over-long: the page, not its
# article (issue 25). Words as ``scraper.measures`` counts them, in every script.
OVER_LONG = 3.0


@dataclass(frozen=True)
class Case:
    """One WCXB page and its answers."""

    id: str
    url: str | None
    page_type: str
    html_path: Path
    reference: str
    with_: tuple[str, ...]
    without: tuple[str, ...]
    title: str | None
    author: str | None
    date: str | None

    def html(self) -> str:
        return gzip.decompress(self.html_path.read_bytes()).decode("utf-8", "replace")

    def page(self) -> str:
        """What the systems are given: the decoded page (WCXB pages are UTF-8)."""
        return self.html()


def load_cases(
    folder: Path, *, limit: int | None = None, every: int = 1, ids: Sequence[str] = ()
) -> list[Case]:
    """The pages of ``folder`` in id order: every ``every``-th, the first ``limit``, or ``ids``."""
    truth = sorted((folder / "ground-truth").glob("*.json"))[::every]
    wanted = set(ids)
    cases = []
    for path in truth:
        if wanted and path.stem not in wanted:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        gt = data["ground_truth"]
        cases.append(
            Case(
                id=path.stem,
                url=data.get("url"),
                page_type=data.get("_internal", {}).get("page_type", {}).get("primary", "unknown"),
                html_path=folder / "html" / f"{path.stem}.html.gz",
                reference=gt.get("main_content") or "",
                with_=tuple(gt.get("with") or ()),
                without=tuple(gt.get("without") or ()),
                title=gt.get("title") or None,
                author=gt.get("author") or None,
                date=gt.get("publish_date") or None,
            )
        )
        if limit is not None and len(cases) >= limit:
            break
    return cases


def word_prf(predicted: str, reference: str) -> tuple[float, float, float]:
    """WCXB word precision, recall and F1 over token multisets."""
    pred = Counter(_WORD.findall(predicted.lower()))
    ref = Counter(_WORD.findall(reference.lower()))
    if not pred or not ref:
        return (1.0, 1.0, 1.0) if not pred and not ref else (0.0, 0.0, 0.0)
    common = sum((pred & ref).values())
    p = common / sum(pred.values())
    r = common / sum(ref.values())
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def snippet_rate(text: str, snippets: Sequence[str]) -> float | None:
    """Share of ``snippets`` found case-insensitively in ``text`` (None when there are none)."""
    if not snippets:
        return None
    low = text.lower()
    return sum(s.lower() in low for s in snippets) / len(snippets)


def _norm(value: str | None) -> str:
    """Metadata normal form: NFKC, casefolded, words only, single-spaced."""
    if not value:
        return ""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", value).casefold()))


def _author_match(pred: str | None, truth: str) -> bool:
    """Same words, ignoring order and a leading "by" (several authors may be joined by ;)."""
    p, t = set(_norm(pred).split()) - {"by"}, set(_norm(truth).split()) - {"by"}
    return bool(p) and p == t


def _date_match(pred: str | None, truth: str) -> bool:
    """Same calendar day (the first ten characters of an ISO date)."""
    return bool(pred) and (pred or "").strip()[:10] == truth.strip()[:10]


@dataclass(frozen=True)
class PageScore:
    id: str
    page_type: str
    system: str
    precision: float
    recall: float
    f1: float
    with_rate: float | None
    without_rate: float | None
    leaks: bool
    words: int
    seconds: float
    title_ok: bool | None
    author_ok: bool | None
    date_ok: bool | None
    error: str
    structure: Mapping[str, float] = field(default_factory=dict)
    kind: str | None = None  # scraper's Document.kind (None for other systems)
    reading: str | None = None  # scraper's Document.reading (None for other systems)
    output_words: int = 0  # ``scraper.measures.word_count`` of the output
    answer_words: int = 0  # and of the answer (``main_content``)

    @property
    def length_ratio(self) -> float:
        """The output's words over the answer's (0 when the answer is empty)."""
        return self.output_words / self.answer_words if self.answer_words else 0.0

    @property
    def over_long(self) -> bool:
        """Whether the output is more than ``OVER_LONG`` times the answer (never on a page
        whose answer is empty: any output would be, whatever it holds)."""
        return self.length_ratio > OVER_LONG


def score_page(
    case: Case,
    system: str,
    out: Output,
    seconds: float,
    *,
    structure: Mapping[str, float] | None = None,
) -> PageScore:
    p, r, f = word_prf(out.text, case.reference)
    without = snippet_rate(out.text, case.without)
    return PageScore(
        id=case.id,
        page_type=case.page_type,
        system=system,
        precision=p,
        recall=r,
        f1=f,
        with_rate=snippet_rate(out.text, case.with_),
        without_rate=without,
        leaks=bool(without),
        words=len(_WORD.findall(out.text)),
        seconds=seconds,
        title_ok=_norm(out.title) == _norm(case.title) if case.title else None,
        author_ok=_author_match(out.author, case.author) if case.author else None,
        date_ok=_date_match(out.date, case.date) if case.date else None,
        error=out.error,
        structure=dict(structure or {}),
        kind=getattr(out.document, "kind", None),
        reading=getattr(out.document, "reading", None),
        output_words=word_count(out.text),
        answer_words=word_count(case.reference),
    )


@dataclass(frozen=True)
class Summary:
    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    with_rate: float = 0.0
    without_rate: float = 0.0
    leak_share: float = 0.0
    empty: int = 0
    extras: Mapping[str, float] = field(default_factory=dict)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def summarise(scores: Sequence[PageScore]) -> Summary:
    def share(flags: list[bool | None]) -> float:
        return _mean([float(f) for f in flags if f is not None])

    return Summary(
        pages=len(scores),
        precision=_mean([s.precision for s in scores]),
        recall=_mean([s.recall for s in scores]),
        f1=_mean([s.f1 for s in scores]),
        with_rate=_mean([s.with_rate for s in scores if s.with_rate is not None]),
        without_rate=_mean([s.without_rate for s in scores if s.without_rate is not None]),
        leak_share=_mean([float(s.leaks) for s in scores]),
        empty=sum(s.words == 0 for s in scores),
        extras={
            "title": share([s.title_ok for s in scores]),
            "author": share([s.author_ok for s in scores]),
            "date": share([s.date_ok for s in scores]),
        },
    )


def best_per_page(scores: Mapping[str, Sequence[PageScore]]) -> Summary:
    """Per page, the best any system reached: the highest F1 and `with` rate, and a leak
    only if every system leaked. What picking one system per page, knowing the answer,
    would score: a ceiling for any choice among them."""
    pages = list(zip(*scores.values(), strict=True))
    withs = [[s.with_rate for s in page if s.with_rate is not None] for page in pages]
    return Summary(
        pages=len(pages),
        f1=_mean([max(s.f1 for s in page) for page in pages]),
        with_rate=_mean([max(w) for w in withs if w]),
        leak_share=_mean([float(all(s.leaks for s in page)) for page in pages]),
    )
