"""The visible text of a pruned page, block by block, without link-heavy furniture.

This is the recall side of the generic cleaner: where the article extractor keeps
too little of a page (a forum thread, a listing, a product or service page), the
page's own blocks, minus link lists, are a better answer.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["block_text", "content_root", "drop_link_lists"]

_BLOCKS = (
    "p, div, li, h1, h2, h3, h4, h5, h6, tr, td, th, br, section, article, blockquote, pre, "
    "dt, dd, table, ul, ol, dl, figcaption, figure, main, address, details, summary, hr"
)
_SEP = "\u2029"
_SPACE = re.compile(r"\s+")
_MARK = "data-scraper-links"

# A container whose text is mostly link text, with few words of its own, is a link list.
_LINK_SHARE = 0.6
_MIN_LINKS = 3
_MAX_OWN_WORDS = 12


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


def drop_link_lists(root: LexborNode) -> None:
    """Drop containers that are mostly links (menus, tag clouds, link farms), in place."""
    for node in root.css("ul, ol, dl, table, div, section, p"):
        links = node.css("a")
        if len(links) < _MIN_LINKS:
            continue
        text = node.text(deep=True, strip=False)
        size = len(_SPACE.sub("", text))
        if not size:
            continue
        link_size = sum(len(_SPACE.sub("", a.text(deep=True, strip=False))) for a in links)
        own_words = len(text.split()) - sum(len(a.text(deep=True).split()) for a in links)
        if link_size >= _LINK_SHARE * size and own_words <= _MAX_OWN_WORDS * len(links) / 4:
            node.attrs[_MARK] = ""
    for node in root.css(f"[{_MARK}]:not([{_MARK}] [{_MARK}])"):
        node.decompose()


def block_text(root: LexborNode) -> str:
    """``root``'s text, one block per paragraph (mutates ``root``: marks block edges).

    Scripts left in the page for its metadata (JSON-LD) are dropped: data, not text.
    """
    for node in root.css("script, style"):
        node.decompose()
    for node in root.css(_BLOCKS):
        node.insert_before(_SEP)
        node.insert_after(_SEP)
    blocks = (_SPACE.sub(" ", b).strip() for b in root.text(separator="").split(_SEP))
    return "\n\n".join(b for b in blocks if b)
