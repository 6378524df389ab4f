"""Accuracy and speed benchmark on a WCXB-style folder: our cleaner beside trafilatura.

Layout (see ``../shared/bench/README.md``): ``html/NNNN.html.gz`` and
``ground-truth/NNNN.json``. The metric is WCXB's, per page then averaged over pages:
tokens are ``re.findall(r"\\w+", text.lower())``; precision and recall over token
multisets; F1 = 2PR/(P+R). Snippet rates are the share of ``with`` / ``without``
snippets found case-insensitively in the output.

Every system runs in this one process over the same pages. Systems are timed
interleaved, page by page, in an order that rotates from page to page, so that
machine noise hits each of them alike; only the extraction call is timed.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import platform
import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

__all__ = [
    "SYSTEMS",
    "Case",
    "Output",
    "PageScore",
    "best_per_page",
    "load_cases",
    "run",
    "run_scraper",
    "score_page",
    "snippet_rate",
    "word_prf",
    "write_csv",
    "write_markdown",
]

_WORD = re.compile(r"\w+")


# --- data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One benchmark page and its answers."""

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


# --- metric ----------------------------------------------------------------------------


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
    return pred is not None and bool(pred) and pred.strip()[:10] == truth.strip()[:10]


# --- systems ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    error: str = ""


def run_scraper(html: str, url: str | None) -> Output:
    """Our `clean()` with built-in defaults; an `ExtractionError` gives empty output."""
    from scraper.cleaner import clean
    from scraper.errors import ExtractionError

    try:
        doc = clean(html, url)
    except ExtractionError as exc:  # nothing found: scored as empty output
        return Output(text="", error=type(exc).__name__)
    return Output(text=doc.text, title=doc.title, author=doc.author, date=doc.date)


def _trafilatura(**options: object) -> Callable[[str, str | None], Output]:
    import trafilatura

    def run(html: str, url: str | None) -> Output:
        return Output(text=trafilatura.extract(html, url=url, **options) or "")  # type: ignore[arg-type]

    return run


def _trafilatura_metadata(html: str, url: str | None) -> Output:
    """trafilatura's metadata, read outside the timed call (``extract()`` returns text only)."""
    from trafilatura.metadata import extract_metadata

    meta = extract_metadata(html, default_url=url)
    return Output(text="", title=meta.title, author=meta.author, date=meta.date)


@dataclass(frozen=True)
class System:
    name: str
    label: str
    run: Callable[[str, str | None], Output]
    metadata: Callable[[str, str | None], Output] | None = None  # when ``run`` has none


def _systems() -> dict[str, System]:
    return {
        s.name: s
        for s in (
            System("scraper", "scraper.clean() (built-in defaults)", run_scraper),
            System(
                "trafilatura",
                "trafilatura.extract() defaults",
                _trafilatura(),
                _trafilatura_metadata,
            ),
            System(
                "trafilatura-nc",
                "trafilatura.extract(include_comments=False)",
                _trafilatura(include_comments=False),
                _trafilatura_metadata,
            ),
        )
    }


SYSTEMS: tuple[str, ...] = ("scraper", "trafilatura", "trafilatura-nc")


# --- scoring ---------------------------------------------------------------------------


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


def score_page(case: Case, system: str, out: Output, seconds: float) -> PageScore:
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
    )


@dataclass
class Summary:
    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    with_rate: float = 0.0
    without_rate: float = 0.0
    leak_share: float = 0.0
    empty: int = 0
    extras: dict[str, float] = field(default_factory=dict)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def summarise(scores: Sequence[PageScore]) -> Summary:
    def share(flags: list[bool | None]) -> float:
        known = [f for f in flags if f is not None]
        return _mean([float(f) for f in known])

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


def best_per_page(scores: dict[str, list[PageScore]]) -> Summary:
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


# --- running ---------------------------------------------------------------------------


@dataclass
class Result:
    systems: list[System]
    scores: dict[str, list[PageScore]]
    memory: dict[str, tuple[float, int]]  # system → (peak RSS growth in MiB, pages)
    wall: float


def run(
    cases: Sequence[Case],
    systems: Sequence[str] = SYSTEMS,
    *,
    memory_pages: int = 150,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Run ``systems`` over ``cases`` interleaved; then measure memory on a sample."""
    table = _systems()
    chosen = [table[name] for name in systems]
    for system in chosen:  # warm up imports and lazy caches outside the timing
        system.run("<html><body><p>warm up</p></body></html>", None)
    scores: dict[str, list[PageScore]] = {s.name: [] for s in chosen}
    start = time.perf_counter()
    for i, case in enumerate(cases):
        html = case.html()
        k = i % len(chosen)
        for system in chosen[k:] + chosen[:k]:  # rotate who goes first
            t0 = time.perf_counter()
            out = system.run(html, case.url)
            seconds = time.perf_counter() - t0
            if system.metadata is not None:
                meta = system.metadata(html, case.url)
                out = Output(out.text, meta.title, meta.author, meta.date, out.error)
            scores[system.name].append(score_page(case, system.name, out, seconds))
        if progress:
            progress(i + 1, len(cases))
    wall = time.perf_counter() - start
    sample = cases[:: max(1, len(cases) // memory_pages)][:memory_pages] if memory_pages else []
    memory = {s.name: (_peak_rss_growth(s, sample), len(sample)) for s in chosen} if sample else {}
    return Result(chosen, scores, memory, wall)


def _peak_rss_growth(system: System, cases: Sequence[Case]) -> float:
    """Peak RSS growth (MiB) over running ``system`` on ``cases`` in a forked child.

    Linux only: the child resets its high-water mark (``/proc/self/clear_refs``), runs the
    pages and reports ``VmHWM`` minus its ``VmRSS`` at the start. NaN elsewhere.
    """
    if not hasattr(os, "fork") or not Path("/proc/self/clear_refs").exists():
        return float("nan")
    htmls = [(c.html(), c.url) for c in cases]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read)
            Path("/proc/self/clear_refs").write_text("5")
            base = _status_kib("VmRSS")
            for html, url in htmls:
                system.run(html, url)
            os.write(write, str((_status_kib("VmHWM") - base) / 1024).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    os.waitpid(pid, 0)
    return float(text) if text else float("nan")


def _status_kib(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


# --- reports ---------------------------------------------------------------------------


def write_csv(result: Result, path: Path) -> None:
    """One row per page and system, so that a regression can be traced to its pages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [f for f in PageScore.__dataclass_fields__]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for rows in result.scores.values():
            for s in rows:
                writer.writerow([_cell(getattr(s, c)) for c in columns])


def _cell(value: object) -> object:
    if isinstance(value, float):
        return f"{value:.4f}" if value < 1e3 else value
    if value is None:
        return ""
    return value


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
    names = ["scraper", "trafilatura", "selectolax", "lxml", "htmldate", "justext"]
    parts = [f"Python {platform.python_version()}"]
    for name in names:
        try:
            parts.append(f"{name} {version(name)}")
        except Exception:
            continue
    return ", ".join(parts)


def _types(scores: Sequence[PageScore]) -> list[str]:
    counts = Counter(s.page_type for s in scores)
    return [t for t, _ in counts.most_common()]


def markdown_tables(result: Result) -> Iterator[str]:
    """The result tables, as markdown lines."""
    names = [s.name for s in result.systems]
    summaries = {n: summarise(result.scores[n]) for n in names}
    yield (
        "| system | pages | precision | recall | F1 | `with` rate | `without` rate "
        "| pages leaking | empty |"
    )
    yield "|---|---|---|---|---|---|---|---|---|"
    for s in result.systems:
        m = summaries[s.name]
        yield (
            f"| {s.label} | {m.pages} | {m.precision:.3f} | {m.recall:.3f} | **{m.f1:.3f}** | "
            f"{m.with_rate:.3f} | {m.without_rate:.3f} | {m.leak_share:.1%} | {m.empty} |"
        )
    if len(names) > 1:
        best = best_per_page(result.scores)
        yield ""
        yield (
            f"Best of these systems per page, picked knowing the answer (a ceiling for any "
            f"choice among them): F1 {best.f1:.3f}, `with` rate {best.with_rate:.3f}, "
            f"pages leaking {best.leak_share:.1%}."
        )
    yield ""
    yield "### By page type (F1 / `with` rate / pages leaking)"
    yield ""
    yield "| page type | pages | " + " | ".join(names) + " |"
    yield "|---|---|" + "---|" * len(names)
    for page_type in _types(result.scores[names[0]]):
        cells = []
        for n in names:
            m = summarise([s for s in result.scores[n] if s.page_type == page_type])
            cells.append(f"{m.f1:.3f} / {m.with_rate:.3f} / {m.leak_share:.1%}")
        count = sum(s.page_type == page_type for s in result.scores[names[0]])
        yield f"| {page_type} | {count} | " + " | ".join(cells) + " |"
    yield ""
    yield "### Speed and memory"
    yield ""
    yield (
        "| system | pages/s | median ms/page | p95 ms/page | × trafilatura | "
        "peak RSS growth (MiB) |"
    )
    yield "|---|---|---|---|---|---|"
    base = result.scores.get("trafilatura")
    base_rate = len(base) / sum(s.seconds for s in base) if base else None
    for s in result.systems:
        secs = sorted(x.seconds for x in result.scores[s.name])
        rate = len(secs) / sum(secs) if secs else float("nan")
        p95 = secs[int(0.95 * (len(secs) - 1))] * 1e3 if secs else float("nan")
        ratio = f"{rate / base_rate:.2f}" if base_rate else "–"
        mem, mem_pages = result.memory.get(s.name, (float("nan"), 0))
        yield (
            f"| {s.label} | {rate:.1f} | {statistics.median(secs) * 1e3:.1f} | {p95:.1f} | "
            f"{ratio} | {mem:.0f} (over {mem_pages} pages) |"
        )
    yield ""
    yield "### Metadata accuracy (share of pages whose ground truth has the field)"
    yield ""
    yield "| system | title | author | date |"
    yield "|---|---|---|---|"
    for s in result.systems:
        e = summaries[s.name].extras
        yield f"| {s.label} | {e['title']:.3f} | {e['author']:.3f} | {e['date']:.3f} |"


def write_markdown(
    result: Result, path: Path, *, command: str, dataset: Path, notes: str = ""
) -> None:
    """Write the benchmark report, keeping anything after a ``<!-- history -->`` marker."""
    history = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        marker = "<!-- history -->"
        if marker in old:
            history = old[old.index(marker) :]
    n = len(next(iter(result.scores.values()), []))
    lines = [
        "# Benchmarks",
        "",
        f"Dataset: `{dataset}`: {n} pages of WCXB, the Web Content eXtraction Benchmark "
        "(Murrough Foley, 2026), development split, CC-BY-4.0.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {_machine()}. Versions: {_versions()}.",
        "",
        "Metric (WCXB): per page, word precision/recall/F1 over `\\w+` token multisets of the "
        "lower-cased text, then averaged over pages; `with`/`without` rates are the share of "
        "snippets found case-insensitively (averaged over pages that have snippets); "
        "'pages leaking' is the share of all pages whose output holds at least one `without` "
        "snippet. An `ExtractionError` from `clean()` is scored as empty output.",
        "",
        "Speed: all systems run in one process, interleaved page by page with the order "
        "rotating each page; only the extraction call is timed (our `clean()` includes its "
        "metadata; trafilatura's `extract()` returns text only, so its metadata is read by "
        "`extract_metadata()` outside the timing). Memory: peak RSS growth (`VmHWM` after "
        "resetting it, minus RSS at the start) of a forked child running the system over an "
        "evenly spaced sample of pages. Metadata match: title equal after NFKC, casefold and "
        "keeping words only; author same word set (ignoring 'by'); date same first ten "
        "characters (ISO day).",
        "",
        f"Wall time of the interleaved run: {result.wall:.0f} s.",
        "",
        *markdown_tables(result),
        "",
    ]
    if notes:
        lines += [notes, ""]
    path.write_text("\n".join(lines) + ("\n" + history if history else ""), encoding="utf-8")
