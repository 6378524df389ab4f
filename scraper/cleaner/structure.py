"""The page's structure, and the kept text dressed in it.

The readings (``scraper.cleaner.readings``) decide *what* text is the article; they work
on text, and each reads structure differently or not at all. Structure is read once,
here, from the pruned page's own markup: ``page_units`` walks the DOM into leaf *units*
(a paragraph, a heading with its level, a list item inside its nesting of lists, a table
row, a ``pre`` kept verbatim), each with its inline spans (links resolved against the
page URL, emphasis, code, line breaks) and its containers (lists, items, quotes).

``align`` then lays the kept paragraphs over those units: a run of kept paragraphs
whose letters and digits are exactly those of consecutive units, start to end, is
those units. The filters judge the paragraphs, knowing which runs are code; ``compose``
then builds the blocks: a run all of whose paragraphs stayed is its units, nested in
their lists, quotes and tables; any other paragraph stays a plain one, with its own text.

So structure never adds or loses words: a unit is used only when the reading kept
all of its text, and what the reading kept is never dropped. Where the reading starts a
paragraph between two spans that the markup writes word against word, the unit breaks
its line there, as the reading does (``_apart``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.document import (
    Block,
    Code,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Quote,
    Span,
    Table,
)
from scraper.measures import keys as key_list
from scraper.page.urls import join_url

__all__ = ["HEADING_LEVELS", "Run", "Unit", "align", "base_url", "compose", "page_units"]

_SKIP = frozenset({"script", "style", "template", "head", "title", "svg", "select", "option"})
_BLOCK = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "figure",
        "figcaption",
        "address",
        "details",
        "summary",
        "hr",
        "form",
        "fieldset",
        "legend",
        "center",
        "body",
        "html",
        "menu",
        "dir",
        "hgroup",
        "search",
    }
)
# Every stage that tells a heading from other blocks reads it here.
HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_EMPHASIS = frozenset({"em", "i", "cite", "dfn", "var"})
_STRONG = frozenset({"strong", "b"})
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_CELL_BLOCKS = "p, div, ul, ol, table, h1, h2, h3, h4, h5, h6, pre, blockquote, li, br"
_LANGUAGE = re.compile(r"\b(?:language|lang|highlight|brush)[-:_ ]+([\w+#.-]+)", re.IGNORECASE)
_BREAK = Span("\n")
_ANCHOR_SIGNS = " \t\n\u00a0¶#§🔗"
# a longer search for a unit that starts at a paragraph boundary is not worth its time
_TRIES = 8
# letters and digits of a unit placed before the others (about six words)
_ANCHOR = 30

Container = tuple[str, int, bool, int]  # (kind "list" | "item" | "quote", id, ordered, start)


class Unit(NamedTuple):
    """A leaf block of the page: its kind, content and the containers it sits in.

    (A named tuple: a page has thousands.) Link targets are as the page wrote them;
    ``compose`` resolves those of the units it keeps."""

    kind: str  # "p", "h", "pre", "row"
    spans: tuple[Span, ...] = ()
    level: int = 0  # a heading's
    code: str = ""  # a pre's verbatim text
    language: str | None = None
    cells: tuple[tuple[Span, ...], ...] = ()  # a table row's
    header: bool = False  # a header row
    table: int = -1  # the table a row belongs to
    path: tuple[Container, ...] = ()  # lists, items and quotes, outermost first

    def key(self) -> str:
        """Its text, as ``align`` compares it (letters and digits are what count)."""
        if self.kind == "pre":
            return self.code
        if self.kind == "row":
            return " ".join(s.text for cell in self.cells for s in cell)
        return "".join(s.text for s in self.spans)


def page_units(tree: LexborHTMLParser) -> list[Unit]:
    """The units of ``tree``'s body in page order (``tree`` is not changed)."""
    body = tree.body
    if body is None:
        return []
    walker = _Walker()
    walker.walk(body)
    walker.flush()
    return walker.units


def base_url(tree: LexborHTMLParser, url: str | None) -> str:
    """What the page's links are relative to: its ``<base href>``, else its URL."""
    base = url or ""
    node = tree.css_first("base[href]")
    if node is not None:
        base = join_url(base, node.attributes.get("href") or "") or base
    return base


class _Walker:
    def __init__(self) -> None:
        self.units: list[Unit] = []
        self.spans: list[Span] = []
        self.marks: tuple[str | None, bool, bool, bool] = (None, False, False, False)
        self.path: tuple[Container, ...] = ()
        self.ids = 0

    def flush(self) -> None:
        spans = self.spans
        if spans:
            if any(s.text.strip() for s in spans if s.text != "\n"):
                self.units.append(Unit("p", tuple(spans), path=self.path))
            self.spans = []

    def _id(self) -> int:
        self.ids += 1
        return self.ids

    def walk(self, node: LexborNode) -> None:
        """Read ``node``'s children: text and inline elements into the open paragraph's
        spans, blocks into units of their own."""
        child = node.child
        spans = self.spans
        while child is not None:
            tag = child.tag
            if tag == "-text":
                text = child.text_content
                # white space between blocks (indentation) opens no paragraph
                if text and (spans or not text.isspace()):
                    spans.append(Span(text, *self.marks))
            elif tag is None or tag in _SKIP or tag[0] == "-":
                pass
            elif tag == "br":
                spans.append(_BREAK)
            elif tag not in _BLOCK:
                self._inline(child, tag)
                spans = self.spans  # a block inside the inline element opened a new list
            else:
                self._block(child, tag)
                spans = self.spans
            child = child.next

    def _block(self, node: LexborNode, tag: str) -> None:
        if self.spans:
            self.flush()
        if tag in HEADING_LEVELS:
            self.walk(node)
            if self.spans:
                spans = _without_anchor(self.spans)
                self.units.append(Unit("h", spans, level=HEADING_LEVELS[tag], path=self.path))
                self.spans = []
        elif tag == "pre":
            self._pre(node)
        elif tag in ("ul", "ol", "menu", "dir"):
            self._container(node, ("list", self._id(), tag == "ol", _start(node)))
        elif tag == "li":
            self._container(node, ("item", self._id(), False, 0))
        elif tag == "blockquote":
            self._container(node, ("quote", self._id(), False, 0))
        elif tag == "table" and _is_data_table(node):
            self._table(node)
        else:
            self.walk(node)
        self.flush()

    def _inline(self, node: LexborNode, tag: str) -> None:
        saved = self.marks
        href, em, strong, code = saved
        if tag == "a":
            target = node.attributes.get("href")
            if target and not target.lower().startswith(("javascript:", "data:")):
                href = target.strip()
        em = em or tag in _EMPHASIS
        strong = strong or tag in _STRONG
        code = code or tag in _CODE
        self.marks = (href, em, strong, code)
        self.walk(node)
        self.marks = saved

    def _container(self, node: LexborNode, container: Container) -> None:
        saved = self.path
        self.path = (*saved, container)
        self.walk(node)
        self.flush()
        self.path = saved

    def _pre(self, node: LexborNode) -> None:
        text = (node.text(deep=True, separator="", strip=False) or "").replace("\r\n", "\n")
        text = text.strip("\n").rstrip()
        if text.strip():
            self.units.append(Unit("pre", code=text, language=_language(node), path=self.path))

    def _table(self, node: LexborNode) -> None:
        table = self._id()
        for row in node.css("tr"):
            cells = []
            header = row.parent is not None and row.parent.tag == "thead"
            tags = []
            for cell in row.iter():
                if cell.tag not in ("td", "th"):
                    continue
                tags.append(cell.tag)
                sub = _Walker()
                sub.walk(cell)
                cells.append(tuple(s for s in sub.spans if not s.is_break))
            if not cells:
                continue
            header = header or all(t == "th" for t in tags)
            self.units.append(
                Unit("row", cells=tuple(cells), header=header, table=table, path=self.path)
            )


def _without_anchor(spans: list[Span]) -> tuple[Span, ...]:
    """A heading's spans without the permalink sign at its end (¶, #, §)."""
    out = list(spans)
    while out and (out[-1].is_break or not out[-1].text.strip(_ANCHOR_SIGNS)):
        out.pop()
    if out:
        last = out[-1]
        out[-1] = last._replace(text=last.text.rstrip(_ANCHOR_SIGNS))
    return tuple(out)


def _start(node: LexborNode) -> int:
    value = node.attributes.get("start") or ""
    return int(value) if value.isdigit() else 1


def _language(node: LexborNode) -> str | None:
    """The language a ``pre`` declares, on itself, its ``code`` or a wrapper around it
    (``class="language-python"``, ``highlight-python``, ``brush: js``, ``data-lang``)."""
    parent = node.parent
    for candidate in (node, node.css_first("code"), parent, parent and parent.parent):
        if candidate is None:
            continue
        attrs = candidate.attributes
        if attrs.get("data-lang"):
            return str(attrs["data-lang"]).strip().lower() or None
        found = _LANGUAGE.search(attrs.get("class") or "")
        if found:
            return found.group(1).lower()
    return None


def _is_data_table(node: LexborNode) -> bool:
    """A table of data, not of layout: rows of two or more cells, none holding blocks."""
    rows = node.css("tr")
    if len(rows) < 2 or len(rows) > 2000:
        return False
    if max(len([c for c in r.iter() if c.tag in ("td", "th")]) for r in rows) < 2:
        return False
    return node.css_first(f"td :is({_CELL_BLOCKS}), th :is({_CELL_BLOCKS})") is None


# --- laying the kept paragraphs over the units ------------------------------------------


@dataclass(frozen=True)
class Run:
    """Kept paragraphs ``first`` to ``last`` and the units they are exactly, if any."""

    first: int
    last: int
    units: tuple[Unit, ...] = ()
    keyed: tuple[int, ...] = ()  # its paragraphs that hold a letter or digit

    @property
    def verbatim(self) -> bool:
        return any(u.kind == "pre" for u in self.units)


def align(paragraphs: list[str], units: list[Unit]) -> list[Run]:
    """The kept ``paragraphs`` as runs: a run of them that is exactly consecutive units,
    start to end, carries those units; every other paragraph is a run of its own.
    Paragraphs without a letter or digit (a code block's ``}``, a ``***`` rule) are in
    no run."""
    keys = key_list(paragraphs)
    whole = "".join(keys)
    offsets = list(accumulate((len(k) for k in keys), initial=0))
    starts = {offsets[i]: i for i in reversed(range(len(keys))) if keys[i]}
    ends = {offsets[i + 1]: i for i in range(len(keys)) if keys[i]}
    matches = _match(whole, starts, ends, units)
    out: list[Run] = []
    index = m = 0
    while index < len(paragraphs):
        if not keys[index]:
            index += 1
            continue
        begin = offsets[index]
        while m < len(matches) and matches[m][0] < begin:
            m += 1
        run_end, last, found = begin, m, -1
        while last < len(matches) and matches[last][0] == run_end:
            run_end = matches[last][1]
            last += 1
            if run_end in ends:
                found = ends[run_end]
                break
        if found < 0:
            out.append(Run(index, index, keyed=(index,)))
            index += 1
            continue
        keyed = tuple(i for i in range(index, found + 1) if keys[i])
        run = tuple(units[u] for _, _, u in matches[m:last])
        if len(keyed) > 1:  # the reading starts a new paragraph inside the run
            cuts = [offsets[i] for i in keyed[1:]]
            spans = zip(run, matches[m:last], strict=True)
            run = tuple(_apart(unit, start, end, cuts) for unit, (start, end, _) in spans)
        out.append(Run(index, found, run, keyed))
        m, index = last, found + 1
    return out


def _apart(unit: Unit, start: int, end: int, cuts: list[int]) -> Unit:
    """``unit`` (its letters and digits at ``start`` to ``end`` of the text) with a line
    break where the reading starts a paragraph between two of its spans that the markup
    writes together, word against word (``<span>2026</span><span>1h 54m</span>``): the
    page's style sheet shows them apart, as the reading read them. A word the markup
    splits into spans (a drop cap, "<span>T</span>he") is one word in the reading too."""
    inside = {cut - start for cut in cuts if start < cut < end}
    if not inside or not unit.spans:
        return unit
    out: list[Span] = []
    done = 0  # letters and digits before the span
    for span, key in zip(unit.spans, key_list([s.text for s in unit.spans]), strict=True):
        if done in inside and out and out[-1].text[-1:].isalnum() and span.text[:1].isalnum():
            out.append(_BREAK)
        out.append(span)
        done += len(key)
    return unit._replace(spans=tuple(out))


def compose(
    paragraphs: list[str], runs: list[Run], kept: set[int], base: str = ""
) -> tuple[Block, ...]:
    """The document's blocks: a run whose paragraphs were all kept is its units (their
    links resolved against ``base``); of the others, each kept paragraph (each line of
    it) is a plain paragraph."""
    units: list[Unit] = []
    links: dict[str, str | None] = {}  # a page links to the same few places again and again
    for run in runs:
        if run.units and all(i in kept for i in run.keyed):
            units.extend(_resolved(u, base, links) for u in run.units)
            continue
        for i in run.keyed:
            if i in kept:
                lines = (line for line in paragraphs[i].split("\n") if line.strip())
                units.extend(Unit("p", (Span(line),)) for line in lines)
    return tuple(_build(units))


def _resolved(unit: Unit, base: str, links: dict[str, str | None]) -> Unit:
    def resolve(href: str) -> str | None:
        if href not in links:
            links[href] = join_url(base, href)  # None: no browser could follow it
        return links[href]

    def spans(group: tuple[Span, ...]) -> tuple[Span, ...]:
        return tuple(s._replace(href=resolve(s.href)) if s.href else s for s in group)

    if unit.kind == "row":
        return unit._replace(cells=tuple(spans(cell) for cell in unit.cells))
    if not any(s.href for s in unit.spans):  # most units link nowhere: nothing to resolve
        return unit
    return unit._replace(spans=spans(unit.spans))


def _match(
    whole: str, starts: dict[int, int], ends: dict[int, int], units: list[Unit]
) -> list[tuple[int, int, int]]:
    """(start, end, unit index) of the units found in ``whole``, in order: each starts where
    a paragraph or the previous unit does and ends where a paragraph or the next unit does.

    Long units are placed first, as anchors; a short one ("Features", "Home") is then
    looked for only between the anchors around it, so that a menu's label cannot match
    a heading far down the text and skip everything between."""
    keys = key_list([u.key() for u in units])
    seen = Counter(keys)  # a text the page shows twice (a contents list) is no anchor
    long = [i for i, k in enumerate(keys) if len(k) >= _ANCHOR and seen[k] == 1]
    anchors = _find(whole, starts, ends, keys, long)
    order = sorted(anchors)
    out: list[tuple[int, int, int]] = []
    cursor, last_end, next_anchor = 0, -1, 0
    for index, key in enumerate(keys):
        if not key:
            continue
        if index in anchors:
            start, end = anchors[index]
            if start >= cursor:
                out.append((start, end, index))
                cursor = last_end = end
            next_anchor += 1
            continue
        while next_anchor < len(order) and order[next_anchor] < index:
            next_anchor += 1
        limit = anchors[order[next_anchor]][0] if next_anchor < len(order) else len(whole)
        found = _place(whole, starts, ends, keys, index, cursor, last_end, limit)
        if found is not None and _better_later(whole, keys, index, found[1], order, next_anchor):
            continue
        if found is not None:
            out.append((found[0], found[1], index))
            cursor = last_end = found[1]
    return out


def _better_later(
    whole: str, keys: list[str], index: int, end: int, order: list[int], next_anchor: int
) -> bool:
    """Whether a later unit with the same text (before the next anchor) fits the text
    better: the unit after it follows on where the one after ``index`` does not (a
    table of contents repeats the headings of the page)."""
    stop = order[next_anchor] if next_anchor < len(order) else len(keys)
    key = keys[index]

    def followed(i: int) -> bool:
        after = next((k for k in keys[i + 1 : i + 3] if k), "")
        return bool(after) and whole.startswith(after, end)

    if followed(index):
        return False
    return any(keys[j] == key and followed(j) for j in range(index + 1, min(stop, index + 400)))


def _find(
    whole: str, starts: dict[int, int], ends: dict[int, int], keys: list[str], which: list[int]
) -> dict[int, tuple[int, int]]:
    """The anchors: each unit of ``which`` where it first fits the text, then the longest
    set of them in the same order in the page and in the text (a box the page shows
    early but the reading keeps late must not hide every unit between)."""
    found: list[tuple[int, int, int]] = []  # (unit, start, end)
    for index in which:
        key = keys[index]
        before = next((k for k in reversed(keys[max(0, index - 2) : index]) if k), "")
        start = whole.find(key)
        tries = 0
        while start >= 0 and tries < _TRIES:
            end = start + len(key)
            after = next((k for k in keys[index + 1 : index + 3] if k), "")
            if (start in starts or (before and whole.startswith(before, start - len(before)))) and (
                end in ends or (after and whole.startswith(after, end))
            ):
                found.append((index, start, end))
                break
            start = whole.find(key, start + 1)
            tries += 1
    return {unit: (start, end) for unit, start, end in _increasing(found)}


def _increasing(found: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The longest run of ``found`` (in unit order) whose text positions increase without
    overlapping (patience sorting, O(n log n))."""
    tails: list[int] = []  # tails[k]: index in ``found`` of the end of the best run of k + 1
    tail_starts: list[int] = []  # their starts, for bisection
    back: list[int] = []
    for n, (_, start, _) in enumerate(found):
        k = bisect_left(tail_starts, start)
        # a run may grow only past the end of the one it extends
        while k > 0 and found[tails[k - 1]][2] > start:
            k -= 1
        back.append(tails[k - 1] if k > 0 else -1)
        if k == len(tails):
            tails.append(n)
            tail_starts.append(start)
        elif start < tail_starts[k]:
            tails[k], tail_starts[k] = n, start
    out = []
    n = tails[-1] if tails else -1
    while n >= 0:
        out.append(found[n])
        n = back[n]
    return out[::-1]


def _place(
    whole: str,
    starts: dict[int, int],
    ends: dict[int, int],
    keys: list[str],
    index: int,
    cursor: int,
    last_end: int,
    limit: int,
) -> tuple[int, int] | None:
    key = keys[index]
    following = next((k for k in keys[index + 1 : index + 4] if k), "")
    found = whole.find(key, cursor, limit)
    tries = 0
    while found >= 0 and tries < _TRIES:
        end = found + len(key)
        if (found in starts or found == last_end) and (
            end in ends or (following and whole.startswith(following, end))
        ):
            return found, end
        found = whole.find(key, found + 1, limit)
        tries += 1
    return None


def _build(units: list[Unit]) -> list[Block]:
    """Blocks from consecutive units, nesting them in their lists and quotes."""
    out: list[Block] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.path:
            head = unit.path[0]
            j = i
            while j < len(units) and units[j].path[:1] == (head,):
                j += 1
            inner = [_pop(u) for u in units[i:j]]
            if head[0] == "quote":
                out.append(Quote(tuple(_build(inner))))
            elif head[0] == "list":
                out.append(_list(head, inner))
            else:  # an item outside a list: its units as they are
                out.extend(_build(inner))
            i = j
        elif unit.kind == "row":
            j = i
            while j < len(units) and units[j].kind == "row" and units[j].table == unit.table:
                j += 1
            rows = units[i:j]
            out.append(Table(tuple(r.cells for r in rows), header=rows[0].header))
            i = j
        else:
            out.append(_leaf(unit))
            i += 1
    return out


def _pop(unit: Unit) -> Unit:
    return unit._replace(path=unit.path[1:])


def _leaf(unit: Unit) -> Block:
    if unit.kind == "h":
        return Heading(unit.level, unit.spans)
    if unit.kind == "pre":
        return Code(unit.code, unit.language)
    if unit.kind == "row":
        return Table((unit.cells,), header=unit.header)
    return Paragraph(unit.spans)


def _list(head: Container, units: list[Unit]) -> ListBlock:
    items: list[ListItem] = []
    i = 0
    while i < len(units):
        first = units[i].path[:1]
        j = i + 1
        if first and first[0][0] == "item":
            while j < len(units) and units[j].path[:1] == first:
                j += 1
        group = [_pop(u) for u in units[i:j]] if first and first[0][0] == "item" else units[i:j]
        spans: tuple[Span, ...] = ()
        if group and not group[0].path and group[0].kind in ("p", "h"):
            spans, group = group[0].spans, group[1:]
        items.append(ListItem(spans, tuple(_build(group))))
        i = j
    return ListBlock(ordered=head[2], items=tuple(items), start=head[3])
