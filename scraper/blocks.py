"""The visible text of a pruned page, block by block.

This is the recall side of the generic cleaner: where the article extractors keep
too little of a page (a forum thread, a listing, a product or service page), the
page's own blocks are a better answer. (Dropping link-dense containers from them cost
listings more than it saved: BENCHMARKS.md, step 1.)
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["block_text", "content_root"]

_BLOCKS = (
    "p, div, li, h1, h2, h3, h4, h5, h6, tr, td, th, br, section, article, blockquote, pre, "
    "dt, dd, table, ul, ol, dl, figcaption, figure, main, address, details, summary, hr"
)
_SEP = "\u2029"


def content_root(tree: LexborHTMLParser) -> LexborNode | None:
    """The page's ``main`` element when it holds a fair share of the text, else ``body``."""
    body = tree.body
    if body is None:
        return None
    total = len(body.text(deep=True, strip=True))
    for node in tree.css("main, [role=main]"):
        if len(node.text(deep=True, strip=True)) >= 0.25 * total:
            return node
    return body


def block_text(root: LexborNode) -> str:
    """``root``'s text, one block per paragraph (mutates ``root``: marks block edges).

    Scripts left in the page for its metadata (JSON-LD) are dropped: data, not text.
    """
    for node in root.css("script, style"):
        node.decompose()
    for node in root.css(_BLOCKS):
        node.insert_before(_SEP)
        node.insert_after(_SEP)
    # str.split() splits at the same whitespace as ``\s``, and faster
    blocks = (" ".join(b.split()) for b in root.text(separator="").split(_SEP))
    return "\n\n".join(b for b in blocks if b)
