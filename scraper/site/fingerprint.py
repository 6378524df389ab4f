"""A page's blocks as a site template sees them: where each sits and what it says.

Each block element of the body (``div``, ``ul``, ``p``, ``td``…) gets a *path*, the chain of
tags with their stable ``class`` names from its nearest ancestor with a stable ``id`` (or from
the body), and a *key*, the path plus
its text normalised (case folded, digits as ``0``, spaces collapsed). The same key on many
pages of a site is the site's chrome; the path alone says where a block sits in the
template. Each block also carries its word counts, deep and its own (outside its child
blocks), in and out of links, which is all that learning needs of a page: a fingerprint is
numbers, not the page. Besides its blocks, a fingerprint keeps its *lines*: the runs of text
a block holds between its child blocks, where they are not the block's whole text (a "Continue
reading" link in a box of the article, a label before a list), each as a hash of its
normalised text, spaces left out. A line that recurs on most pages of a site is chrome
wherever it sits, though the block around it says something else on every page.

The walk is lexbor's traversal, not a recursion of ours, and elements deeper than
``MAX_DEPTH`` count as text of their ancestor.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import blake2b
from types import MappingProxyType
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.measures import beyond_ascii, word_count

__all__ = [
    "BLOCK_TAGS",
    "MAX_DEPTH",
    "Element",
    "PageFingerprint",
    "Step",
    "Walk",
    "descriptor",
    "fingerprint_tree",
    "line_key",
    "outline_tree",
    "squeezed",
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
# the bytes of ASCII's digits but 0, as 0 (``zeroed``)
_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
# what holds code, not text a reader sees
_CODE = frozenset(("script", "style", "template"))


# parent, path, key, then the four word counts
_ROW = struct.Struct("<iIIHHHH")
# a packed fingerprint with lines: this mark (outside base64's alphabet), then the count of
# rows, the rows, the lines
_LINED = "2:"
_COUNT = struct.Struct("<I")


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
    """What a template learns from one page: its block elements, in document order, and
    its lines (``line_key``s)."""

    elements: tuple[Element, ...]
    lines: frozenset[int] = frozenset()

    def pack(self) -> str:
        """The fingerprint as a short ASCII string (for a store): its blocks that hold text,
        as packed numbers, and its lines, compressed."""
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
        lines = sorted(self.lines)
        raw = _COUNT.pack(len(rows)) + b"".join(rows) + struct.pack(f"<{len(lines)}I", *lines)
        return _LINED + base64.b64encode(zlib.compress(raw, 6)).decode("ascii")

    @classmethod
    def unpack(cls, text: str) -> PageFingerprint:
        """Raises ``ValueError`` for what ``pack`` did not write (or wrote before it kept
        lines: such a fingerprint has none)."""
        lined = text.startswith(_LINED)
        try:
            packed = text[len(_LINED) :] if lined else text
            raw = zlib.decompress(base64.b64decode(packed.encode("ascii"), validate=True))
        except (zlib.error, binascii.Error, UnicodeEncodeError) as exc:
            raise ValueError(f"not a packed fingerprint: {exc}") from None
        count = len(raw) // _ROW.size
        if lined:
            if len(raw) < _COUNT.size:
                raise ValueError("not a packed fingerprint: cut short")
            (count,) = _COUNT.unpack_from(raw)
            raw = raw[_COUNT.size :]
        rows, rest = raw[: count * _ROW.size], raw[count * _ROW.size :]
        if len(rows) < count * _ROW.size or len(rest) % 4 or (rest and not lined):
            raise ValueError("not a packed fingerprint: cut short")
        lines = frozenset(struct.unpack(f"<{len(rest) // 4}I", rest))
        return cls(tuple(Element(*row) for row in _ROW.iter_unpack(rows)), lines)


class Walk(NamedTuple):
    """A page's block elements, their nodes and their paths as text (parallel lists), and
    its lines: ``line_key`` to the line as the page spells it (``walk_tree`` only)."""

    elements: list[Element]
    nodes: list[LexborNode]
    paths: list[str]
    lines: Mapping[int, str] = MappingProxyType({})

    def fingerprint(self) -> PageFingerprint:
        return PageFingerprint(tuple(self.elements), frozenset(self.lines))


def _hash(text: str) -> int:
    # 32 bits: a site's few thousand blocks hardly ever collide, and one that does only
    # counts a block twice; the fingerprints a store keeps stay small
    return int.from_bytes(blake2b(text.encode("utf-8", "replace"), digest_size=4).digest())


def descriptor(node: LexborNode) -> str:
    """``tag#id``, else ``tag.class…``, with the names that change from page to page left out."""
    attrs = node.attributes
    return _descriptor(node.tag or "", attrs.get("id"), attrs.get("class"))


def _descriptor(tag: str, ident: str | None, names: str | None) -> str:
    ident = (ident or "").strip()
    if ident and not _UNSTABLE.search(ident) and " " not in ident:
        return f"{tag}#{ident}"  # an id names the element: its classes are styling
    classes = sorted({c for c in (names or "").split() if not _UNSTABLE.search(c)})
    return tag + "".join("." + c for c in classes)


def _norm(text: str) -> str:
    return " ".join(zeroed(text.casefold()).split())


def squeezed(text: str) -> str:
    """``text`` normalised, with no spaces at all: a paragraph of the cleaned text and the
    page's run of text nodes space inline markup apart differently ("Hello <b>world</b>!")."""
    return "".join(zeroed(text.casefold()).split())


def zeroed(text: str) -> str:
    """``text`` with each run of digits (of any script) written as one 0, as
    ``re.sub(r"\\d+", "0", text)`` writes it, in a tenth of its time where the digits are
    ASCII's: on bytes, where no byte of a character beyond ASCII is one of ASCII's."""
    if not text.isascii():
        beyond = beyond_ascii(text)
        # digits of another script, or text mostly of one (no time to gain): the regex
        if 4 * len(beyond) > len(text) or _DIGITS.search(beyond):
            return _DIGITS.sub("0", text)
    data = text.encode("utf-8", "surrogatepass").translate(_TO_ZERO)
    if b"0" not in data:
        return text
    pieces = data.split(b"0")  # a run of zeros leaves empty pieces between them
    core = b"0".join(p for p in pieces if p)
    if not core:
        return "0"
    head = b"0" if not pieces[0] else b""
    tail = b"0" if not pieces[-1] else b""
    return (head + core + tail).decode("utf-8", "surrogatepass")


def line_key(text: str) -> int:
    """A line's hash (of its text ``squeezed``)."""
    return _hash("\x01" + squeezed(text))


def walk_tree(tree: LexborHTMLParser) -> Walk:
    """The block elements of ``tree``'s body with their word counts, in document order.

    One traversal in lexbor, text nodes included: each text is normalised and counted once,
    for the block that holds it, and a block's text is the run of its subtree's texts (in
    document order a subtree's texts are consecutive), so that no text is read again for
    each block around it. The code of scripts and styles is no text a reader sees. A
    block's line ends where a block begins.
    """
    walk = Walk([], [], [])
    body = tree.body
    if body is None:
        return walk
    # the lines: per run, its block, its first text and past its last (indexes into texts)
    runs: list[list[int]] = []
    spelled: list[str] = []  # the texts as the page spells them, spaces collapsed
    opened = 0  # blocks begun so far: a run is one block's texts with none begun between
    run_at = (-1, -1)  # the current run's block and ``opened`` when it began
    index: dict[int, int] = {}  # node's mem_id -> its index
    names: dict[tuple[str, str | None, str | None], str] = {}
    depth: list[int] = []
    linked: list[bool] = []  # the block lies inside a link
    start: list[int] = []  # its first text (index into texts)
    pieces: list[str] = []  # the normalised texts, in document order
    counts: list[int] = [0]  # words of the texts before each (a running sum)
    link_counts: list[int] = [0]
    last: list[int] = []  # past its last own text
    own: list[int] = []  # per block, words of the texts it holds itself
    own_links: list[int] = []
    for node in body.traverse(include_text=True):
        tag = node.tag
        if tag == "-text":
            raw = node.text_content
            if not raw or raw.isspace():
                continue
            owner, in_link = _holder(node, index)
            if owner < 0:
                continue
            text = _norm(raw)
            n = word_count(text)
            in_link = in_link or linked[owner]
            if run_at == (owner, opened):
                runs[-1][2] = len(pieces) + 1
            else:
                runs.append([owner, len(pieces), len(pieces) + 1])
                run_at = (owner, opened)
            pieces.append(text)
            spelled.append(" ".join(raw.split()))
            counts.append(counts[-1] + n)
            link_counts.append(link_counts[-1] + (n if in_link else 0))
            own[owner] += n
            own_links[owner] += n if in_link else 0
            last[owner] = len(pieces)
            continue
        if tag not in BLOCK_TAGS or node is body:
            continue
        opened += 1
        parent, hops, in_link = _block_parent(node, index)
        level = (depth[parent] if parent >= 0 else 0) + hops
        if level > MAX_DEPTH:  # counts as text of its ancestor
            continue
        path = _path(node, tag, walk.paths[parent] if parent >= 0 else "", names)
        index[node.mem_id] = len(walk.elements)
        walk.elements.append(Element(parent, _hash(path), 0, 0, 0, 0, 0))
        walk.nodes.append(node)
        walk.paths.append(path)
        depth.append(level)
        linked.append(in_link or (parent >= 0 and linked[parent]))
        start.append(len(pieces))
        last.append(0)
        own.append(0)
        own_links.append(0)
    # a subtree's texts are consecutive: a block's run ends after the last of its own and
    # of its child blocks' (children come after their parents)
    end = [max(a, b) for a, b in zip(start, last, strict=True)]
    for i in range(len(walk.elements) - 1, -1, -1):
        parent = walk.elements[i].parent
        if parent >= 0 and end[i] > end[parent]:
            end[parent] = end[i]
    for i, element in enumerate(walk.elements):
        a, b = start[i], end[i]
        text = " ".join(pieces[a:b])
        walk.elements[i] = element._replace(
            key=_hash(walk.paths[i] + "\x00" + text) if text else 0,
            words=counts[b] - counts[a],
            link_words=link_counts[b] - link_counts[a],
            own_words=own[i],
            own_link_words=own_links[i],
        )
    lines: dict[int, str] = {}
    for owner, a, b in runs:
        if (a, b) != (start[owner], end[owner]):  # the block's whole text is its key's
            line = " ".join(spelled[a:b])
            lines.setdefault(line_key(line), line)
    return walk._replace(lines=lines)


def _block_parent(node: LexborNode, index: dict[int, int]) -> tuple[int, int, bool]:
    """``node``'s nearest block ancestor (its index, -1 for none), how many steps up it is,
    and whether a link lies between them."""
    hops, in_link = 1, False
    up = node.parent
    while up is not None and up.tag != "body":
        found = index.get(up.mem_id)
        if found is not None:
            return found, hops, in_link
        in_link = in_link or up.tag == "a"
        up, hops = up.parent, hops + 1
    return -1, hops, in_link


def _path(
    node: LexborNode,
    tag: str,
    above: str,
    names: dict[tuple[str, str | None, str | None], str],
) -> str:
    """``node``'s path below its block parent's (``above``); ``names`` caches descriptors,
    as a page spells the same few tags and classes again and again."""
    attrs = node.attributes
    spelled = (tag, attrs.get("id"), attrs.get("class"))
    name = names.get(spelled)
    if name is None:
        name = names[spelled] = _descriptor(*spelled)
    return _joined(above, name)


def _joined(above: str, name: str) -> str:
    """The path of a block named ``name`` below one at ``above``."""
    # a path starts at the nearest element with an id: wrappers above it come and go
    # from one variant of a site's template to another
    return f"{above}/{name}" if above and "#" not in name else name


def _holder(text: LexborNode, index: dict[int, int]) -> tuple[int, bool]:
    """The index of the block that holds ``text`` (-1 for none, or for the code of a script
    or a style), and whether a link lies between them."""
    in_link = False
    up = text.parent
    while up is not None:
        tag = up.tag
        if tag in _CODE:
            return -1, False
        found = index.get(up.mem_id)
        if found is not None:
            return found, in_link
        if tag == "body":
            return -1, False
        in_link = in_link or tag == "a"
        up = up.parent
    return -1, False


# a step of a path: the path above, then the block's tag, id and class as the page spells them
Step = tuple[str, str, str | None, str | None]


def outline_tree(
    tree: LexborHTMLParser,
    keyed: frozenset[int],
    chrome: frozenset[int],
    steps: dict[Step, tuple[str, int]] | None = None,
) -> Walk:
    """The block elements of ``tree``'s body as ``walk_tree`` finds them, without word
    counts and with a key only where a template's ``chrome`` (on the paths ``keyed``) needs
    one to tell: what laying it over a page needs, in less time. A block on no chrome path
    cannot be chrome, and one inside chrome is chrome whatever its key (both keep key 0);
    lexbor reads a block's text faster than a walk over its text nodes. ``steps`` keeps
    each step's path and its hash from one page of a site to the next: the pages of a
    site spell the same paths."""
    walk = Walk([], [], [])
    body = tree.body
    if body is None:
        return walk
    index: dict[int, int] = {}
    depth: list[int] = []
    wanted: list[int] = []  # the blocks on a keyed path
    code: set[int] = set()  # the blocks with a script or a style inside
    steps = {} if steps is None else steps
    parents: list[int] = []
    hashes: list[int] = []
    nodes, paths = walk.nodes, walk.paths
    body_id = body.mem_id
    for node in body.traverse(include_text=False):
        tag = node.tag
        if tag not in BLOCK_TAGS:
            if tag in _CODE:
                up = node.parent
                while up is not None and up.tag != "body":
                    found = index.get(up.mem_id)
                    if found is not None:
                        if found in code:
                            break  # and so are the blocks above it
                        code.add(found)
                    up = up.parent
            continue
        # the nearest block ancestor, as ``_block_parent`` finds it (inline: the walk's
        # hottest loop)
        parent, hops, up = -1, 1, node.parent
        while up is not None:
            mem = up.mem_id
            if mem == body_id:
                break
            found = index.get(mem)
            if found is not None:
                parent = found
                break
            up, hops = up.parent, hops + 1
        level = (depth[parent] if parent >= 0 else 0) + hops
        if level > MAX_DEPTH:
            continue
        attrs = node.attributes
        step = (paths[parent] if parent >= 0 else "", tag, attrs.get("id"), attrs.get("class"))
        known = steps.get(step)
        if known is None:
            path = _joined(step[0], _descriptor(*step[1:]))
            known = steps[step] = (path, _hash(path))
        path, hashed = known
        if hashed in keyed:
            wanted.append(len(parents))
        index[node.mem_id] = len(parents)
        parents.append(parent)
        hashes.append(hashed)
        nodes.append(node)
        paths.append(path)
        depth.append(level)
    # each Element made from its row of numbers without its constructor's keyword handling
    # (all in C: this runs once a block)
    zero = itertools.repeat(0)
    rows = zip(parents, hashes, zero, zero, zero, zero, zero, strict=False)  # (as long)
    walk.elements.extend(map(tuple.__new__, itertools.repeat(Element), rows))
    chrome_at = [False] * len(parents)  # the block is chrome
    under = [False] * len(parents)  # it lies in chrome
    for i in wanted:  # parents first
        outer = parents[i]
        while outer >= 0 and not chrome_at[outer] and not under[outer]:
            outer = parents[outer]
        if outer >= 0:
            under[i] = True
            continue
        node = walk.nodes[i]
        text = _code_free_text(node) if i in code else _norm(node.text(deep=True, separator=" "))
        if not text:
            continue
        key = _hash(walk.paths[i] + "\x00" + text)
        walk.elements[i] = walk.elements[i]._replace(key=key)
        chrome_at[i] = key in chrome
    return walk


def _code_free_text(node: LexborNode) -> str:
    """``node``'s text normalised as ``walk_tree`` joins it, the code of its scripts and
    styles left out."""
    pieces = []
    for text in node.traverse(include_text=True):
        if text.tag != "-text":
            continue
        up = text.parent
        while up is not None and up is not node and up.tag not in _CODE:
            up = up.parent
        if up is not None and up is not node:
            continue  # inside a script or a style
        raw = text.text_content
        if raw and not raw.isspace():
            pieces.append(_norm(raw))
    return " ".join(pieces)


def fingerprint_tree(tree: LexborHTMLParser) -> PageFingerprint:
    return walk_tree(tree).fingerprint()
