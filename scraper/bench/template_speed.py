"""Template cleaning speed on today's pages: WCXB-dev's article pages, each cleaned with a
template learned from synthetic pages of its site.

CleanPortalEval's pages are of 2012 (about 60 kB, a few hundred blocks); the pages users
crawl today are larger (WCXB-dev's articles: about 150 kB, thousands of elements), and a
template's speed against trafilatura's is a matter of size. WCXB-dev has one page a site,
so each page gets ``SIBLINGS`` siblings: the page with the words of each paragraph
(``<p>``) shuffled and numbered afresh, its chrome left as it is: the frame a site's pages
share, around text of each page's own. The template learned from them has cleaned them
before the page is timed (as in a crawl). Speed only: a template learned from siblings
that share every line of chrome says nothing of accuracy on real sites.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SpeedResult", "run_template_speed", "template_speed_markdown"]

SIBLINGS = 3
# tries per page and system; the best of them is the page's time (this machine is noisy)
TRIES = 3
_PARAGRAPH = re.compile(r"(<p\b[^>]*>)(.*?)(</p>)", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


@dataclass
class SpeedResult:
    folder: Path
    pages: int = 0
    fitted: int = 0
    sizes: list[int] = field(default_factory=list)
    seconds: dict[str, list[float]] = field(default_factory=dict)


def sibling(page: str, seed: str) -> str:
    """``page`` with the words of each paragraph shuffled and a digit added to each: a
    page of the same frame with text of its own (the same for the same ``seed``)."""
    rnd = random.Random(seed)

    def shuffled(match: re.Match[str]) -> str:
        words = _TAG.sub(" ", match.group(2)).split()
        rnd.shuffle(words)
        return match.group(1) + " ".join(f"{w}{rnd.randint(0, 9)}" for w in words) + match.group(3)

    return _PARAGRAPH.sub(shuffled, page)


def _article_pages(folder: Path, every: int, limit: int) -> list[tuple[str, str, str]]:
    """(id, page, url) of every ``every``-th article page of a WCXB-style folder."""
    found = []
    for truth in sorted((folder / "ground-truth").glob("*.json")):
        data = json.loads(truth.read_text(encoding="utf-8"))
        if data.get("_internal", {}).get("page_type", {}).get("primary") == "article":
            found.append((truth.stem, data.get("url") or ""))
    pages = []
    for page_id, url in found[::every][:limit]:
        raw = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, raw.decode("utf-8", "replace"), url))
    return pages


def _best(call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(TRIES):
        t0 = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - t0)
    return best


def run_template_speed(
    folder: Path,
    *,
    every: int = 8,
    limit: int = 60,
    progress: Callable[[int, int], None] | None = None,
) -> SpeedResult:
    import trafilatura

    import scraper
    from scraper.site import learn_template

    pages = _article_pages(folder, every, limit)
    result = SpeedResult(folder=folder, seconds={"scraper+template": [], "trafilatura-nc": []})
    for done, (page_id, page, url) in enumerate(pages, 1):
        siblings = [(sibling(page, f"{page_id}/{s}"), url) for s in range(SIBLINGS)]
        try:
            template = learn_template(siblings)
            for other, other_url in siblings:  # what a crawl's template has cleaned before
                scraper.clean(other, other_url, template=template)
            fitted = scraper.clean(page, url, template=template).cleaned_with == "template"
        except scraper.ScraperError:
            continue
        result.pages += 1
        result.fitted += fitted
        result.sizes.append(len(page.encode("utf-8")))

        def ours(page: str = page, url: str = url, template: object = template) -> object:
            return scraper.clean(page, url, template=template)  # type: ignore[arg-type]

        def traf(page: str = page, url: str = url) -> object:
            return trafilatura.extract(page, url=url, include_comments=False)

        for name, call in (("scraper+template", ours), ("trafilatura-nc", traf)):
            result.seconds[name].append(_best(call))
        if progress:
            progress(done, len(pages))
    return result


def template_speed_markdown(result: SpeedResult) -> str:
    if not result.pages:
        return f"No article page of `{result.folder}` could be timed with a template."
    traf = statistics.median(result.seconds["trafilatura-nc"])
    lines = [
        "### Template speed on today's pages (WCXB-dev articles, synthetic siblings)",
        "",
        f"`{result.folder}`: {result.pages} article pages (median "
        f"{statistics.median(result.sizes) / 1000:.0f} kB), each cleaned with a template "
        f"learned from {SIBLINGS} synthetic pages of its frame (its paragraphs' words "
        f"shuffled); {result.fitted} of {result.pages} fitted it. Speed only (see "
        "`scraper.bench.template_speed`): the best of "
        f"{TRIES} tries a page, the median over pages.",
        "",
        "| system | pages/s (median) | × trafilatura |",
        "|---|---|---|",
    ]
    for name, seconds in result.seconds.items():
        med = statistics.median(seconds)
        lines.append(f"| {name} | {1 / med:.1f} | {traf / med:.2f}× |")
    return "\n".join(lines)
