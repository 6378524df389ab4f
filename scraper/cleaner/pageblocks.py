"""The visible text of a pruned page, block by block.

This is the recall side of the generic cleaner: where the article extractors keep
too little of a page (a forum thread, a listing, a product or service page), the
page's own blocks are a better answer. (Dropping link-dense containers from them cost
listings more than it saved: BENCHMARKS.md, step 1.) For ``scraper.cleaner.gapfill``, each block
also says how much of it is link text, whether it is preformatted and whether it lies in
a reader comment section or a figure.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple
from urllib.parse import urldefrag, urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.cleaner.structure import HEADING_LEVELS

__all__ = ["Block", "block_text", "content_root", "page_blocks"]

_BLOCKS = (
    "p, div, li, h1, h2, h3, h4, h5, h6, tr, td, th, br, section, article, blockquote, pre, "
    "dt, dd, table, ul, ol, dl, figcaption, figure, main, address, details, summary, hr"
)
_SEP = "\u2029"
# Marks for link text, preformatted blocks and comment sections: invisible characters
# that a page's own text hardly ever holds.
_LINK = "\u2063"
_PRE = "\u2064"
_ANCHOR = "\ufdd2"
_HEADING = "\ufdd3"
_ADDRESS = re.compile(r"\s*(?:https?://|www\.)", re.IGNORECASE)
_COMMENTS_OPEN, _COMMENTS_CLOSE = "\u2065", "\u2066"
# Unicode noncharacters: never in a page's text.
_FIGURE_OPEN, _FIGURE_CLOSE = "\ufdd0", "\ufdd1"
# Reader comment sections by their usual names, as ``justext_reading`` finds them in lxml.
_COMMENT_SECTIONS = "[class*=comment i], [id*=comment i], [id*=disqus i], #respond"


class Block(NamedTuple):
    text: str  # whitespace collapsed
    link_share: float  # of its non-space characters, the share inside links
    preformatted: bool = False  # a ``pre`` block, whose layout the collapse lost
    in_comments: bool = False  # inside a reader comment section
    in_figure: bool = False  # a caption or credit: inside a ``figure`` or ``figcaption``
    away_share: float = 0.0  # the share inside links to other pages (not ``#`` anchors)
    heading: bool = False  # an ``h1``–``h6``


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


def page_blocks(root: LexborNode, url: str | None = None) -> list[Block]:
    """``root``'s blocks in page order (mutates ``root``: marks block and link edges).

    Scripts left in the page for its metadata (JSON-LD) are dropped: data, not text.
    """
    for node in root.css("script, style"):
        node.decompose()
    # Links within the page (a contents list) and an address written out (a reference, a
    # pasted URL) are marked apart: they are the page's text, not pointers elsewhere.
    here = urldefrag(url).url if url else ""
    for node in root.css("a"):
        href = node.attributes.get("href") or ""
        within = (
            "#" in href and (href[0] == "#" or urldefrag(urljoin(here, href)).url == here)
        ) or _ADDRESS.match(node.text(deep=True)) is not None
        mark = _ANCHOR if within else _LINK
        node.insert_before(mark)
        node.insert_after(mark)
    for node in root.css(_BLOCKS):
        node.insert_before(_SEP)
        node.insert_after(_SEP)
        # inside the block edges just marked
        tag = node.tag
        if tag in HEADING_LEVELS:
            node.insert_before(_HEADING)
        elif tag == "pre":
            node.insert_before(_PRE)
        elif tag in ("figure", "figcaption"):
            node.insert_before(_FIGURE_OPEN)
            node.insert_after(_FIGURE_CLOSE)
    for node in root.css(_COMMENT_SECTIONS):
        node.insert_before(_COMMENTS_OPEN)
        node.insert_after(_COMMENTS_CLOSE)
    out = []
    depth = figures = 0  # of comment sections and figures open
    for raw in root.text(separator="").split(_SEP):
        if not raw or raw.isspace():  # most segments: between two adjacent block edges
            continue
        heading = raw.startswith(_HEADING)
        if heading:
            raw = raw.replace(_HEADING, "")
        preformatted = False
        if _PRE in raw:
            preformatted = raw.startswith(_PRE)
            raw = raw.replace(_PRE, "")
        raw, in_comments, depth = _inside(raw, depth, _COMMENTS_OPEN, _COMMENTS_CLOSE)
        raw, in_figure, figures = _inside(raw, figures, _FIGURE_OPEN, _FIGURE_CLOSE)
        share = away = 0.0
        if _LINK in raw or _ANCHOR in raw:
            away_linked = _linked(raw.replace(_ANCHOR, ""), _LINK)
            anchor_linked = _linked(raw.replace(_LINK, ""), _ANCHOR)
            # str.split() splits at the same whitespace as ``\s``, and faster
            text = " ".join(raw.replace(_LINK, "").replace(_ANCHOR, "").split())
            if text:
                letters = len(text) - text.count(" ")
                share = (away_linked + anchor_linked) / letters
                away = away_linked / letters
        else:
            text = " ".join(raw.split())
        if text and (preformatted or not _is_data(text)):
            out.append(Block(text, share, preformatted, in_comments, in_figure, away, heading))
    return out


def _is_data(text: str) -> bool:
    """Whether ``text`` is a JSON object (or a list of them): a script's data left in the
    page as text for a widget to read (``<span hidden>{"layoutMobile": 2, …}</span>``), which
    a visitor never reads. (A code block that shows JSON is kept: it is preformatted.)"""
    if text[0] not in "{[" or text[-1] not in "}]":
        return False
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than a parser goes
        return False
    items = value if isinstance(value, list) else [value]
    return any(isinstance(item, dict) and item for item in items)


def _inside(raw: str, depth: int, opening: str, closing: str) -> tuple[str, bool, int]:
    """Whether the segment ``raw`` lies in a section marked by ``opening`` and ``closing``
    (``depth`` of them open before it): ``raw`` without the marks, that, and the depth after."""
    inside = depth > 0 or opening in raw
    if inside:
        depth += raw.count(opening) - raw.count(closing)
        raw = raw.replace(opening, "").replace(closing, "")
    return raw, inside, depth


def _linked(raw: str, mark: str) -> int:
    """The non-space characters of ``raw`` between pairs of ``mark``."""
    return sum(len("".join(p.split())) for p in raw.split(mark)[1::2])


def block_text(root: LexborNode) -> str:
    """``root``'s text, one block per paragraph (mutates ``root``, as ``page_blocks``)."""
    return "\n\n".join(block.text for block in page_blocks(root))
