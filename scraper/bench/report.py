"""The benchmark report: one markdown document and one CSV for a run over both sets."""

from __future__ import annotations

import csv
import math
import os
import platform
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from scraper.bench.overlong import over_long_lines
from scraper.bench.runner import Result
from scraper.bench.structure import structure_shares
from scraper.bench.trafeval import NO_SPACE_LANGUAGES, ChunkCounts, ChunkScore, total
from scraper.bench.wcxb import PageScore, best_per_page, summarise
from scraper.cleaner.pagekind import KINDS

__all__ = ["Verdict", "markdown_tables", "verdicts", "write_csv", "write_markdown"]

# What issue 15 asks of a run (reported beside the figures, not enforced).
_TRAFEVAL_MARGIN = 0.01
_WCXB_F1_BAR = 0.87
_WCXB_LEAK_BAR = 0.10
_SPEED_BAR = 1.3


@dataclass(frozen=True)
class Verdict:
    """scraper's F1 minus each trafilatura's on one benchmark."""

    benchmark: str
    scraper: float
    trafilatura: float | None
    trafilatura_nc: float | None

    def line(self) -> str:
        parts = [f"{self.benchmark}: scraper F1 {self.scraper:.3f}"]
        bases = (("trafilatura", self.trafilatura), ("no comments", self.trafilatura_nc))
        for label, base in bases:
            if base is not None:
                parts.append(f"{self.scraper - base:+.3f} vs {label} ({base:.3f})")
        return ", ".join(parts)


def _f1s(result: Result) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    if result.wcxb:
        out["WCXB-dev"] = {n: summarise(s).f1 for n, s in result.wcxb.items()}
    if result.trafeval:
        out["trafilatura-eval"] = {n: total(s).f1 for n, s in result.trafeval.items()}
    return out


def verdicts(result: Result) -> list[Verdict]:
    """For each benchmark run with scraper: its F1 minus trafilatura's (defaults, no comments)."""
    return [
        Verdict(bench, f1["scraper"], f1.get("trafilatura"), f1.get("trafilatura-nc"))
        for bench, f1 in _f1s(result).items()
        if "scraper" in f1
    ]


def _rate(seconds: Sequence[float]) -> float:
    return len(seconds) / sum(seconds) if sum(seconds) else float("nan")


def _bar_lines(result: Result) -> Iterator[str]:
    """Issue 15's bars, each with this run's figure and whether it is met."""

    def met(ok: bool) -> str:
        return "**met**" if ok else "not met"

    if "scraper" not in result.wcxb and "scraper" not in result.trafeval:
        return
    yield "- Bars of issue 15, in this run:"
    if "scraper" in result.trafeval and "trafilatura" in result.trafeval:
        gain = total(result.trafeval["scraper"]).f1 - total(result.trafeval["trafilatura"]).f1
        yield (
            f"  - trafilatura-eval F1 ≥ trafilatura's + {_TRAFEVAL_MARGIN}: {gain:+.3f}, "
            f"{met(gain >= _TRAFEVAL_MARGIN)}"
        )
    if "scraper" in result.wcxb:
        m = summarise(result.wcxb["scraper"])
        yield f"  - WCXB-dev F1 ≥ {_WCXB_F1_BAR}: {m.f1:.4f}, {met(m.f1 >= _WCXB_F1_BAR)}"
        yield (
            f"  - WCXB-dev pages leaking ≤ {_WCXB_LEAK_BAR:.0%}: {m.leak_share:.1%}, "
            f"{met(m.leak_share <= _WCXB_LEAK_BAR)}"
        )
    ours = [s.seconds for v in (result.wcxb, result.trafeval) for s in v.get("scraper", [])]
    theirs = [s.seconds for v in (result.wcxb, result.trafeval) for s in v.get("trafilatura", [])]
    if ours and theirs:
        ratio = _rate(ours) / _rate(theirs)
        yield (
            f"  - speed ≥ {_SPEED_BAR}× trafilatura's pages/s (all pages run): {ratio:.2f}×, "
            f"{met(ratio >= _SPEED_BAR)}"
        )


def _labels(result: Result) -> dict[str, str]:
    return {s.name: s.label for s in result.systems}


def _wcxb_tables(result: Result) -> Iterator[str]:
    names, labels = list(result.wcxb), _labels(result)
    summaries = {n: summarise(result.wcxb[n]) for n in names}
    yield (
        "| system | pages | precision | recall | F1 | `with` rate | `without` rate "
        "| pages leaking | empty | errors |"
    )
    yield "|---|---|---|---|---|---|---|---|---|---|"
    for n in names:
        m = summaries[n]
        errors = sum(bool(s.error) for s in result.wcxb[n])
        yield (
            f"| {labels[n]} | {m.pages} | {m.precision:.3f} | {m.recall:.3f} | **{m.f1:.3f}** | "
            f"{m.with_rate:.3f} | {m.without_rate:.3f} | {m.leak_share:.1%} | {m.empty} "
            f"| {errors} |"
        )
    if len(names) > 1:
        best = best_per_page(result.wcxb)
        yield ""
        yield (
            f"Best of these systems per page, picked knowing the answer (a ceiling for any "
            f"choice among them): F1 {best.f1:.3f}, `with` rate {best.with_rate:.3f}, "
            f"pages leaking {best.leak_share:.1%}."
        )
    yield ""
    yield "#### By page type (F1 / `with` rate / pages leaking)"
    yield ""
    yield "| page type | pages | " + " | ".join(names) + " |"
    yield "|---|---|" + "---|" * len(names)
    first = result.wcxb[names[0]]
    for page_type, count in Counter(s.page_type for s in first).most_common():
        cells = []
        for n in names:
            m = summarise([s for s in result.wcxb[n] if s.page_type == page_type])
            cells.append(f"{m.f1:.3f} / {m.with_rate:.3f} / {m.leak_share:.1%}")
        yield f"| {page_type} | {count} | " + " | ".join(cells) + " |"
    yield ""
    yield "#### Metadata accuracy (share of pages whose ground truth has the field)"
    yield ""
    yield "| system | title | author | date |"
    yield "|---|---|---|---|"
    for n in names:
        e = summaries[n].extras
        yield f"| {labels[n]} | {e['title']:.3f} | {e['author']:.3f} | {e['date']:.3f} |"


def _counts_row(label: str, pages: int, c: ChunkCounts, errors: int | None = None) -> str:
    tail = f" | {errors} |" if errors is not None else " |"
    return (
        f"| {label} | {pages} | {c.precision:.3f} | {c.recall:.3f} | {c.accuracy:.3f} "
        f"| **{c.f1:.3f}** | {c.tp} / {c.fn} / {c.fp} / {c.tn}{tail}"
    )


def _trafeval_tables(result: Result) -> Iterator[str]:
    names, labels = list(result.trafeval), _labels(result)
    yield "| system | pages | precision | recall | accuracy | F1 | TP / FN / FP / TN | errors |"
    yield "|---|---|---|---|---|---|---|---|"
    for n in names:
        scores = result.trafeval[n]
        errors = sum(bool(s.error) for s in scores)
        yield _counts_row(labels[n], len(scores), total(scores), errors)
    first = result.trafeval[names[0]]
    languages = Counter(s.language for s in first)
    sources = Counter(s.language_source for s in first)
    yield ""
    yield "#### By language (chunk F1; `with` chunks found / all `with` chunks)"
    yield ""
    yield (
        "Language: "
        + ", ".join(
            f"{sources[k]} pages {k}"
            for k in ("declared", "detected", "domain", "unknown")
            if sources[k]
        )
        + " (declared: `<html lang>` or a Content-Language meta; detected: py3langid on the "
        "page's visible text; domain: the URL's country-code TLD, when py3langid is missing)."
        + _disagreements(first)
    )
    yield ""
    yield "| language | pages | " + " | ".join(names) + " |"
    yield "|---|---|" + "---|" * len(names)
    groups: list[tuple[str, set[str]]] = [(code, {code}) for code, _ in languages.most_common()]
    no_space = {c for c in languages if c in NO_SPACE_LANGUAGES}
    if no_space:
        groups.append((f"scripts without spaces ({', '.join(sorted(no_space))})", no_space))
    for label, codes in groups:
        cells = []
        for n in names:
            c = total(s for s in result.trafeval[n] if s.language in codes)
            cells.append(f"{c.f1:.3f} ({c.tp}/{c.tp + c.fn})")
        count = sum(languages[c] for c in codes)
        yield f"| {label} | {count} | " + " | ".join(cells) + " |"


def _disagreements(scores: Sequence[ChunkScore]) -> str:
    differ = sum(
        s.language_source == "declared"
        and s.language_detected is not None
        and s.language_detected != s.language
        for s in scores
    )
    if not differ:
        return ""
    return (
        f" On {differ} pages py3langid disagrees with the declared language (the table "
        "keeps the declared one; the CSV has both)."
    )


def _speed_table(result: Result) -> Iterator[str]:
    labels = _labels(result)
    sets: list[tuple[str, dict[str, list[float]]]] = []
    if result.wcxb:
        sets.append(("WCXB-dev", {n: [s.seconds for s in v] for n, v in result.wcxb.items()}))
    if result.trafeval:
        sets.append(
            ("trafilatura-eval", {n: [s.seconds for s in v] for n, v in result.trafeval.items()})
        )
    if len(sets) > 1:
        both: dict[str, list[float]] = defaultdict(list)
        for _, secs in sets:
            for n, v in secs.items():
                both[n].extend(v)
        sets.append(("both", dict(both)))
    yield (
        "| set | system | pages | pages/s | × trafilatura | median ms/page | "
        "× trafilatura (medians) | p95 ms/page |"
    )
    yield "|---|---|---|---|---|---|---|---|"
    for bench, secs in sets:
        base = secs.get("trafilatura")
        base_rate = _rate(base) if base else None
        base_median = statistics.median(base) if base else None
        for n, values in secs.items():
            ordered = sorted(values)
            rate = _rate(values)
            median = statistics.median(ordered)
            p95 = ordered[int(0.95 * (len(ordered) - 1))]
            ratio = f"{rate / base_rate:.2f}" if base_rate else "–"
            ratio_med = f"{base_median / median:.2f}" if base_median and median else "–"
            yield (
                f"| {bench} | {labels[n]} | {len(values)} | {rate:.1f} | {ratio} | "
                f"{median * 1e3:.1f} | {ratio_med} | {p95 * 1e3:.1f} |"
            )


def _structure_lines(result: Result) -> Iterator[str]:
    sets: list[tuple[str, list[dict[str, float]]]] = []
    if "scraper" in result.wcxb:
        sets.append(("WCXB-dev", [dict(s.structure) for s in result.wcxb["scraper"]]))
    if "scraper" in result.trafeval:
        sets.append(("trafilatura-eval", [dict(s.structure) for s in result.trafeval["scraper"]]))
    yield (
        "Of the source's `pre`, `h2`–`h4` and `li` whose text scraper kept as whole "
        "paragraphs, the share rendered as a code block with the same lines, as a heading, "
        "as a list item; and the share of the text's words found in the markdown read back "
        "by markdown-it-py (pooled over pages)."
    )
    yield ""
    names = ["code blocks", "headings", "list items", "words in the markdown"]
    yield "| set | " + " | ".join(names) + " |"
    yield "|---|" + "---|" * len(names)
    for bench, figures in sets:
        shares = structure_shares(figures)
        cells = [f"{shares[n]:.3f}" if shares[n] is not None else "–" for n in names]
        yield f"| {bench} | " + " | ".join(cells) + " |"


def _kind_lines(result: Result) -> Iterator[str]:
    """scraper's page kinds (``Document.kind``) against WCXB-dev's page types."""
    scores = result.wcxb.get("scraper", [])
    if scores:
        kinds = list(KINDS)
        yield (
            "What scraper took each WCXB-dev page for (`Document.kind`: declared by the page, "
            "else recognised from its shape), by the benchmark's page type. An article's "
            "teasers are cut only on pages taken for articles."
        )
        yield ""
        yield "| WCXB page type | pages | " + " | ".join(kinds) + " |"
        yield "|---|---|" + "---|" * len(kinds)
        types = sorted({s.page_type for s in scores})
        for page_type in types:
            found = Counter(s.kind for s in scores if s.page_type == page_type)
            total = sum(found.values())
            yield f"| {page_type} | {total} | " + " | ".join(str(found[k]) for k in kinds) + " |"
        taken = [s for s in scores if s.kind == "article"]
        articles = [s for s in scores if s.page_type == "article"]
        if taken and articles:
            hits = sum(s.page_type == "article" for s in taken)
            yield ""
            yield (
                f"Taken for articles: {len(taken)} pages, of which {hits} are WCXB articles "
                f"(precision {hits / len(taken):.3f}); {hits} of the {len(articles)} WCXB "
                f"articles are taken for articles (recall {hits / len(articles):.3f})."
            )
    eval_scores = result.trafeval.get("scraper", [])
    if eval_scores:
        found = Counter(s.kind for s in eval_scores)
        yield ""
        yield (
            f"trafilatura-eval ({len(eval_scores)} news and blog pages): "
            + ", ".join(f"{k} {found[k]}" for k in KINDS)
            + "."
        )


def markdown_tables(result: Result) -> Iterator[str]:
    """The verdict and result tables, as markdown lines."""
    yield "### Verdict"
    yield ""
    for v in verdicts(result):
        yield f"- {v.line()}"
    yield from _bar_lines(result)
    if result.wcxb:
        yield ""
        yield "### WCXB-dev (word F1 per page, averaged)"
        yield ""
        yield from _wcxb_tables(result)
    if result.trafeval:
        yield ""
        yield "### trafilatura-eval (chunk counts over all pages)"
        yield ""
        yield from _trafeval_tables(result)
    yield ""
    yield "### Speed (same run, interleaved page by page)"
    yield ""
    yield from _speed_table(result)
    if result.memory:
        yield ""
        yield (
            "Peak RSS growth (MiB) over an evenly spaced sample of both sets: "
            + ", ".join(
                f"{_labels(result)[n]} {mib:.0f} (over {pages} pages)"
                for n, (mib, pages) in result.memory.items()
            )
            + "."
        )
    yield ""
    yield "### Structure (scraper's Document, mean per page)"
    yield ""
    yield from _structure_lines(result)
    if result.wcxb or result.trafeval:
        yield ""
        yield "### Over-long outputs (issue 25)"
        yield ""
        yield from over_long_lines(result.wcxb, result.trafeval)
    if "scraper" in result.wcxb or "scraper" in result.trafeval:
        yield ""
        yield "### Page kinds"
        yield ""
        yield from _kind_lines(result)


def _machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}"


def _versions() -> str:
    names = ["scraper", "trafilatura", "selectolax", "lxml", "htmldate", "justext", "py3langid"]
    parts = [f"Python {platform.python_version()}"]
    for name in names:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return ", ".join(parts)


def write_markdown(result: Result, path: Path, *, command: str, notes: str = "") -> None:
    """Write the report, keeping anything after a ``<!-- history -->`` marker."""
    history = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        marker = "<!-- history -->"
        if marker in old:
            history = old[old.index(marker) :]
    sets = []
    if result.wcxb:
        n = len(next(iter(result.wcxb.values())))
        sets.append(
            f"`{result.wcxb_dir}`: {n} pages of WCXB, the Web Content eXtraction Benchmark "
            "(Murrough Foley, 2026), development split, CC-BY-4.0"
        )
    if result.trafeval:
        n = len(next(iter(result.trafeval.values())))
        sets.append(
            f"`{result.trafeval_dir}`: {n} pages of trafilatura's evaluation set (Adrien "
            "Barbaresi and contributors, Apache-2.0)"
        )
    wall = ", ".join(f"{k} {v:.0f} s" for k, v in result.wall.items())
    lines = [
        "# Benchmarks",
        "",
        "Datasets: " + "; ".join(sets) + ".",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {_machine()}. Versions: {_versions()}.",
        "",
        "Metrics. WCXB: per page, word precision/recall/F1 over `\\w+` token multisets of the "
        "lower-cased text, averaged over pages; `with`/`without` rates are the share of "
        "snippets found case-insensitively (averaged over pages that have snippets); 'pages "
        "leaking' is the share of pages whose output holds at least one `without` snippet. "
        "trafilatura-eval (its own metric): over all pages together, a `with` chunk found in "
        "the output (whitespace collapsed on both sides, plain substring test) is a TP, "
        "missing a FN; a `without` chunk found is a FP, missing a TN. Pages are given to every "
        "system as bytes (WCXB pages as decoded UTF-8 text). A `ScraperError` from `clean()` "
        "is scored as empty output; 'errors' counts those and any crash.",
        "",
        "Speed: all systems run in one process, interleaved page by page with the order "
        "rotating each page; only the extraction call is timed (our `clean()` includes its "
        "metadata; on WCXB trafilatura's metadata is read by `extract_metadata()` outside the "
        "timing). Memory: peak RSS growth (`VmHWM` after resetting it, minus RSS at the start) "
        "of a forked child running the system over the sample.",
        "",
        f"Wall time of the interleaved runs: {wall}.",
        "",
        *markdown_tables(result),
        "",
    ]
    if notes:
        lines += [notes, ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + ("\n" + history if history else ""), encoding="utf-8")


_CSV_COLUMNS = (
    "benchmark", "id", "group", "system", "seconds", "words", "error",
    "precision", "recall", "f1", "with_rate", "without_rate", "leaks",
    "title_ok", "author_ok", "date_ok", "kind", "reading", "answer_words", "over_long",
    "language_source", "language_detected", "tp", "fn", "fp", "tn",
)  # fmt: skip


def _cell(value: object) -> object:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4f}"
    if value is None:
        return ""
    return value


def _wcxb_row(s: PageScore) -> dict[str, object]:
    return {
        "benchmark": "wcxb", "id": s.id, "group": s.page_type, "system": s.system,
        "seconds": s.seconds, "words": s.words, "error": s.error, "precision": s.precision,
        "recall": s.recall, "f1": s.f1, "with_rate": s.with_rate,
        "without_rate": s.without_rate, "leaks": s.leaks, "title_ok": s.title_ok,
        "author_ok": s.author_ok, "date_ok": s.date_ok, "kind": s.kind,
        "reading": s.reading, "answer_words": s.answer_words, "over_long": s.over_long,
    }  # fmt: skip


def _eval_row(s: ChunkScore) -> dict[str, object]:
    c = s.counts
    return {
        "benchmark": "trafeval", "id": s.id, "group": s.language, "system": s.system,
        "seconds": s.seconds, "words": s.words, "error": s.error, "kind": s.kind,
        "reading": s.reading, "over_long": s.over_long, "language_source": s.language_source,
        "language_detected": s.language_detected, "tp": c.tp, "fn": c.fn, "fp": c.fp, "tn": c.tn,
    }  # fmt: skip


def write_csv(result: Result, path: Path) -> None:
    """One row per benchmark, page and system, so that a regression can be traced to pages.

    ``group`` is the page type (WCXB) or the language (trafilatura-eval); columns a
    benchmark does not measure are empty.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(_CSV_COLUMNS)
        rows = [_wcxb_row(s) for v in result.wcxb.values() for s in v]
        rows += [_eval_row(s) for v in result.trafeval.values() for s in v]
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in _CSV_COLUMNS])
