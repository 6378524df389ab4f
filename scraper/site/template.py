"""Learn a site's template from some of its pages, and lay it over a new page.

The pages of one site share a template. A block whose key (path and text, see
``fingerprint``) recurs on most of the sample is the site's chrome: an article's own text is
on its own page only. The article's container is the path that, page after page, best
encloses what is left: the text found on that page alone, outside links (the F-measure of
that text against the container's whole text, averaged over the pages). A line of text
(``fingerprint``) on most pages is chrome too, in whatever block it sits: a paragraph of
the cleaned text that says just that goes. Counting is done
per page, once, so the same pages in any order give the same template; a listing or a home
page in the sample only lowers counts, it adds no chrome.

A new page *fits* the template when it shows most of the template's skeleton (its shallow
paths that most pages hold), or as much of it as the least of the sample's article pages
showed (a site of two layouts, its blog beside its news), and, when there is a container,
the container too; a page that does not fit (the site changed its layout) is cleaned
without the template.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.errors import InputError
from scraper.measures import word_count
from scraper.page.parse import drop_code, flatten_deep
from scraper.site.fingerprint import (
    Element,
    PageFingerprint,
    Step,
    Walk,
    line_key,
    outline_tree,
    walk_tree,
)

__all__ = ["Container", "SiteTemplate", "TemplateFit", "learn_from_fingerprints"]

VERSION = 1
# The skeleton: paths this shallow that most pages hold (the page's outer layout).
SKELETON_DEPTH = 4
# A page that shows less of the skeleton than this does not fit (its layout changed), unless
# an article page of the sample showed less (a site of two layouts: see ``learn``)
SKELETON_SHARE = 0.5
# A container that does not enclose, on average, more of the pages' own text than it misses
# or adds is no container.
MIN_CONTAINER_SCORE = 0.5
# The longest slot read for the page's date: a line ("Posted by … at 10:04 AM on 12/3/2012").
SLOT_LINE_WORDS = 30
# The paths of pages a template keeps spelled (a few hundred a page; most recur).
MAX_CACHED_STEPS = 50_000


class Container(NamedTuple):
    """A path that holds the article on ``pages`` of the sample, with its mean F there."""

    path: int  # hash
    text: str | None  # the same path, readable (``div#main/div.story``), when known
    pages: int
    score: float
    # which of the elements on the path (in the page's order) is the article, where a page
    # holds several (the cells of a table's row) and one of them encloses the page's own
    # text better than all of them together, on most pages; None: all of them
    occurrence: int | None = None

    def held(self, elements: Sequence[Element]) -> list[int]:
        """The indexes of the container's elements in a page's ``elements``: those on its
        path (the one it names, when the page holds that many)."""
        found = [i for i, e in enumerate(elements) if e.path == self.path]
        if self.occurrence is not None and len(found) > self.occurrence:
            return [found[self.occurrence]]
        return found


@dataclass(frozen=True)
class SiteTemplate:
    """A site's chrome (block keys) and its article's container (a path), with its evidence."""

    pages: int  # the pages it was learned from
    chrome: frozenset[int]
    skeleton: frozenset[int]
    containers: tuple[Container, ...] = ()  # the first a page holds is its container
    site: str | None = None
    # the paths of the chrome blocks: only a block on one of them can be chrome, so only
    # theirs need a key when the template is laid over a page (None: not known, all do)
    chrome_paths: frozenset[int] | None = None
    # paths whose texts, page after page, are texts other pages show too (a date line, a
    # byline, a "related stories" box): their blocks are chrome whatever they say
    slots: frozenset[int] = frozenset()
    # the lines most pages hold (``line_key``): a paragraph that says one is chrome
    lines: frozenset[int] = frozenset()
    # the least share of the skeleton a page must show to fit: SKELETON_SHARE, or less where
    # a page of the sample that held a container showed less (a variant of the layout)
    skeleton_share: float = SKELETON_SHARE
    # the paths laying the template over pages has spelled, kept for the next page (a
    # cache: neither learned nor stored, nor compared)
    _steps: dict[Step, tuple[str, int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "site": self.site,
            "pages": self.pages,
            "chrome": sorted(self.chrome),
            "skeleton": sorted(self.skeleton),
            **({} if self.chrome_paths is None else {"chrome_paths": sorted(self.chrome_paths)}),
            "slots": sorted(self.slots),
            "lines": sorted(self.lines),
            **(
                {}
                if self.skeleton_share == SKELETON_SHARE
                else {"skeleton_share": self.skeleton_share}
            ),
            "containers": [
                {
                    "hash": c.path,
                    "path": c.text,
                    "pages": c.pages,
                    "score": round(c.score, 4),
                    **({} if c.occurrence is None else {"occurrence": c.occurrence}),
                }
                for c in self.containers
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteTemplate:
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise InputError(f"not a site template of version {VERSION}")
        try:
            return cls(
                pages=int(data["pages"]),
                chrome=frozenset(int(k) for k in data["chrome"]),
                skeleton=frozenset(int(k) for k in data["skeleton"]),
                containers=tuple(
                    Container(
                        int(c["hash"]),
                        c.get("path"),
                        int(c["pages"]),
                        float(c["score"]),
                        None if c.get("occurrence") is None else int(c["occurrence"]),
                    )
                    for c in data["containers"]
                ),
                site=data.get("site"),
                chrome_paths=(
                    frozenset(int(k) for k in data["chrome_paths"])
                    if "chrome_paths" in data
                    else None
                ),
                slots=frozenset(int(k) for k in data.get("slots", ())),
                lines=frozenset(int(k) for k in data.get("lines", ())),
                skeleton_share=float(data.get("skeleton_share", SKELETON_SHARE)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"site template: bad or missing field ({exc})") from exc

    @classmethod
    def from_json(cls, text: str) -> SiteTemplate:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InputError(f"site template: not JSON ({exc})") from exc
        return cls.from_dict(data)

    @property
    def empty(self) -> bool:
        """Whether the pages it was learned from share nothing it could find on a page:
        no chrome, no slot, no container (pages of different sites, of different kinds)."""
        return not self.chrome and not self.slots and not self.containers

    def without_lines(self, paragraphs: Sequence[str]) -> list[str]:
        """``paragraphs`` less those that say one of the template's lines."""
        if not self.lines:
            return list(paragraphs)
        return [p for p in paragraphs if line_key(p) not in self.lines]

    def fit(self, walk: Walk) -> TemplateFit:
        """How ``walk``'s page fits the template: which of its blocks are chrome and where
        its container is; ``reason`` says why it does not fit."""
        if self.skeleton:
            found = _share(self.skeleton, walk.elements)
            if found < self.skeleton_share:
                return TemplateFit(False, f"layout changed: {found:.0%} of the template's skeleton")
        container: list[int] = []
        for box in self.containers:
            container = box.held(walk.elements)
            if container:
                break
        if self.containers and not container:
            return TemplateFit(False, "the template's container is missing")
        chrome = _chrome_mask(walk.elements, self.chrome, self.slots)
        top = [i for i, e in enumerate(walk.elements) if chrome[i] and not _parent_in(e, chrome)]
        if not top and not container:
            # a template that knows nothing of this page: learned from pages that share no
            # chrome, or laid over a page whose every block is new (the layout changed)
            return TemplateFit(False, "none of the template's chrome is on the page")
        return TemplateFit(True, None, tuple(top), tuple(container))

    def apply(self, tree: LexborHTMLParser) -> tuple[LexborHTMLParser, TemplateFit]:
        """``tree`` less the template's chrome and cut to its container (the head kept),
        when the page fits; else ``tree`` as it was but for the body's scripts and styles
        (which pruning takes in any case)."""
        if self.chrome_paths is None:  # a template stored before it kept them
            walk = walk_tree(tree)
        else:
            # without code, lexbor reads each block's text as a fingerprint does
            drop_code(tree)
            if len(self._steps) > MAX_CACHED_STEPS:  # a site of ever new paths
                self._steps.clear()
            walk = outline_tree(tree, self.chrome_paths, self.chrome, self._steps)
        fit = self.fit(walk)
        if not fit.fits:
            return tree, fit
        # a date line is one line: a slot that holds a box (related stories) holds no date
        # of the page's, and would cost a date search its whole markup
        lines = (walk.nodes[i] for i in fit.chrome if walk.elements[i].path in self.slots)
        slot_html = "".join(
            node.html or ""
            for node in lines
            if word_count(node.text(deep=True, separator=" ")) <= SLOT_LINE_WORDS
        )
        fit = replace(fit, slot_html=slot_html)
        chrome = set(fit.chrome)
        # a container inside chrome stays (it is what the page is about); chrome inside the
        # container goes
        kept = [i for i in fit.container if not _inside(walk.elements, i, chrome)]
        for i in fit.chrome:
            if not any(_inside(walk.elements, k, {i}) for k in kept):
                walk.nodes[i].decompose()
        if kept:
            # the container holds this page's own text, as it held the sample's: else the
            # page is of another kind (a listing) whose text lies elsewhere
            body = tree.body
            held = sum(_prose_words(walk.nodes[i]) for i in kept)
            words = word_count(body.text(deep=True, separator=" ")) if body is not None else 0
            # (the page's words bound its own: the links are counted only when it matters)
            total = _prose_words(body) if body is not None and 2 * held < words else 0
            if total and 2 * held < total:
                share = held / total
                reason = f"the template's container holds {share:.0%} of the page's own text"
                return _reread(tree), TemplateFit(False, reason)
            head = tree.head.html if tree.head is not None else ""
            cut = "".join(walk.nodes[i].html or "" for i in kept)
            tree = LexborHTMLParser(f"<html>{head}<body>{cut}</body></html>")
        return tree, fit


@dataclass(frozen=True)
class TemplateFit:
    fits: bool
    reason: str | None = None
    chrome: tuple[int, ...] = ()  # the topmost chrome blocks (indexes in the walk)
    container: tuple[int, ...] = ()
    # the slot lines ``apply`` took away, as HTML: a date line is chrome to the article,
    # and yet the page's date
    slot_html: str = ""


def _reread(tree: LexborHTMLParser) -> LexborHTMLParser:
    """``tree`` as it was parsed, its scripts and styles dropped (a page that turned out not
    to fit once its chrome was cut: rare, and a parse costs less than checking first)."""
    fresh = LexborHTMLParser(tree.raw_html.decode("utf-8", "replace"))
    flatten_deep(fresh)
    drop_code(fresh)
    return fresh


def _prose_words(node: LexborNode) -> int:
    """``node``'s words outside links (a page's own text, once its chrome is gone)."""
    words = word_count(node.text(deep=True, separator=" "))
    return words - sum(word_count(a.text(deep=True, separator=" ")) for a in node.css("a"))


def _parent_in(element: Element, mask: list[bool]) -> bool:
    return element.parent >= 0 and mask[element.parent]


def _inside(elements: Sequence[Element], index: int, ancestors: set[int]) -> bool:
    """Whether ``index`` is one of ``ancestors`` or lies inside one."""
    while index >= 0:
        if index in ancestors:
            return True
        index = elements[index].parent
    return False


def _chrome_mask(
    elements: Sequence[Element], chrome: frozenset[int], slots: frozenset[int] = frozenset()
) -> list[bool]:
    """Per element: it, or a block it lies in, is chrome (elements come parents first)."""
    mask = [False] * len(elements)
    for i, e in enumerate(elements):
        mask[i] = e.key in chrome or e.path in slots or (e.parent >= 0 and mask[e.parent])
    return mask


def _depths(elements: Sequence[Element]) -> list[int]:
    depth = [0] * len(elements)
    for i, e in enumerate(elements):
        depth[i] = depth[e.parent] + 1 if e.parent >= 0 else 1
    return depth


def _own_text_share(
    elements: Sequence[Element], chrome: frozenset[int], slots: frozenset[int]
) -> list[int]:
    """Per element, its words that are neither chrome nor link text (deep)."""
    mask = _chrome_mask(elements, chrome, slots)
    unique = [0 if mask[i] else e.own_words - e.own_link_words for i, e in enumerate(elements)]
    for i in range(len(elements) - 1, -1, -1):  # children come after their parents
        parent = elements[i].parent
        if parent >= 0:
            unique[parent] += unique[i]
    return unique


def learn_from_fingerprints(
    pages: Iterable[PageFingerprint],
    *,
    paths: dict[int, str] | None = None,
    site: str | None = None,
) -> SiteTemplate:
    """A template from the fingerprints of some pages of one site (``paths``: readable
    paths by hash, for the container's, when known)."""
    given = list(pages)
    sample = _one_per_text(_distinct(given))
    n = len(sample)
    if n < 2:
        # pages with no text in any block (all of it drawn by scripts) are alike to a
        # template: say so, or "got 1" of four different pages reads as a bug
        blank = sum(1 for p in given if not p.lines and not any(e.key for e in p.elements))
        why = (
            f"; {blank} hold no text in their blocks"
            if blank > 1
            else "; pages whose blocks say mostly the same count once"
            if len(given) > n
            else ""
        )
        raise InputError(
            f"a site template needs at least 2 distinct pages, got {n} (of {len(given)} given{why})"
        )
    majority = n // 2 + 1
    keys: Counter[int] = Counter()
    shallow: Counter[int] = Counter()
    lines: Counter[int] = Counter()
    for page in sample:
        keys.update({e.key for e in page.elements if e.key})
        lines.update(page.lines)
        depth = _depths(page.elements)
        pairs = zip(page.elements, depth, strict=True)
        shallow.update({e.path for e, d in pairs if d <= SKELETON_DEPTH})
    chrome = frozenset(k for k, c in keys.items() if c >= majority)
    chrome_paths = frozenset(e.path for page in sample for e in page.elements if e.key in chrome)
    slots = _slots(sample, keys, majority)
    skeleton = frozenset(p for p, c in shallow.items() if c >= majority)
    # the container: on each page, the path that best encloses the page's own text; a site
    # with variants of its template has one such path a variant
    best_on: Counter[int] = Counter()
    f_sum: dict[int, float] = defaultdict(float)
    # per path, on each page that chose it: which of its elements there was the article, when
    # one of several enclosed the page's own text better than all of them together
    which: dict[int, list[int | None]] = defaultdict(list)
    # per page that chose a path: that path and the share of the skeleton it shows
    chosen: list[tuple[int, float]] = []
    for page in sample:
        unique = _own_text_share(page.elements, chrome, slots)
        total = sum(u for u, e in zip(unique, page.elements, strict=True) if e.parent < 0)
        if not total:
            continue
        best: dict[int, float] = {}
        at: dict[int, int] = {}  # the element of that best F
        for i, (u, e) in enumerate(zip(unique, page.elements, strict=True)):
            if u and e.words:
                f = 2 * u / (e.words + total)  # F of precision u/words and recall u/total
                if f > best.get(e.path, 0.0):
                    best[e.path], at[e.path] = f, i
        path, top = min(best.items(), key=lambda kv: (-kv[1], kv[0]))
        if top >= MIN_CONTAINER_SCORE:
            chosen.append((path, _share(skeleton, page.elements)))
            best_on[path] += 1
            f_sum[path] += top
            which[path].append(_one_of(page.elements, unique, path, at[path], top, total))
    # a path best on one page only is that page's, not the template's; ties go to the
    # smaller hash, so that the order of pages is no matter
    containers = sorted(
        (p for p, c in best_on.items() if c >= 2), key=lambda p: (-best_on[p], -f_sum[p], p)
    )
    # a page like the article pages it was learned from fits, whichever layout of the site
    # it has: the skeleton is most pages' layout, and a site's second layout (a blog beside
    # its news) shows less of it; pages that held no container (a listing, the home page)
    # do not lower the bar
    held = [share for path, share in chosen if path in containers]
    skeleton_share = min([SKELETON_SHARE, *held])
    return SiteTemplate(
        pages=n,
        chrome=chrome,
        skeleton=skeleton,
        containers=tuple(
            Container(
                p,
                (paths or {}).get(p),
                best_on[p],
                round(f_sum[p] / best_on[p], 4),
                _most_pages(which[p]),
            )
            for p in containers
        ),
        site=site,
        chrome_paths=chrome_paths,
        slots=slots,
        lines=frozenset(k for k, c in lines.items() if c >= majority),
        # four places: a short value in the JSON, and never above what the pages showed
        skeleton_share=math.floor(skeleton_share * 10_000) / 10_000,
    )


def _share(skeleton: frozenset[int], elements: Sequence[Element]) -> float:
    """The share of ``skeleton`` that a page of ``elements`` shows (when learning and when
    laying the template over a page alike)."""
    if not skeleton:
        return 1.0
    return len(skeleton & {e.path for e in elements}) / len(skeleton)


def _one_of(
    elements: Sequence[Element], unique: list[int], path: int, chosen: int, f: float, total: int
) -> int | None:
    """Which of the elements on ``path`` the ``chosen`` one is (its F against the page's own
    text ``f``), when the path has several and it encloses that text better than all of them
    together; None when it does not."""
    on_path = [i for i, e in enumerate(elements) if e.path == path]
    if len(on_path) < 2:
        return None
    own = sum(unique[i] for i in on_path)
    words = sum(elements[i].words for i in on_path)
    return on_path.index(chosen) if f > 2 * own / (words + total) else None


def _most_pages(values: list[int | None]) -> int | None:
    """The value most of ``values`` (more than half) hold; None when none does."""
    counts = Counter(values)
    # ties cannot hold more than half each: the first in order of counts is the one
    value, count = max(counts.items(), key=lambda kv: (kv[1], -1 if kv[0] is None else kv[0]))
    return value if 2 * count > len(values) else None


def _slots(sample: Sequence[PageFingerprint], keys: Counter[int], majority: int) -> frozenset[int]:
    """The paths where most blocks (chrome aside) say what another page of the sample says
    too: a slot the template fills from a few values (a date line, a byline, a section's
    name) or from what other pages link to (a "related stories" box). An article's own
    text is on its page alone, wherever it sits; it takes four pages or more for a text
    to recur on two and yet not be chrome."""
    blocks: Counter[int] = Counter()
    recurring: Counter[int] = Counter()
    for page in sample:
        for e in page.elements:
            if e.key and keys[e.key] < majority:
                blocks[e.path] += 1
                recurring[e.path] += keys[e.key] >= 2
    return frozenset(p for p, n in blocks.items() if 2 * recurring[p] > n)


def _one_per_text(sample: list[PageFingerprint]) -> list[PageFingerprint]:
    """``sample`` (in its order) less each page whose text, beyond what a third page shows
    too, mostly is on a page kept before it, and the other way round: one story at two
    addresses (a print view, a link with a tracking query, a category listed twice) would
    make chrome or slots of its text, and of the article's own paths. Two pages alone
    cannot tell their chrome from such a text: they are kept."""
    if len(sample) < 3:
        return sample
    keys: Counter[int] = Counter()
    words: list[dict[int, int]] = []
    for page in sample:
        mine: dict[int, int] = defaultdict(int)
        for e in page.elements:
            if e.key:
                mine[e.key] += e.own_words
        words.append(mine)
        keys.update(mine.keys())
    kept: list[int] = []
    for i, mine in enumerate(words):
        if not any(_mostly_shared(mine, words[k], keys) for k in kept):
            kept.append(i)
    return [sample[i] for i in kept]


def _mostly_shared(a: dict[int, int], b: dict[int, int], pages: Counter[int]) -> bool:
    """Whether more than half of the words each of two pages holds beyond what a third page
    shows lie in blocks both hold (``pages``: on how many pages of the sample each key is)."""
    common = [k for k in a.keys() & b.keys() if pages[k] == 2]
    for one in (a, b):
        alone = sum(n for k, n in one.items() if pages[k] == 1)
        both = sum(one[k] for k in common)
        if not both or 2 * both <= alone + both:
            return False
    return True


def _distinct(pages: Iterable[PageFingerprint]) -> list[PageFingerprint]:
    """The pages once each (a page fetched twice would count its article as chrome), in an
    order that does not depend on the order given."""
    seen: dict[tuple[frozenset[int], frozenset[int]], PageFingerprint] = {}
    for page in pages:
        seen.setdefault((frozenset(e.key for e in page.elements), page.lines), page)
    return [seen[k] for k in sorted(seen, key=lambda k: (sorted(k[0]), sorted(k[1])))]
