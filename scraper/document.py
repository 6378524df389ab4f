"""The cleaned document: metadata plus the body as an ordered list of blocks.

A block is a heading (with its level), a paragraph, a list (ordered or not, whose items
may hold nested lists), a quote (holding blocks), a code block (verbatim lines, with the
language when the markup declares it) or a table (rows of cells, the first row marked as
a header when the page marks it so). Paragraphs, headings, list items and table cells
hold inline ``Span``s: plain text, links (resolved against the page URL), emphasis,
strong emphasis, code spans and line breaks (a span whose text is ``"\\n"``).

Plain text is one reading of the blocks, never the data: ``Document.text`` is
``render_text(blocks)``, and the other formats are ``scraper.render.render(doc, fmt)``; this
module imports no renderer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, NamedTuple

from scraper.measures import word_count

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
    "blocks_to_json",
    "plain",
    "render_text",
    "text_paragraphs",
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
    # What the page says about itself (``scraper.page.metadata.read_page_info``); None when silent.
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
    # How it was cleaned: "generic", or "template" (the site's learned template fitted);
    # ``template_note`` says why a template given did not fit (its layout drifted).
    cleaned_with: str = "generic"
    template_note: str | None = None
    # How the text was read (``scraper.cleaner.readings.READINGS``): "trafilatura",
    # "trafilatura-recall", "justext", "blocks" (the page's own blocks) or "template" (the
    # site template's container); None for a text dump.
    reading: str | None = None

    @cached_property
    def text(self) -> str:
        return render_text(self.blocks)

    @classmethod
    def from_text(cls, text: str, **metadata: Any) -> Document:
        """A document whose body is plain ``text`` (paragraphs split by a blank line)."""
        paragraphs = (p.strip() for p in text.split("\n\n"))
        blocks = tuple(Paragraph((Span(p),)) for p in paragraphs if p)
        return cls(blocks, **metadata)

    @property
    def word_count(self) -> int:
        """Words in ``text``, counted for every script (``scraper.measures``)."""
        return word_count(self.text)

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p]

    def walk(self) -> Iterator[Block | ListItem]:
        """Every block and list item, depth first in reading order."""
        yield from _walk(self.blocks)

    def to_dict(self) -> dict[str, Any]:
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
            "cleaned_with": self.cleaned_with,
            "template_note": self.template_note,
            "reading": self.reading,
            "word_count": self.word_count,
            "text": self.text,
            "blocks": blocks_to_json(self.blocks),
            "comments": [
                {"author": c.author, "date": c.date, "text": c.text} for c in self.comments
            ],
        }


def _walk(blocks: tuple[Block, ...]) -> Iterator[Block | ListItem]:
    for block in blocks:
        yield block
        if isinstance(block, Quote):
            yield from _walk(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield item
                yield from _walk(item.children)


def text_paragraphs(blocks: tuple[Block, ...]) -> list[str]:
    """The blocks as plain paragraphs: one per heading, paragraph (and line in it), list
    item, table row and code block (which keeps its lines and indentation, without blank
    lines)."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading | Paragraph):
            out.extend(plain(block.spans).split("\n"))  # a line break ends a paragraph here
        elif isinstance(block, ListBlock):
            for item in block.items:
                out.extend(plain(item.spans).split("\n"))
                out.extend(text_paragraphs(item.children))
        elif isinstance(block, Quote):
            out.extend(text_paragraphs(block.blocks))
        elif isinstance(block, Code):
            out.append("\n".join(line.rstrip() for line in block.text.split("\n") if line.strip()))
        elif isinstance(block, Table):
            for row in block.rows:
                out.append(" | ".join(plain(cell) for cell in row if plain(cell)))
    return [p for p in out if p.strip()]


def render_text(blocks: tuple[Block, ...]) -> str:
    """Paragraphs separated by one blank line."""
    return "\n\n".join(text_paragraphs(blocks))


def blocks_to_json(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    return [_block_json(b) for b in blocks]


def _spans_json(spans: tuple[Span, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"text": plain(spans)}
    if any(s.href or s.emphasis or s.strong or s.code or s.is_break for s in spans):
        out["spans"] = [
            {
                k: v
                for k, v in (
                    ("text", s.text),
                    ("href", s.href),
                    ("emphasis", s.emphasis),
                    ("strong", s.strong),
                    ("code", s.code),
                )
                if v
            }
            for s in spans
        ]
    return out


def _item_json(item: ListItem) -> dict[str, Any]:
    out = _spans_json(item.spans)
    if item.children:
        out["children"] = blocks_to_json(item.children)
    return out


def _block_json(block: Block) -> dict[str, Any]:
    if isinstance(block, Heading):
        return {"type": "heading", "level": block.level, **_spans_json(block.spans)}
    if isinstance(block, Paragraph):
        return {"type": "paragraph", **_spans_json(block.spans)}
    if isinstance(block, ListBlock):
        out: dict[str, Any] = {"type": "list", "ordered": block.ordered}
        if block.ordered and block.start != 1:
            out["start"] = block.start
        out["items"] = [_item_json(i) for i in block.items]
        return out
    if isinstance(block, Quote):
        return {"type": "quote", "blocks": blocks_to_json(block.blocks)}
    if isinstance(block, Code):
        return {"type": "code", "language": block.language, "text": block.text}
    return {
        "type": "table",
        "header": block.header,
        "rows": [[plain(cell) for cell in row] for row in block.rows],
    }
