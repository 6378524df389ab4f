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
from urllib.parse import urldefrag

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.cleaner.links import is_nav_link, page_site
from scraper.cleaner.structure import HEADING_LEVELS
from scraper.page.urls import join_url

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
_NAV_LINK = "\ufdd4"
# Block elements are numbered with the characters of a private use plane, written after
# each block edge: never in a page's text (and no page has this many block elements).
_BOX = 0xF0000
_MAX_BOXES = 0xFFFE
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
    links: int = 0  # links to other pages in it
    nav_links: int = 0  # of those, links that navigate (``links.is_nav_link``)
    # The block elements it lies in, outermost first, each as a number of this page:
    # two blocks with the same first numbers lie in the same container.
    path: tuple[int, ...] = ()
    # as ``away_share``, with the text of a link that spans block edges counted in (a card,
    # ``<a><h3>…</h3><p>…</p></a>``, or "« Previous<br>Its title"): each of its blocks is
    # all link, though no link opens and closes in it
    card_share: float = 0.0


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
    site = page_site(url)
    for node in root.css("a"):
        href = node.attributes.get("href") or ""
        text = node.text(deep=True)
        within = (
            "#" in href and (href[0] == "#" or urldefrag(join_url(here, href) or "").url == here)
        ) or _ADDRESS.match(text) is not None
        navigates = not within and is_nav_link(href, site)
        mark = _ANCHOR if within else _NAV_LINK if navigates else _LINK
        node.insert_before(mark)
        node.insert_after(mark)
    # Each block edge says which block element the text after it lies in: the element
    # itself after its opening edge, the enclosing block element after its closing one.
    nodes = root.css(_BLOCKS)
    index = {node.mem_id: i + 1 for i, node in enumerate(nodes[: _MAX_BOXES - 1])}
    paths: list[tuple[int, ...]] = [()] * (len(index) + 1)  # 0: the root
    for node in nodes:
        own = index.get(node.mem_id)
        parent = node.parent
        while parent is not None and parent.mem_id not in index:
            parent = parent.parent
        outer = index[parent.mem_id] if parent is not None else 0
        if own is not None:
            paths[own] = (*paths[outer], own)
        node.insert_before(_SEP + chr(_BOX + (own or outer)))
        node.insert_after(_SEP + chr(_BOX + outer))
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
    link = ""  # the mark of a link open across block edges (``<a>…<br>…</a>``, a card)
    # (a segment of spaces only holds no mark: links stay paired past it)
    for raw in root.text(separator="").split(_SEP):
        box = ord(raw[0]) - _BOX if raw else -1
        if 0 <= box < len(paths):
            raw = raw[1:]
        else:  # the text before the first block edge
            box = 0
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
        carried = link  # a link that spans block edges was open before this segment
        across, link = _continued(raw, link)
        share = away = card = 0.0
        links = nav = 0
        if carried or _LINK in raw or _ANCHOR in raw or _NAV_LINK in raw:
            nav = raw.count(_NAV_LINK) // 2
            links = raw.count(_LINK) // 2 + nav
            raw = raw.replace(_NAV_LINK, _LINK)
            across = across.replace(_NAV_LINK, _LINK).replace(_ANCHOR, "")
            away_linked = _linked(raw.replace(_ANCHOR, ""), _LINK)
            anchor_linked = _linked(raw.replace(_LINK, ""), _ANCHOR)
            # str.split() splits at the same whitespace as ``\s``, and faster
            text = " ".join(raw.replace(_LINK, "").replace(_ANCHOR, "").split())
            if text:
                letters = len(text) - text.count(" ")
                share = (away_linked + anchor_linked) / letters
                away = away_linked / letters
                card = _linked(across, _LINK) / letters
        else:
            text = " ".join(raw.split())
        if text and (preformatted or not _is_data(text)):
            out.append(
                Block(
                    text,
                    share,
                    preformatted,
                    in_comments,
                    in_figure,
                    away,
                    heading,
                    links,
                    nav,
                    paths[box],
                    card,
                )
            )
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


def _continued(raw: str, link: str) -> tuple[str, str]:
    """The segment ``raw`` with the link open before it (``link``, its mark) opened again
    and, when that link or one of its own goes on past its end, closed there; and the mark
    of the link open after it ("" for none). Links do not nest."""
    if link:
        raw = link + raw
    opened = ""
    for mark in (_LINK, _ANCHOR, _NAV_LINK):
        if raw.count(mark) % 2:
            opened = mark
    if opened:
        raw += opened
    return raw, opened


def _linked(raw: str, mark: str) -> int:
    """The non-space characters of ``raw`` between pairs of ``mark``."""
    return sum(len("".join(p.split())) for p in raw.split(mark)[1::2])


def block_text(root: LexborNode) -> str:
    """``root``'s text, one block per paragraph (mutates ``root``, as ``page_blocks``)."""
    return "\n\n".join(block.text for block in page_blocks(root))
