"""Site templates on CleanPortalEval: each page cleaned with a template learned from the
other pages of its site (leave one out), beside the generic cleaner and trafilatura.

CleanPortalEval (ppke-nlpg; Endrédy and Novák, Polibits 48, 2013): pages of four news
portals, ``input/<host>_<section>_<NN>.html`` and ``GoldStandard/<same>.txt`` in CleanEval
form (a ``URL:`` line, then paragraphs opened by ``<p>``, ``<h>`` or ``<l>``). Its metric is
WCXB's: word F1 over ``\\w+`` token multisets, averaged over pages. Entities in the gold text
are unescaped (it was written with ``&#8217;`` and the like).

Timing: the systems run interleaved page by page, the order rotating, and only the cleaning
call is timed; learning the template is timed apart (it is done once a site in use). Before
a page is timed, its template has cleaned the site's other pages, as in a crawl (which warms
the paths it keeps spelled); never the page itself.
"""

from __future__ import annotations

import contextlib
import html
import random
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from scraper.bench.wcxb import word_prf
from scraper.errors import InputError

__all__ = [
    "TemplateCase",
    "TemplateResult",
    "gold_text",
    "load_portal_cases",
    "run_templates",
    "templates_markdown",
]

SYSTEMS = ("scraper+template", "scraper", "trafilatura-nc")
# the sample a template is learned from in the small-sample row: a crawl just begun
SMALL_SAMPLE = 3
_MARK = re.compile(r"<[phl]>")
# an annotator's note in the gold text (``<!-- this page contains no article -->``), not text
_NOTE = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class TemplateCase:
    id: str
    site: str
    path: Path
    gold: str

    def page(self) -> bytes:
        return self.path.read_bytes()

    @property
    def url(self) -> str:
        return f"http://{self.site}/{self.id}"


def load_portal_cases(folder: Path) -> list[TemplateCase]:
    """The pages of a CleanPortalEval-style folder, by site (the host in the file name)."""
    inputs, golds = folder / "input", folder / "GoldStandard"
    if not inputs.is_dir() or not golds.is_dir():
        raise InputError(
            f"{folder}: not a CleanPortalEval-style folder (needs input/, GoldStandard/)"
        )
    cases = []
    for path in sorted(inputs.glob("*.html")):
        gold_path = golds / (path.stem + ".txt")
        if not gold_path.is_file():
            raise InputError(f"{gold_path}: gold text missing")
        gold = gold_text(gold_path.read_text(encoding="utf-8", errors="replace"))
        cases.append(TemplateCase(path.stem, path.stem.split("_")[0], path, gold))
    if not cases:
        raise InputError(f"{inputs}: no pages")
    return cases


def gold_text(text: str) -> str:
    """A CleanEval gold file's text: without its ``URL:`` line (the files open with a blank
    line before it) and the annotators' notes, markers as line breaks, entities unescaped."""
    head, _, rest = text.lstrip().partition("\n")
    if not head.startswith("URL:"):
        rest = text
    return html.unescape(_MARK.sub("\n", _NOTE.sub(" ", rest)))


@dataclass
class TemplateResult:
    f1: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_site: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    learn_seconds: list[float] = field(default_factory=list)
    fitted: int = 0
    pages: int = 0
    template_bytes: list[int] = field(default_factory=list)
    folder: Path | None = None
    # F1 and fits with a template learned from only SMALL_SAMPLE of the other pages
    small_f1: list[float] = field(default_factory=list)
    small_fitted: int = 0


def _systems() -> dict[str, Callable[[bytes, str, object], str]]:
    import trafilatura

    import scraper

    def ours(page: bytes, url: str, template: object) -> str:
        try:
            return scraper.clean(page, url, template=template).text  # type: ignore[arg-type]
        except scraper.ScraperError:
            return ""

    def generic(page: bytes, url: str, template: object) -> str:
        try:
            return scraper.clean(page, url).text
        except scraper.ScraperError:
            return ""

    def traf(page: bytes, url: str, template: object) -> str:
        return trafilatura.extract(page, url=url, include_comments=False) or ""

    return {"scraper+template": ours, "scraper": generic, "trafilatura-nc": traf}


def run_templates(
    folder: Path, *, progress: Callable[[int, int], None] | None = None
) -> TemplateResult:
    import scraper
    from scraper.site import learn_template

    cases = load_portal_cases(folder)
    by_site: dict[str, list[TemplateCase]] = defaultdict(list)
    for case in cases:
        by_site[case.site].append(case)
    systems = _systems()
    names = list(SYSTEMS)
    result = TemplateResult(folder=folder)
    for i, case in enumerate(cases):
        page = case.page()
        others = [(o.page(), o.url) for o in by_site[case.site] if o.id != case.id]
        t0 = time.perf_counter()
        try:
            template = learn_template(others, site=case.site)
        except scraper.ScraperError:
            template = None
        result.learn_seconds.append(time.perf_counter() - t0)
        if template is not None:
            result.template_bytes.append(len(template.to_json()))
            try:  # (a copy: the page itself must not warm the template it is timed with)
                fitted = scraper.clean(page, case.url, template=replace(template)).cleaned_with
            except scraper.ScraperError:
                fitted = "generic"
            result.fitted += fitted == "template"
            for other, url in others:  # what a crawl's template has cleaned before
                with contextlib.suppress(scraper.ScraperError):
                    scraper.clean(other, url, template=template)
        k = i % len(names)
        for name in [*names[k:], *names[:k]]:
            t0 = time.perf_counter()
            text = systems[name](page, case.url, template)
            result.seconds[name].append(time.perf_counter() - t0)
            f1 = word_prf(text, case.gold)[2]
            result.f1[name].append(f1)
            result.by_site[case.site][name].append(f1)
        # a site a crawl has just begun: a template from a few of its pages (the same few
        # for a page in every run)
        few = sorted(others, key=lambda o: o[1])
        random.Random(case.id).shuffle(few)
        try:
            small = learn_template(few[:SMALL_SAMPLE], site=case.site)
            document = scraper.clean(page, case.url, template=small)
            text, fitted = document.text, document.cleaned_with
        except scraper.ScraperError:
            text, fitted = "", "generic"
        result.small_f1.append(word_prf(text, case.gold)[2])
        result.small_fitted += fitted == "template"
        result.pages += 1
        if progress:
            progress(i + 1, len(cases))
    return result


def templates_markdown(result: TemplateResult) -> str:
    mean = statistics.fmean
    lines = [
        "## Site templates (CleanPortalEval, leave one out)",
        "",
        f"`{result.folder}`: {result.pages} pages of {len(result.by_site)} news portals "
        "(CleanPortalEval, Endrédy and Novák 2013; measured only). Each page is cleaned with a "
        "template learned from the other pages of its site (`scraper.learn_template`), beside "
        "the generic cleaner and trafilatura in the same run. Word F1 averaged over pages; "
        "pages/s from the median time of the cleaning call alone, and over the whole run "
        "(pages over the sum of the calls' times, where large pages weigh more).",
        "",
        "| system | F1 | pages/s (median) | × trafilatura | pages/s (run) | × trafilatura |",
        "|---|---|---|---|---|---|",
    ]
    traf = statistics.median(result.seconds["trafilatura-nc"])
    traf_run = sum(result.seconds["trafilatura-nc"])
    for name in SYSTEMS:
        med, run = statistics.median(result.seconds[name]), sum(result.seconds[name])
        lines.append(
            f"| {name} | {mean(result.f1[name]):.4f} | {1 / med:.1f} | {traf / med:.2f}× "
            f"| {len(result.seconds[name]) / run:.1f} | {traf_run / run:.2f}× |"
        )
    lines += [
        "",
        "| site | pages | " + " | ".join(SYSTEMS) + " |",
        "|---|---|" + "---|" * len(SYSTEMS),
    ]
    for site, scores in sorted(result.by_site.items()):
        n = len(scores[SYSTEMS[0]])
        lines.append(
            f"| {site} | {n} | " + " | ".join(f"{mean(scores[s]):.4f}" for s in SYSTEMS) + " |"
        )
    lines += [
        "",
        f"Pages that fitted their template: {result.fitted} of {result.pages} (the others were "
        "cleaned generically). Learning a template from a site's other pages: median "
        f"{statistics.median(result.learn_seconds) * 1000:.0f} ms; its JSON: median "
        f"{statistics.median(result.template_bytes or [0]) / 1000:.1f} kB.",
        "",
        f"With a template learned from only {SMALL_SAMPLE} of the other pages of the site "
        "(drawn at random, the same in every run): F1 "
        f"{mean(result.small_f1 or [0.0]):.4f}; {result.small_fitted} of {result.pages} pages "
        "fitted it.",
    ]
    return "\n".join(lines)
