"""How much of a page's structure the cleaned document keeps (a benchmark measure).

Of the source page's ``pre``, ``h2``–``h4`` and ``li`` elements whose text the cleaner
kept (their letters and digits are those of whole paragraphs of the document's text) and
that the page shows once, the share rendered as a code
block with the same lines, as a heading, as a list item; and the share of the text's
words found in the markdown rendering read back to text by markdown-it-py.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from scraper.document import Code, Document, Heading, ListItem, plain
from scraper.measures import letters_and_digits
from scraper.render import render

__all__ = [
    "StructureCounts",
    "markdown_words",
    "structure_counts",
    "structure_figures",
    "structure_shares",
]

_WORD = re.compile(r"\w+")


@dataclass
class StructureCounts:
    """Kept and kept-with-structure counts, summed over pages."""

    code_kept: int = 0
    code_same: int = 0
    headings_kept: int = 0
    headings_same: int = 0
    items_kept: int = 0
    items_same: int = 0
    words: int = 0
    words_found: int = 0
    pages: int = field(default=0)

    def add(self, other: StructureCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def shares(self) -> dict[str, float | None]:
        def share(a: int, b: int) -> float | None:
            return a / b if b else None

        return {
            "code blocks": share(self.code_same, self.code_kept),
            "headings": share(self.headings_same, self.headings_kept),
            "list items": share(self.items_same, self.items_kept),
            "words in the markdown": share(self.words_found, self.words),
        }


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.rstrip() for line in text.strip("\n").split("\n") if line.strip())


def _runs(doc: Document, longest: int = 8) -> set[str]:
    """The keys of every run of up to ``longest`` consecutive paragraphs of the text: an
    element's text is kept when it is such a run (not a phrase inside a paragraph)."""
    keys = [letters_and_digits(p) for p in doc.paragraphs]
    return {
        "".join(keys[i:j])
        for i in range(len(keys))
        for j in range(i + 1, min(i + longest, len(keys)) + 1)
    } - {""}


def structure_counts(html: str, doc: Document) -> StructureCounts:
    """The counts for one source page and its cleaned document."""
    counts = StructureCounts(pages=1)
    tree = LexborHTMLParser(html)
    kept = _runs(doc)
    codes = {_lines(b.text) for b in doc.walk() if isinstance(b, Code)}
    headings = {letters_and_digits(plain(b.spans)) for b in doc.walk() if isinstance(b, Heading)}
    items = {letters_and_digits(plain(b.spans)) for b in doc.walk() if isinstance(b, ListItem)}
    # an element whose text the page shows twice (a contents list, a repeated label) is
    # left out: which of its copies the text kept cannot be told
    shown = Counter(
        letters_and_digits(n.text(deep=True, separator=" "))
        for n in tree.css("h1, h2, h3, h4, h5, h6, li, p, dt, dd, td, th, figcaption, summary")
    )
    for node in tree.css("pre"):
        text = node.text(deep=True, separator="", strip=False) or ""
        key = letters_and_digits(text)
        key = key if key and len(_lines(text)) <= 8 else ""  # longer code: is it all kept?
        if not key and text.strip() and letters_and_digits(text) in letters_and_digits(doc.text):
            counts.code_kept += 1
            counts.code_same += _lines(text) in codes
            continue
        if key in kept:
            counts.code_kept += 1
            counts.code_same += _lines(text) in codes
    for node in tree.css("h2, h3, h4"):
        key = letters_and_digits(node.text(deep=True, separator=" "))
        if key in kept and shown[key] == 1:
            counts.headings_kept += 1
            counts.headings_same += key in headings
    for node in tree.css("li"):
        key = letters_and_digits(node.text(deep=True, separator=" "))
        for nested in node.css("ul, ol, pre, table, blockquote"):
            key = key.replace(letters_and_digits(nested.text(deep=True, separator=" ")), "", 1)
        if key in kept and shown[key] <= 1:
            counts.items_kept += 1
            counts.items_same += key in items
    words = Counter(_WORD.findall(doc.text.lower()))
    found = Counter(_WORD.findall(markdown_words(doc).lower()))
    counts.words = sum(words.values())
    counts.words_found = sum((words & found).values())
    return counts


def markdown_words(doc: Document) -> str:
    """The document's markdown rendering (body only), read back to text by markdown-it."""
    body = render(doc, "markdown")
    if body.startswith("---\n"):
        body = body.split("\n---\n", 1)[1]
    parts: list[str] = []
    for token in MarkdownIt("commonmark").enable("table").parse(body):
        if token.type == "fence" or token.type == "code_block":
            parts.append(token.content)
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append("\n")
        parts.append("\n")
    return "".join(parts)


def structure_figures(case: object, doc: object) -> dict[str, float]:
    """One page's counts (see ``StructureCounts``), for the report to pool over pages."""
    if not isinstance(doc, Document):
        return {}
    page = case.page()  # type: ignore[attr-defined]
    html = page.decode("utf-8", "replace") if isinstance(page, bytes) else str(page)
    counts = structure_counts(html, doc)
    return {name: float(getattr(counts, name)) for name in StructureCounts.__dataclass_fields__}


def structure_shares(pages: list[dict[str, float]]) -> dict[str, float | None]:
    """The shares of ``StructureCounts.shares`` pooled over pages' figures."""
    total = StructureCounts()
    for figures in pages:
        total.add(StructureCounts(**{k: int(v) for k, v in figures.items()}))
    return total.shares()
