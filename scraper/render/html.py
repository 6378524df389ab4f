"""A clean, minimal HTML fragment: h1–h6, p, ul/ol/li, pre/code, blockquote, table."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from scraper.document import Code, Heading, ListBlock, Paragraph, Quote, Span

if TYPE_CHECKING:
    from scraper.document import Block, Document

__all__ = ["render_html"]


def render_html(doc: Document, *, comments: bool = False) -> str:
    parts = [f"<h1>{escape(doc.title)}</h1>"] if doc.title else []
    parts.extend(_block(b) for b in doc.blocks)
    if comments and doc.comments:
        parts.append('<section class="comments"><h2>Comments</h2>')
        for c in doc.comments:
            who = " — ".join(x for x in (c.author, c.date) if x)
            paras = "".join(f"<p>{escape(p)}</p>" for p in c.text.split("\n\n") if p.strip())
            head = f"<footer>{escape(who)}</footer>" if who else ""
            parts.append(f"<blockquote>{head}{paras}</blockquote>")
        parts.append("</section>")
    return "\n".join(p for p in parts if p) + "\n"


def _inline(spans: tuple[Span, ...]) -> str:
    out = []
    for s in spans:
        if s.is_break:
            out.append("<br>")
            continue
        text = escape(s.text if s.code else " ".join(s.text.split("\n")))
        if s.code:
            text = f"<code>{text}</code>"
        if s.emphasis:
            text = f"<em>{text}</em>"
        if s.strong:
            text = f"<strong>{text}</strong>"
        if s.href:
            text = f'<a href="{escape(s.href)}">{text}</a>'
        out.append(text)
    return " ".join("".join(out).split(" ")).strip()


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{_inline(block.spans)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{_inline(block.spans)}</p>"
    if isinstance(block, ListBlock):
        tag = "ol" if block.ordered else "ul"
        start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
        items = "".join(
            f"<li>{_inline(i.spans)}{''.join(_block(c) for c in i.children)}</li>"
            for i in block.items
        )
        return f"<{tag}{start}>{items}</{tag}>"
    if isinstance(block, Quote):
        return f"<blockquote>{''.join(_block(b) for b in block.blocks)}</blockquote>"
    if isinstance(block, Code):
        cls = f' class="language-{escape(block.language)}"' if block.language else ""
        return f"<pre><code{cls}>{escape(block.text)}</code></pre>"
    rows = []
    for n, row in enumerate(block.rows):
        tag = "th" if block.header and n == 0 else "td"
        rows.append("<tr>" + "".join(f"<{tag}>{_inline(c)}</{tag}>" for c in row) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"
