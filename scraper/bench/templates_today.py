"""Site templates on today's pages: WCXB-dev's article pages, each cleaned with a template
learned from synthetic pages of its frame.

CleanPortalEval's pages are of 2012 (about 60 kB, a few hundred blocks, no ``figure``); the
pages users crawl today are larger (WCXB-dev's articles: about 150 kB, thousands of
elements) and hold what 2012's did not. WCXB-dev has one page a site, so each page gets
``SIBLINGS`` siblings: the page with the words of every text inside its *story element*
shuffled and numbered afresh, the rest left as it is. The story element is the deepest
element that holds ``STORY_SHARE`` of the text of the page's paragraphs (``<p>``), found
without the gold text. The siblings share a frame around a story of their own, as a site's
pages do, so the template's container is the story element and its chrome the rest.

Measured: the speed of cleaning with the template against trafilatura's, and the word F1
against WCXB's gold of the template's reading beside the generic cleaner's and
trafilatura's. The F1 is of the reading inside a container the template could not miss:
a test of what the reading keeps (captions, bylines, link lists), not of learning, and its
recall is bounded by the story element (the text outside it is the siblings' chrome).
"""

from __future__ import annotations

import gzip
import json
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.bench.wcxb import word_prf

__all__ = ["TodayResult", "run_templates_today", "siblings", "templates_today_markdown"]

SIBLINGS = 3
STORY_SHARE = 0.7
# tries per page and system; the best of them is the page's time (this machine is noisy)
TRIES = 3
SYSTEMS = ("scraper+template", "scraper", "trafilatura-nc")


@dataclass
class TodayResult:
    folder: Path
    pages: int = 0
    fitted: int = 0
    sizes: list[int] = field(default_factory=list)
    seconds: dict[str, list[float]] = field(default_factory=dict)
    f1: dict[str, list[float]] = field(default_factory=dict)


def siblings(page: str, seed: str, count: int = SIBLINGS) -> tuple[str, list[str]] | None:
    """``page`` as lxml writes it, and ``count`` siblings of it, their story element's words
    shuffled (the same for the same ``seed``); None when the page has no story element
    below its body."""
    import lxml.etree
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return None
    story = _story_element(doc)
    if story is None or story.tag in ("html", "body"):
        return None
    path = doc.getroottree().getpath(story)
    written = lxml.html.tostring(doc, encoding="unicode")
    out = []
    for n in range(count):
        copy = lxml.html.document_fromstring(written)
        rnd = random.Random(f"{seed}/{n}")
        found: Any = copy.getroottree().xpath(path)
        if not found:  # (lxml reads what it wrote otherwise)
            return None
        for element in found[0].iter():
            element.text = _shuffled(element.text, rnd)
            if element is not found[0]:  # its tail is outside it
                element.tail = _shuffled(element.tail, rnd)
        out.append(lxml.html.tostring(copy, encoding="unicode"))
    return written, out


def _shuffled(text: str | None, rnd: random.Random) -> str | None:
    if not text or not text.strip():
        return text
    words = text.split()
    rnd.shuffle(words)
    return " " + " ".join(f"{w}{rnd.randint(0, 9)}" for w in words) + " "


def _story_element(doc: Any) -> Any:
    """The deepest element holding ``STORY_SHARE`` of the text of the paragraphs."""
    held: dict[Any, int] = {}
    total = 0
    for paragraph in doc.iter("p"):
        size = len(paragraph.text_content())
        total += size
        for element in (paragraph, *paragraph.iterancestors()):
            held[element] = held.get(element, 0) + size
    if not total:
        return None
    story = None
    for element in doc.iter():
        # (in document order: the elements that hold that much are one chain, outer first)
        if held.get(element, 0) >= STORY_SHARE * total:
            story = element
    return story


def _article_pages(folder: Path, every: int, limit: int) -> list[tuple[str, str, str, str]]:
    """(id, page, url, gold text) of every ``every``-th article page of a WCXB-style folder."""
    found = []
    for truth in sorted((folder / "ground-truth").glob("*.json")):
        data = json.loads(truth.read_text(encoding="utf-8"))
        if data.get("_internal", {}).get("page_type", {}).get("primary") == "article":
            gold = (data.get("ground_truth") or {}).get("main_content") or ""
            found.append((truth.stem, data.get("url") or "", gold))
    pages = []
    for page_id, url, gold in found[::every][:limit]:
        raw = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, raw.decode("utf-8", "replace"), url, gold))
    return pages


def _timed(call: Callable[[], str]) -> tuple[float, str]:
    best, text = float("inf"), ""
    for _ in range(TRIES):
        t0 = time.perf_counter()
        text = call()
        best = min(best, time.perf_counter() - t0)
    return best, text


def run_templates_today(
    folder: Path,
    *,
    every: int = 8,
    limit: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> TodayResult:
    import trafilatura

    import scraper
    from scraper.site import learn_template

    pages = _article_pages(folder, every, limit)
    result = TodayResult(
        folder=folder, seconds={s: [] for s in SYSTEMS}, f1={s: [] for s in SYSTEMS}
    )
    for done, (page_id, raw, url, gold) in enumerate(pages, 1):
        made = siblings(raw, page_id)
        if made is None:
            continue
        page, others = made
        try:
            template = learn_template([(o, url) for o in others])
            for other in others:  # what a crawl's template has cleaned before
                scraper.clean(other, url, template=template)
        except scraper.ScraperError:
            continue

        try:
            fitted = scraper.clean(page, url, template=template).cleaned_with == "template"
        except scraper.ScraperError:
            fitted = False

        def ours(page: str = page, url: str = url, template: object = template) -> str:
            try:
                return scraper.clean(page, url, template=template).text  # type: ignore[arg-type]
            except scraper.ScraperError:
                return ""

        def generic(page: str = page, url: str = url) -> str:
            try:
                return scraper.clean(page, url).text
            except scraper.ScraperError:
                return ""

        def traf(page: str = page, url: str = url) -> str:
            return trafilatura.extract(page, url=url, include_comments=False) or ""

        calls: tuple[Callable[[], str], ...] = (ours, generic, traf)
        for name, call in zip(SYSTEMS, calls, strict=True):
            seconds, text = _timed(call)
            result.seconds[name].append(seconds)
            result.f1[name].append(word_prf(text, gold)[2])
        result.fitted += fitted
        result.pages += 1
        result.sizes.append(len(page.encode("utf-8")))
        if progress:
            progress(done, len(pages))
    return result


def templates_today_markdown(result: TodayResult) -> str:
    if not result.pages:
        return f"No article page of `{result.folder}` could be cleaned with a template."
    traf = statistics.median(result.seconds["trafilatura-nc"])
    lines = [
        "### Site templates on today's pages (WCXB-dev articles, synthetic siblings)",
        "",
        f"`{result.folder}`: {result.pages} article pages (median "
        f"{statistics.median(result.sizes) / 1000:.0f} kB), each cleaned with a template "
        f"learned from {SIBLINGS} synthetic pages of its frame (the words of its story "
        f"element shuffled); {result.fitted} of {result.pages} fitted it. The F1 is the "
        "reading's inside a container it could not miss (see `scraper.bench.templates_today`): "
        "what it keeps, not how well it learns; pages/s: the best of "
        f"{TRIES} tries a page, the median over pages, and over the whole run (pages over "
        "the sum of those times).",
        "",
        "| system | word F1 | pages/s (median) | × trafilatura | pages/s (run) | × trafilatura |",
        "|---|---|---|---|---|---|",
    ]
    traf_run = sum(result.seconds["trafilatura-nc"])
    for name in SYSTEMS:
        med, run = statistics.median(result.seconds[name]), sum(result.seconds[name])
        f1 = statistics.fmean(result.f1[name])
        lines.append(
            f"| {name} | {f1:.4f} | {1 / med:.1f} | {traf / med:.2f}× "
            f"| {len(result.seconds[name]) / run:.1f} | {traf_run / run:.2f}× |"
        )
    return "\n".join(lines)
