"""A ``Document``'s renderings: text, markdown (CommonMark + GFM tables), json and html.

All of them are deterministic: the same document always gives the same bytes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from scraper.document import (
    FORMATS,
    Block,
    Code,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Quote,
    Span,
    Table,
    plain,
)
from scraper.render.html import render_html
from scraper.render.markdown import render_markdown

if TYPE_CHECKING:
    from scraper.document import Document, Format

__all__ = ["blocks_to_json", "render", "render_text", "text_paragraphs"]


def render(
    doc: Document, fmt: Format = "text", *, links: bool = False, comments: bool = False
) -> str:
    """``doc`` as ``fmt``, ending in exactly one newline."""
    if fmt == "text":
        body = doc.text
        if comments and doc.comments:
            parts = [body, "Comments"]
            for c in doc.comments:
                who = " — ".join(x for x in (c.author, c.date) if x)
                parts.append(f"{who}:\n{c.text}" if who else c.text)
            body = "\n\n".join(parts)
        return body + "\n"
    if fmt == "json":
        return json.dumps(doc.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return render_markdown(doc, links=links, comments=comments)
    if fmt == "html":
        return render_html(doc, comments=comments)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


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
            {k: v for k, v in (("text", s.text), ("href", s.href), ("emphasis", s.emphasis),
                              ("strong", s.strong), ("code", s.code)) if v}
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
