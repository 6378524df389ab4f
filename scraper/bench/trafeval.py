"""trafilatura's evaluation set: pages, answers and chunk metric (``../shared/bench/README.md``).

Layout: ``evaldata.json`` maps each URL to ``{"file": NAME, "with": [...], "without": [...]}``
and ``html/NAME.gz`` holds the page as bytes (not all UTF-8: the systems decode them).

The metric is trafilatura's own, over all pages together: each ``with`` chunk found in the
output (whitespace collapsed to one space on both sides, then a plain substring test) is a
true positive, a missing one a false negative; each ``without`` chunk found is a false
positive, a missing one a true negative. Precision, recall, accuracy and F1 come from the
four counts summed over the pages (so a page with more chunks weighs more).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scraper.bench.language import PageLanguage, page_language
from scraper.bench.systems import Output

__all__ = [
    "NO_SPACE_LANGUAGES",
    "OVER_LONG_WITHOUT",
    "ChunkCounts",
    "ChunkScore",
    "EvalCase",
    "chunk_counts",
    "load_eval_cases",
    "normalise_space",
    "score_eval_page",
    "total",
]

# Scripts written without spaces between words: their pages are grouped in the report.
NO_SPACE_LANGUAGES = frozenset({"zh", "yue", "ja", "ko", "th", "lo", "km", "my"})
# The set has no answer text to measure an output's length against, only a page's
# boilerplate chunks: an output that keeps more than this share of them kept the page's
# chrome with its article, the over-long output of this set (issue 25).
OVER_LONG_WITHOUT = 0.5


@dataclass(frozen=True)
class EvalCase:
    """One page of the set and its chunks. ``id`` is the file name (``NAME``)."""

    id: str
    url: str
    html_path: Path
    with_: tuple[str, ...]
    without: tuple[str, ...]
    language: PageLanguage

    def page(self) -> bytes:
        """What the systems are given: the page's bytes, undecoded."""
        return gzip.decompress(self.html_path.read_bytes())


def load_eval_cases(
    folder: Path, *, limit: int | None = None, every: int = 1, ids: Sequence[str] = ()
) -> list[EvalCase]:
    """Pages of ``folder`` in ``evaldata.json`` order: every ``every``-th, the first ``limit``,
    or those whose file name is in ``ids``."""
    entries = list(json.loads((folder / "evaldata.json").read_text(encoding="utf-8")).items())
    wanted = set(ids)
    cases = []
    for url, entry in entries[::every]:
        name = entry["file"]
        if wanted and name not in wanted:
            continue
        path = folder / "html" / f"{name}.gz"
        cases.append(
            EvalCase(
                id=name,
                url=url,
                html_path=path,
                with_=tuple(entry.get("with") or ()),
                without=tuple(entry.get("without") or ()),
                language=page_language(gzip.decompress(path.read_bytes()), url),
            )
        )
        if limit is not None and len(cases) >= limit:
            break
    return cases


def normalise_space(text: str) -> str:
    """Every run of whitespace made one space, none at the ends."""
    return " ".join(text.split())


@dataclass(frozen=True)
class ChunkCounts:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def __add__(self, other: ChunkCounts) -> ChunkCounts:
        return ChunkCounts(
            self.tp + other.tp, self.fn + other.fn, self.fp + other.fp, self.tn + other.tn
        )

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def accuracy(self) -> float:
        n = self.tp + self.fn + self.fp + self.tn
        return (self.tp + self.tn) / n if n else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def chunk_counts(text: str, with_: Iterable[str], without: Iterable[str]) -> ChunkCounts:
    """The four counts of one page's output against its chunks."""
    out = normalise_space(text)
    found = [normalise_space(c) in out for c in with_]
    leaked = [normalise_space(c) in out for c in without]
    return ChunkCounts(
        tp=sum(found),
        fn=len(found) - sum(found),
        fp=sum(leaked),
        tn=len(leaked) - sum(leaked),
    )


@dataclass(frozen=True)
class ChunkScore:
    id: str
    language: str
    language_source: str
    language_detected: str | None
    system: str
    counts: ChunkCounts
    words: int
    seconds: float
    error: str
    structure: Mapping[str, float] = field(default_factory=dict)
    kind: str | None = None  # scraper's Document.kind (None for other systems)
    reading: str | None = None  # scraper's Document.reading (None for other systems)

    @property
    def without_kept(self) -> float:
        """The share of the page's ``without`` chunks found in the output."""
        chunks = self.counts.fp + self.counts.tn
        return self.counts.fp / chunks if chunks else 0.0

    @property
    def over_long(self) -> bool:
        """Whether the output keeps more than ``OVER_LONG_WITHOUT`` of the page's chrome chunks."""
        return self.without_kept > OVER_LONG_WITHOUT


def score_eval_page(
    case: EvalCase,
    system: str,
    out: Output,
    seconds: float,
    *,
    structure: Mapping[str, float] | None = None,
) -> ChunkScore:
    return ChunkScore(
        id=case.id,
        language=case.language.code,
        language_source=case.language.source,
        language_detected=case.language.detected,
        system=system,
        counts=chunk_counts(out.text, case.with_, case.without),
        words=len(out.text.split()),
        seconds=seconds,
        error=out.error,
        structure=dict(structure or {}),
        kind=getattr(out.document, "kind", None),
        reading=getattr(out.document, "reading", None),
    )


def total(scores: Iterable[ChunkScore]) -> ChunkCounts:
    """The counts summed over pages: what the set's precision, recall and F1 are made of."""
    result = ChunkCounts()
    for s in scores:
        result = result + s.counts
    return result
