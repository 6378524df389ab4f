"""The cleaned document: metadata plus the body as an ordered list of blocks.

A block is a heading (with its level), a paragraph, a list (ordered or not, whose items
may hold nested lists), a quote (holding blocks), a code block (verbatim lines, with the
language when the markup declares it) or a table (rows of cells, the first row marked as
a header when the page marks it so). Paragraphs, headings, list items and table cells
hold inline ``Span``s: plain text, links (resolved against the page URL), emphasis,
strong emphasis, code spans and line breaks (a span whose text is ``"\\n"``).

Plain text is one rendering of the blocks, never the data: ``Document.text`` and
``Document.render(fmt)`` go through ``scraper.render``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, NamedTuple

__all__ = [
    "FORMATS",
    "Block",
    "Code",
    "Comment",
    "Document",
    "Format",
    "Heading",
    "ListBlock",
    "ListItem",
    "Paragraph",
    "Quote",
    "Span",
    "Table",
    "plain",
]

Format = Literal["text", "markdown", "json", "html"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json", "html")


class Span(NamedTuple):
    """A run of inline text. ``text == "\\n"`` (with no other mark) is a line break.

    (A named tuple, not a dataclass: a page has thousands, made while its DOM is read.)"""

    text: str
    href: str | None = None
    emphasis: bool = False
    strong: bool = False
    code: bool = False

    @property
    def is_break(self) -> bool:
        return self.text == "\n" and not self.code


def plain(spans: tuple[Span, ...]) -> str:
    """The spans' text as one line per line break, spaces collapsed."""
    lines = "".join(s.text if s.is_break else s.text.replace("\n", " ") for s in spans)
    return "\n".join(" ".join(line.split()) for line in lines.split("\n")).strip()


@dataclass(frozen=True)
class Heading:
    level: int  # 1 to 6
    spans: tuple[Span, ...]
    type: Literal["heading"] = field(default="heading", init=False)


@dataclass(frozen=True)
class Paragraph:
    spans: tuple[Span, ...]
    type: Literal["paragraph"] = field(default="paragraph", init=False)


@dataclass(frozen=True)
class ListItem:
    spans: tuple[Span, ...]
    children: tuple[Block, ...] = ()  # nested lists, code, more paragraphs: after its text


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1
    type: Literal["list"] = field(default="list", init=False)


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]
    type: Literal["quote"] = field(default="quote", init=False)


@dataclass(frozen=True)
class Code:
    text: str  # verbatim: its lines and indentation, without a trailing newline
    language: str | None = None
    type: Literal["code"] = field(default="code", init=False)


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[tuple[Span, ...], ...], ...]  # rows of cells of spans
    header: bool = False  # the first row is a header row
    type: Literal["table"] = field(default="table", init=False)


Block = Heading | Paragraph | ListBlock | Quote | Code | Table


@dataclass(frozen=True)
class Comment:
    """A reader comment, kept apart from the article's text."""

    text: str
    author: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Document:
    """Article body (``blocks``) plus metadata.

    ``text`` is the body only: paragraphs separated by one blank line, with no title,
    byline or dateline in it (a code block keeps its lines inside one paragraph).
    """

    blocks: tuple[Block, ...]
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    site: str | None = None
    comments: tuple[Comment, ...] = ()
    # What the page says about itself (``scraper.metadata.read_page_info``); None when silent.
    canonical_url: str | None = None
    language: str | None = None  # a BCP 47 tag as the page gives it: "en", "pt-BR"
    description: str | None = None
    sitename: str | None = None  # the publication's name ("The Guardian"), not the site rule
    image: str | None = None
    tags: tuple[str, ...] = ()
    # What the page is (``scraper.cleaner.pagekind``): "article", "product", "forum" (a
    # thread of posts), or "page" (a listing, a home or service page: none of those);
    # None for a text dump.
    kind: str | None = None

    @cached_property
    def text(self) -> str:
        from scraper.render import render_text

        return render_text(self.blocks)

    @classmethod
    def from_text(cls, text: str, **metadata: Any) -> Document:
        """A document whose body is plain ``text`` (paragraphs split by a blank line)."""
        paragraphs = (p.strip() for p in text.split("\n\n"))
        blocks = tuple(Paragraph((Span(p),)) for p in paragraphs if p)
        return cls(blocks, **metadata)

    @property
    def word_count(self) -> int:
        """Words in ``text``, counted for every script (``scraper.cleaner.measures``)."""
        from scraper.cleaner.measures import word_count

        return word_count(self.text)

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p]

    def walk(self) -> Iterator[Block | ListItem]:
        """Every block and list item, depth first in reading order."""
        yield from _walk(self.blocks)

    def to_dict(self) -> dict[str, Any]:
        from scraper.render import blocks_to_json

        return {
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "url": self.url,
            "site": self.site,
            "canonical_url": self.canonical_url,
            "language": self.language,
            "description": self.description,
            "sitename": self.sitename,
            "image": self.image,
            "tags": list(self.tags),
            "kind": self.kind,
            "word_count": self.word_count,
            "text": self.text,
            "blocks": blocks_to_json(self.blocks),
            "comments": [
                {"author": c.author, "date": c.date, "text": c.text} for c in self.comments
            ],
        }

    def render(self, fmt: Format = "text", *, links: bool = False, comments: bool = False) -> str:
        """The document as ``fmt``, always ending in exactly one newline.

        ``links`` keeps inline links in markdown; ``comments`` renders the reader
        comments after the body (text, markdown, html).
        """
        from scraper.render import render

        return render(self, fmt, links=links, comments=comments)


def _walk(blocks: tuple[Block, ...]) -> Iterator[Block | ListItem]:
    for block in blocks:
        yield block
        if isinstance(block, Quote):
            yield from _walk(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield item
                yield from _walk(item.children)
