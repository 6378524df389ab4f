"""A page's blocks as a site template sees them: where each sits and what it says.

Each block element of the body (``div``, ``ul``, ``p``, ``td``…) gets a *path*, the chain of
tags with their stable ``class`` names from its nearest ancestor with a stable ``id`` (or from
the body), and a *key*, the path plus
its text normalised (case folded, digits as ``0``, spaces collapsed). The same key on many
pages of a site is the site's chrome; the path alone says where a block sits in the
template. Each block also carries its word counts, deep and its own (outside its child
blocks), in and out of links, which is all that learning needs of a page: a fingerprint is
numbers, not the page.

The walk is iterative (an explicit stack): a page nested thousands deep is walked in linear
time, and elements deeper than ``MAX_DEPTH`` count as text of their ancestor there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from hashlib import blake2b
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.measures import word_count

__all__ = [
    "BLOCK_TAGS",
    "MAX_DEPTH",
    "Element",
    "PageFingerprint",
    "Walk",
    "descriptor",
    "fingerprint_tree",
    "walk_tree",
]

# The elements a template is made of: those that lay a page out or hold a paragraph.
BLOCK_TAGS = frozenset(
    "div section article aside nav header footer main ul ol dl li table tbody tr td form p "
    "h1 h2 h3 h4 h5 h6 blockquote figure center".split()
)
MAX_DEPTH = 64
# A name that changes from page to page: a run of digits (``post-12345``) or a hex hash.
_UNSTABLE = re.compile(r"\d{3,}|[0-9a-f]{8,}", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_SKIP = frozenset({"script", "style", "noscript", "template", "-comment"})


class Element(NamedTuple):
    """One block element of a page, in document order."""

    parent: int  # index of its nearest block ancestor, -1 at the top
    path: int  # hash of its path
    key: int  # hash of its path and normalised text; 0 when it holds no text
    words: int  # all its words
    link_words: int  # of those, inside links
    own_words: int  # its words outside its child blocks
    own_link_words: int  # of those, inside links


@dataclass(frozen=True)
class PageFingerprint:
    """What a template learns from one page: its block elements, in document order."""

    elements: tuple[Element, ...]

    def to_json(self) -> list[list[int]]:
        return [list(e) for e in self.elements]

    @classmethod
    def from_json(cls, data: list[list[int]]) -> PageFingerprint:
        return cls(tuple(Element(*row) for row in data))


class Walk(NamedTuple):
    """A page's block elements, their nodes and their paths as text (parallel lists)."""

    elements: list[Element]
    nodes: list[LexborNode]
    paths: list[str]


def _hash(text: str) -> int:
    # 52 bits: exact in JSON numbers everywhere, and no collision among a site's blocks
    return int.from_bytes(blake2b(text.encode("utf-8", "replace"), digest_size=8).digest()) >> 12


def descriptor(node: LexborNode) -> str:
    """``tag#id``, else ``tag.class…``, with the names that change from page to page left out."""
    attrs = node.attributes
    out = node.tag or ""
    ident = (attrs.get("id") or "").strip()
    if ident and not _UNSTABLE.search(ident) and " " not in ident:
        return f"{out}#{ident}"  # an id names the element: its classes are styling
    classes = sorted({c for c in (attrs.get("class") or "").split() if not _UNSTABLE.search(c)})
    return out + "".join("." + c for c in classes)


def _norm(text: str) -> str:
    return " ".join(_DIGITS.sub("0", text.casefold()).split())


def walk_tree(tree: LexborHTMLParser) -> Walk:
    """The block elements of ``tree``'s body, with their word counts (one pass, no recursion)."""
    walk = Walk([], [], [])
    body = tree.body
    if body is None:
        return walk
    # per open block: [words, link_words, own_words, own_link_words]
    counts: list[list[int]] = []
    # the stack holds nodes to visit, (node, depth, in a link, path), and block ends,
    # (block, its parent block), where a block's counts go to its parent
    stack: list[tuple[LexborNode, int, bool, str] | tuple[int, int]] = [(body, 0, False, "")]
    open_block = -1
    texts: list[list[str]] = []
    while stack:
        item = stack.pop()
        if len(item) == 2:  # a block closes
            index, parent = item  # type: ignore[misc]
            words, links = counts[index][0], counts[index][1]
            if parent >= 0:
                counts[parent][0] += words
                counts[parent][1] += links
                texts[parent].extend(texts[index])
            open_block = parent
            continue
        node, depth, in_link, path = item  # type: ignore[misc]
        tag = node.tag
        if tag == "-text":
            words = word_count(node.text_content or "")
            if words and open_block >= 0:
                c = counts[open_block]
                c[0] += words
                c[2] += words
                if in_link:
                    c[1] += words
                    c[3] += words
            if open_block >= 0 and node.text_content:
                texts[open_block].append(node.text_content)
            continue
        if tag in _SKIP:
            continue
        here = path
        if node is not body and tag in BLOCK_TAGS and depth <= MAX_DEPTH:
            name = descriptor(node)
            # a path starts at the nearest element with an id: wrappers above it come and go
            # from one variant of a site's template to another
            here = f"{path}/{name}" if path and "#" not in name else name
            index = len(walk.elements)
            walk.elements.append(Element(open_block, _hash(here), 0, 0, 0, 0, 0))
            walk.nodes.append(node)
            walk.paths.append(here)
            counts.append([0, 0, 0, 0])
            texts.append([])
            stack.append((index, open_block))
            open_block = index
        children = list(node.iter(include_text=True))
        link = in_link or tag == "a"
        for child in reversed(children):
            stack.append((child, depth + 1, link, here))
    for i, element in enumerate(walk.elements):
        words, links, own, own_links = counts[i]
        text = _norm(" ".join(texts[i]))
        key = _hash(walk.paths[i] + "\x00" + text) if text else 0
        walk.elements[i] = element._replace(
            key=key,
            words=words,
            link_words=links,
            own_words=own,
            own_link_words=own_links,
        )
    return walk


def fingerprint_tree(tree: LexborHTMLParser) -> PageFingerprint:
    return PageFingerprint(tuple(walk_tree(tree).elements))
