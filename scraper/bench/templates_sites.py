"""Site templates on real sibling pages of today: WCXB-dev's sites with several pages.

WCXB-dev holds one page of most of its sites, but several pages of some (shops, manuals,
a few news sites and forums), crawled together in 2025 with a gold text each. Each page of
such a site is cleaned with a template learned from the site's other pages (leave one
out, as on CleanPortalEval), beside the generic cleaner and trafilatura, and scored with
WCXB's word F1: a test of learning and reading on the pages users crawl today, where
CleanPortalEval's are of 2012 and today's synthetic siblings (``templates_today``) cannot
teach a container. Pages are grouped by WCXB's page type: a template is for a site's
articles first, and a shop's product and category pages are where it is least sure.
"""

from __future__ import annotations

import gzip
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scraper.bench.wcxb import word_prf
from scraper.page.urls import url_host

__all__ = ["SitesResult", "run_templates_sites", "templates_sites_markdown"]

# a site needs this many pages: one to clean, and two to learn from
MIN_PAGES = 3
SYSTEMS = ("scraper+template", "scraper", "trafilatura-nc")


@dataclass
class SitesResult:
    folder: Path
    sites: int = 0
    fitted: int = 0
    kinds: list[str] = field(default_factory=list)  # per page, its WCXB page type
    seconds: dict[str, list[float]] = field(default_factory=dict)
    f1: dict[str, list[float]] = field(default_factory=dict)


def site_pages(folder: Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Per host with at least ``MIN_PAGES`` pages: (id, url, page type, gold text), by id."""
    by: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for truth in sorted((folder / "ground-truth").glob("*.json")):
        data = json.loads(truth.read_text(encoding="utf-8"))
        url = data.get("url") or ""
        host = url_host(url)
        if not host:
            continue
        host = host.removeprefix("www.")
        kind = data.get("_internal", {}).get("page_type", {}).get("primary") or "unknown"
        gold = (data.get("ground_truth") or {}).get("main_content") or ""
        by[host].append((truth.stem, url, kind, gold))
    return {h: pages for h, pages in sorted(by.items()) if len(pages) >= MIN_PAGES}


def _timed(call: Callable[[], str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    text = call()
    return time.perf_counter() - t0, text


def run_templates_sites(
    folder: Path, *, progress: Callable[[int, int], None] | None = None
) -> SitesResult:
    import trafilatura

    import scraper
    from scraper.site import learn_template

    sites = site_pages(folder)
    result = SitesResult(
        folder=folder, seconds={s: [] for s in SYSTEMS}, f1={s: [] for s in SYSTEMS}
    )
    total = sum(len(p) for p in sites.values())
    done = 0
    for host, pages in sites.items():
        raw = {
            pid: gzip.decompress((folder / "html" / f"{pid}.html.gz").read_bytes()).decode(
                "utf-8", "replace"
            )
            for pid, *_ in pages
        }
        result.sites += 1
        for pid, url, kind, gold in pages:
            done += 1
            others = [(raw[o], u) for o, u, *_ in pages if o != pid]
            try:
                template = learn_template(others, site=host)
            except scraper.ScraperError:
                template = None  # (pages that share nothing: the generic cleaner's)

            def ours(page: str = raw[pid], url: str = url, template: object = template) -> str:
                try:
                    doc = scraper.clean(page, url, template=template)  # type: ignore[arg-type]
                except scraper.ScraperError:
                    return ""
                result.fitted += doc.cleaned_with == "template"
                return doc.text

            def generic(page: str = raw[pid], url: str = url) -> str:
                try:
                    return scraper.clean(page, url).text
                except scraper.ScraperError:
                    return ""

            def traf(page: str = raw[pid], url: str = url) -> str:
                return trafilatura.extract(page, url=url, include_comments=False) or ""

            calls: tuple[Callable[[], str], ...] = (ours, generic, traf)
            for name, call in zip(SYSTEMS, calls, strict=True):
                seconds, text = _timed(call)
                result.seconds[name].append(seconds)
                result.f1[name].append(word_prf(text, gold)[2])
            result.kinds.append(kind)
            if progress:
                progress(done, total)
    return result


def templates_sites_markdown(result: SitesResult) -> str:
    pages = len(result.kinds)
    if not pages:
        return f"No site of `{result.folder}` has {MIN_PAGES} pages or more."
    lines = [
        "### Site templates on real siblings (WCXB-dev's sites with several pages)",
        "",
        f"`{result.folder}`: {pages} pages of {result.sites} sites with {MIN_PAGES} pages or "
        "more, each cleaned with a template learned from the other pages of its site (leave "
        f"one out); {result.fitted} of {pages} fitted it. Word F1 against WCXB's gold, by "
        "page type; pages/s: one try a page, the median over pages.",
        "",
        "| pages | n | " + " | ".join(SYSTEMS) + " |",
        "|---|---|" + "---|" * len(SYSTEMS),
    ]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, kind in enumerate(result.kinds):
        groups[kind].append(i)
    rows = [("all", list(range(pages)))]
    rows += sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for name, index in rows:
        scores = [statistics.fmean(result.f1[s][i] for i in index) for s in SYSTEMS]
        lines.append(f"| {name} | {len(index)} | " + " | ".join(f"{f:.4f}" for f in scores) + " |")
    traf = statistics.median(result.seconds["trafilatura-nc"])
    speeds = [f"{s} {traf / statistics.median(result.seconds[s]):.2f}×" for s in SYSTEMS[:2]]
    lines += ["", "Speed against trafilatura-nc (medians): " + ", ".join(speeds) + "."]
    return "\n".join(lines)
