"""A ``Document``'s renderings: text, markdown (CommonMark + GFM tables), json and html.

``render(doc, fmt)`` is the one entry; the model (``scraper.document``) never imports this
package, so the renderers depend on the model and not the other way round.

All of them are deterministic: the same document always gives the same bytes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from scraper.document import FORMATS, blocks_to_json, render_text, text_paragraphs
from scraper.render.html import render_html
from scraper.render.markdown import render_markdown

if TYPE_CHECKING:
    from scraper.document import Document, Format

# blocks_to_json, render_text and text_paragraphs live with the model (its own plain text and
# JSON form); they are named here too for callers of the renderings.
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
