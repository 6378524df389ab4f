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

The gold text begins with the article's headline, which no system's text holds (a
``Document`` keeps it as its title; trafilatura's text leaves it out as well). The report
gives each system's F1 with its title put before its text too, and the ceiling of the text
alone: the F1 of the gold less its headline line (a perfect reading of every article), so
that a bar can be read against what a text without its headline can reach.
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
_WORD = re.compile(r"\w+")
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
    # F1 with the system's title before its text; of the gold less its headline (the
    # ceiling of a text without it)
    titled_f1: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    ceiling_f1: list[float] = field(default_factory=list)
    headlines: int = 0  # pages whose gold begins with the headline
    no_article: int = 0  # pages whose gold is empty: any text there scores 0


# a system's reading of a page: its text, and its title (None: read apart, untimed)
Reading = tuple[str, str | None]


def _systems() -> dict[str, Callable[[bytes, str, object], Reading]]:
    import trafilatura

    import scraper

    def ours(page: bytes, url: str, template: object) -> Reading:
        try:
            document = scraper.clean(page, url, template=template)  # type: ignore[arg-type]
        except scraper.ScraperError:
            return "", ""
        return document.text, document.title or ""

    def generic(page: bytes, url: str, template: object) -> Reading:
        try:
            document = scraper.clean(page, url)
        except scraper.ScraperError:
            return "", ""
        return document.text, document.title or ""

    def traf(page: bytes, url: str, template: object) -> Reading:
        # (its metadata, the title among it, is read apart: extract() reads none)
        return trafilatura.extract(page, url=url, include_comments=False) or "", None

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
        titles: dict[str, str] = {}
        for name in [*names[k:], *names[:k]]:
            t0 = time.perf_counter()
            text, title = systems[name](page, case.url, template)
            result.seconds[name].append(time.perf_counter() - t0)
            f1 = word_prf(text, case.gold)[2]
            result.f1[name].append(f1)
            result.by_site[case.site][name].append(f1)
            titles[name] = _traf_title(page, case.url) if title is None else title
            result.titled_f1[name].append(word_prf(f"{titles[name]}\n\n{text}", case.gold)[2])
        ceiling = headless(case.gold, titles["scraper"])
        result.headlines += ceiling != case.gold
        result.no_article += not case.gold.strip()
        result.ceiling_f1.append(word_prf(ceiling, case.gold)[2])
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


def _traf_title(page: bytes, url: str) -> str:
    import trafilatura

    metadata = trafilatura.extract_metadata(page, default_url=url)
    return (metadata.title if metadata is not None else None) or ""


def headless(gold: str, title: str | None) -> str:
    """``gold`` less its first line when that line is the page's ``title`` (its words, or
    the start of them: a ``<title>`` may add the site's name), else ``gold`` as it is."""
    lines = gold.strip().split("\n")
    first = _WORD.findall(lines[0].casefold())
    said = _WORD.findall((title or "").casefold())
    if first and first == said[: len(first)]:
        return "\n".join(lines[1:])
    return gold


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
        "| system | F1 | F1, title and text | pages/s (median) | × trafilatura "
        "| pages/s (run) | × trafilatura |",
        "|---|---|---|---|---|---|---|",
    ]
    traf = statistics.median(result.seconds["trafilatura-nc"])
    traf_run = sum(result.seconds["trafilatura-nc"])
    for name in SYSTEMS:
        med, run = statistics.median(result.seconds[name]), sum(result.seconds[name])
        lines.append(
            f"| {name} | {mean(result.f1[name]):.4f} | {mean(result.titled_f1[name]):.4f} "
            f"| {1 / med:.1f} | {traf / med:.2f}× "
            f"| {len(result.seconds[name]) / run:.1f} | {traf_run / run:.2f}× |"
        )
    ceiling = result.ceiling_f1 or [0.0]
    lines += [
        "",
        f"The gold text begins with the article's headline on {result.headlines} of "
        f"{result.pages} pages; no system's text holds it (a `Document` keeps it as its "
        "title, trafilatura's text leaves it out). The ceiling of a text without its "
        f"headline (the gold less that line, on every page): F1 {mean(ceiling):.4f}; "
        f"{result.no_article} pages have no article (an empty gold, where any text scores 0): "
        f"with some text on them, as the generic cleaner reads a listing, "
        f"{sum(ceiling) / len(ceiling) - result.no_article / len(ceiling):.4f}.",
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
