"""A page's blocks as a site template sees them: where each sits and what it says.

Each block element of the body (``div``, ``ul``, ``p``, ``td``…) gets a *path*, the chain of
tags with their stable ``class`` names from its nearest ancestor with a stable ``id`` (or from
the body), and a *key*, the path plus
its text normalised (case folded, digits as ``0``, spaces collapsed). The same key on many
pages of a site is the site's chrome; the path alone says where a block sits in the
template. Each block also carries its word counts, deep and its own (outside its child
blocks), in and out of links, which is all that learning needs of a page: a fingerprint is
numbers, not the page.

The walk is lexbor's traversal, not a recursion of ours, and elements deeper than
``MAX_DEPTH`` count as text of their ancestor.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
import zlib
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
_BLOCK_NAMES = (
    "div section article aside nav header footer main ul ol dl li table tbody tr td form p "
    "h1 h2 h3 h4 h5 h6 blockquote figure center"
)
BLOCK_TAGS = frozenset(_BLOCK_NAMES.split())
MAX_DEPTH = 64
# A name that changes from page to page: a run of digits (``post-12345``) or a hex hash.
_UNSTABLE = re.compile(r"\d{3,}|[0-9a-f]{8,}", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


# parent, path, key, then the four word counts
_ROW = struct.Struct("<iIIHHHH")


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

    def pack(self) -> str:
        """The fingerprint as a short ASCII string (for a store): its blocks that hold text,
        as packed numbers, compressed."""
        kept: dict[int, int] = {}
        rows: list[bytes] = []
        for i, e in enumerate(self.elements):
            parent = e.parent
            while parent >= 0 and parent not in kept:  # an empty block's child: up past it
                parent = self.elements[parent].parent
            if not e.words:
                continue
            kept[i] = len(rows)
            rows.append(
                _ROW.pack(
                    kept[parent] if parent >= 0 else -1,
                    e.path,
                    e.key,
                    *(min(n, 0xFFFF) for n in e[3:]),
                )
            )
        return base64.b64encode(zlib.compress(b"".join(rows), 6)).decode("ascii")

    @classmethod
    def unpack(cls, text: str) -> PageFingerprint:
        """Raises ``ValueError`` for what ``pack`` did not write."""
        try:
            raw = zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True))
        except (zlib.error, binascii.Error, UnicodeEncodeError) as exc:
            raise ValueError(f"not a packed fingerprint: {exc}") from None
        if len(raw) % _ROW.size:
            raise ValueError("not a packed fingerprint: cut short")
        return cls(tuple(Element(*row) for row in _ROW.iter_unpack(raw)))


class Walk(NamedTuple):
    """A page's block elements, their nodes and their paths as text (parallel lists)."""

    elements: list[Element]
    nodes: list[LexborNode]
    paths: list[str]


def _hash(text: str) -> int:
    # 32 bits: a site's few thousand blocks hardly ever collide, and one that does only
    # counts a block twice; the fingerprints a store keeps stay small
    return int.from_bytes(blake2b(text.encode("utf-8", "replace"), digest_size=4).digest())


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
    """The block elements of ``tree``'s body with their word counts, in document order.

    The tree is traversed in lexbor (no recursion here, and no Python call per text node);
    a block's text is lexbor's, less the code of its scripts and styles.
    """
    walk = Walk([], [], [])
    body = tree.body
    if body is None:
        return walk
    index: dict[int, int] = {}  # node's mem_id -> its index
    depth: list[int] = []
    for node in body.traverse(include_text=False):
        if node.tag not in BLOCK_TAGS or node is body:
            continue
        parent, hops = -1, 1
        up = node.parent
        while up is not None and up.tag != "body":
            found = index.get(up.mem_id)
            if found is not None:
                parent = found
                break
            up, hops = up.parent, hops + 1
        level = (depth[parent] if parent >= 0 else 0) + hops
        if level > MAX_DEPTH:  # counts as text of its ancestor
            continue
        name = descriptor(node)
        # a path starts at the nearest element with an id: wrappers above it come and go
        # from one variant of a site's template to another
        above = walk.paths[parent] if parent >= 0 else ""
        path = f"{above}/{name}" if above and "#" not in name else name
        index[node.mem_id] = len(walk.elements)
        walk.elements.append(Element(parent, _hash(path), 0, 0, 0, 0, 0))
        walk.nodes.append(node)
        walk.paths.append(path)
        depth.append(level)
    code = _code_texts(body, index)
    links = [0] * len(walk.elements)
    for a in body.css("a"):
        owner = _owner(a, index)
        if owner >= 0:
            links[owner] += word_count(a.text(deep=True, separator=" "))
    words = [0] * len(walk.elements)
    texts = []
    for i, node in enumerate(walk.nodes):
        text = node.text(deep=True, separator=" ")
        for snippet in code.get(i, ()):
            text = text.replace(snippet, " ", 1)
        text = _norm(text)
        texts.append(text)
        words[i] = word_count(text)
    own, own_links = list(words), list(links)
    deep_links = list(links)
    for i in range(len(walk.elements) - 1, -1, -1):  # children come after their parents
        parent = walk.elements[i].parent
        if parent >= 0:
            own[parent] -= words[i]
            deep_links[parent] += deep_links[i]
    for i, element in enumerate(walk.elements):
        walk.elements[i] = element._replace(
            key=_hash(walk.paths[i] + "\x00" + texts[i]) if texts[i] else 0,
            words=words[i],
            link_words=min(deep_links[i], words[i]),
            own_words=max(own[i], 0),
            own_link_words=min(own_links[i], max(own[i], 0)),
        )
    return walk


def _owner(node: LexborNode, index: dict[int, int]) -> int:
    """The index of ``node``'s nearest block ancestor, -1 for none."""
    up = node.parent
    while up is not None and up.tag != "body":
        found = index.get(up.mem_id)
        if found is not None:
            return found
        up = up.parent
    return -1


def _code_texts(body: LexborNode, index: dict[int, int]) -> dict[int, list[str]]:
    """Per block, the texts of the scripts and styles inside it (not text a reader sees)."""
    out: dict[int, list[str]] = {}
    for node in body.css("script, style, template"):
        text = node.text(deep=True, separator=" ")
        if not text.strip():
            continue
        up = node.parent
        while up is not None and up.tag != "body":
            found = index.get(up.mem_id)
            if found is not None:
                out.setdefault(found, []).append(text)
            up = up.parent
    return out


def fingerprint_tree(tree: LexborHTMLParser) -> PageFingerprint:
    return PageFingerprint(tuple(walk_tree(tree).elements))
