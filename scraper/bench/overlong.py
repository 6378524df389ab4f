"""The guard of issue 25: outputs far longer than the article, counted beside trafilatura's.

WCXB-dev: an output is over-long when it has more than ``wcxb.OVER_LONG`` times the words
of the answer (``main_content``), words counted in every script (``scraper.measures``).
trafilatura-eval has no answer text, only chunks: an output is over-long there when it
keeps more than ``trafeval.OVER_LONG_WITHOUT`` of the page's ``without`` chunks, the
page's chrome. The worst pages are listed with what scraper took them for
(``Document.kind``) and which reading won (``Document.reading``), so that a class of
failure shows, not one page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

from scraper.bench.trafeval import OVER_LONG_WITHOUT, ChunkScore
from scraper.bench.wcxb import OVER_LONG, PageScore

__all__ = ["WORST", "over_long_lines"]

WORST = 20
_BASE = "trafilatura"


def _count(scores: Sequence[PageScore] | Sequence[ChunkScore]) -> str:
    over = sum(s.over_long for s in scores)
    return f"{over} ({over / len(scores):.1%})" if scores else "–"


def _wcxb_lines(runs: Mapping[str, Sequence[PageScore]]) -> Iterator[str]:
    names = list(runs)
    yield (
        f"WCXB-dev: pages whose output has more than {OVER_LONG:g}× the words of the answer, "
        "by page type (a page whose answer is empty counts as none: "
        f"{sum(not s.answer_words for s in runs[names[0]])} pages)."
    )
    yield ""
    yield "| page type | pages | " + " | ".join(names) + " |"
    yield "|---|---|" + "---|" * len(names)
    first = runs[names[0]]
    yield f"| all | {len(first)} | " + " | ".join(_count(runs[n]) for n in names) + " |"
    for page_type, count in Counter(s.page_type for s in first).most_common():
        cells = [_count([s for s in runs[n] if s.page_type == page_type]) for n in names]
        yield f"| {page_type} | {count} | " + " | ".join(cells) + " |"
    ours = runs.get("scraper")
    if not ours:
        return
    base = {s.id: s for s in runs.get(_BASE, ())}
    worst = sorted((s for s in ours if s.over_long), key=lambda s: -s.length_ratio)[:WORST]
    if not worst:
        return
    yield ""
    yield f"The {len(worst)} most over-long of scraper's WCXB-dev outputs:"
    yield ""
    yield "| page | page type | kind | reading | words | answer | × answer | × trafilatura's |"
    yield "|---|---|---|---|---|---|---|---|"
    for s in worst:
        theirs = base.get(s.id)
        other = f"{theirs.length_ratio:.1f}" if theirs is not None else "–"
        yield (
            f"| {s.id} | {s.page_type} | {s.kind} | {s.reading} | {s.output_words} "
            f"| {s.answer_words} | {s.length_ratio:.1f} | {other} |"
        )


def _eval_lines(runs: Mapping[str, Sequence[ChunkScore]]) -> Iterator[str]:
    names = list(runs)
    yield (
        f"trafilatura-eval: pages whose output keeps more than {OVER_LONG_WITHOUT:.0%} of their "
        "`without` chunks (the set has no answer text to measure a length against)."
    )
    yield ""
    yield "| pages | " + " | ".join(names) + " |"
    yield "|---|" + "---|" * len(names)
    yield f"| {len(runs[names[0]])} | " + " | ".join(_count(runs[n]) for n in names) + " |"
    ours = runs.get("scraper")
    if not ours:
        return
    kinds = Counter(s.kind for s in ours if s.over_long)
    readings = Counter(s.reading for s in ours if s.over_long)
    if kinds:
        yield ""
        yield (
            "scraper's over-long pages by kind: "
            + ", ".join(f"{k} {n}" for k, n in kinds.most_common())
            + "; by reading: "
            + ", ".join(f"{k} {n}" for k, n in readings.most_common())
            + "."
        )
    base = {s.id: s for s in runs.get(_BASE, ())}
    worst = sorted((s for s in ours if s.over_long), key=lambda s: (-s.without_kept, -s.words))[
        :WORST
    ]
    if not worst:
        return
    yield ""
    yield f"The {len(worst)} most over-long of scraper's trafilatura-eval outputs:"
    yield ""
    yield "| page | kind | reading | words | `without` kept | trafilatura's |"
    yield "|---|---|---|---|---|---|"
    for s in worst:
        theirs = base.get(s.id)
        other = f"{theirs.without_kept:.2f}" if theirs is not None else "–"
        yield f"| {s.id} | {s.kind} | {s.reading} | {s.words} | {s.without_kept:.2f} | {other} |"


def over_long_lines(
    wcxb: Mapping[str, Sequence[PageScore]], trafeval: Mapping[str, Sequence[ChunkScore]]
) -> Iterator[str]:
    """The over-long counts of each set run, and scraper's worst pages, as markdown lines."""
    if wcxb:
        yield from _wcxb_lines(wcxb)
    if trafeval:
        if wcxb:
            yield ""
        yield from _eval_lines(trafeval)
