"""Parse a page with lexbor, repairing the one markup slip that hides a whole page.

``<iframe …/>`` is not a void element in HTML: the ``/`` is ignored and everything up
to the next ``</iframe>`` becomes the frame's raw text. Tag-manager snippets written
that way inside ``noscript`` are harmless in a browser, which runs scripts and so reads
``noscript`` as text, but lexbor parses without scripting, and the rest of the page
(its article) vanishes into the frame. Such frames are closed before parsing.

Two more repairs keep parsing linear: an element with more than ``MAX_ATTRIBUTES``
attributes keeps only the first of them (lexbor's and lxml's duplicate-attribute checks are
quadratic: 40,000 attributes take 5 s and 12 s), and elements deeper than ``MAX_DEPTH`` are
unwrapped.
"""

from __future__ import annotations

import collections
import itertools
import re

from selectolax.lexbor import LexborHTMLParser

__all__ = ["MAX_ATTRIBUTES", "MAX_DEPTH", "bound_attributes", "drop_code", "parse_html"]

_IFRAME_START = re.compile(r"<iframe\b", re.IGNORECASE)


# Deeper than this, an element is unwrapped: its content becomes text of its ancestor at
# this depth. Readers of the tree (ours, trafilatura's, lxml's) walk it by recursion, and
# no page a person reads nests this deep (700 unclosed ``<font>`` tags of a hand-written
# page do).
MAX_DEPTH = 180

# No element a person writes or a framework renders carries this many attributes; a page
# that does (generated or hostile) would take the parsers quadratic time.
MAX_ATTRIBUTES = 1000

# Elements whose content is text, not markup, up to their end tag: a "tag" inside them is
# not one. ``noscript`` is markup here, as lexbor parses without scripting.
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"}
)
_MARKUP = re.compile(r"<!--|<([A-Za-z][^\s/>]*)")
# Possessive: with nothing to backtrack into, a tag of a million attributes is matched in
# 0.1 s and no memory (greedy, the engine kept 570 MB of backtracking state).
_ATTRIBUTE = r"""[^\s"'>/=]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]*+))?+|/"""
_ATTRIBUTES = re.compile(rf"(?:\s*+(?:{_ATTRIBUTE}))*+\s*+")
_ONE_ATTRIBUTE = re.compile(_ATTRIBUTE)


def _many_attributes(limit: int) -> re.Pattern[str]:
    """A tag with more than ``limit`` attributes, wherever it starts (in a comment or a
    script too: a superset of the tags ``bound_attributes`` cuts)."""
    return re.compile(rf"<[A-Za-z][^\s/>]*+(?:\s*+(?:{_ATTRIBUTE})){{{limit + 1}}}")


_MANY_ATTRIBUTES = _many_attributes(MAX_ATTRIBUTES)


def parse_html(html: str) -> LexborHTMLParser:
    """``html`` parsed by lexbor, with self-closed ``<iframe/>`` tags closed, attributes
    beyond ``MAX_ATTRIBUTES`` dropped and elements deeper than ``MAX_DEPTH`` unwrapped."""
    tree = LexborHTMLParser(bound_attributes(close_self_closed_iframes(html)))
    flatten_deep(tree)
    return tree


def flatten_deep(tree: LexborHTMLParser, limit: int = MAX_DEPTH) -> int:
    """Unwrap the elements of ``tree`` deeper than ``limit`` (one pass, no recursion);
    returns how many."""
    root = tree.root
    if root is None:
        return 0
    # lexbor tells first, in one query, whether any element is that deep (none is on the
    # pages people write); the walk in Python to find them costs five times as much
    if root.css_first(" > ".join(["*"] * (limit + 1))) is None:
        return 0
    depth: dict[int, int] = {root.mem_id: 0}
    deep = []
    for node in root.traverse(include_text=False):
        parent = node.parent
        level = depth.get(parent.mem_id, 0) + 1 if parent is not None else 0
        depth[node.mem_id] = level
        if level > limit:
            deep.append(node)
    for node in reversed(deep):  # the deepest first: each leaves its content to its parent
        node.unwrap()
    return len(deep)


def close_self_closed_iframes(html: str) -> str:
    """``<iframe …/>`` written as ``<iframe …></iframe>``; other markup unchanged.

    One pass, each character read at most twice: a regular expression that looks for the
    ``/>`` lazily took quadratic time on an ``<iframe`` followed by 150 KB of spaces.
    """
    parts: list[str] = []
    done = 0
    for match in _IFRAME_START.finditer(html):
        start = match.start()
        if start < done:  # inside the previous tag
            continue
        end = html.find(">", match.end())
        if end < 0:
            break  # no tag is closed after this point
        if html[end - 1] == "/":
            parts.append(html[done:start])
            parts.append(html[start : end - 1].rstrip())
            parts.append("></iframe>")
            done = end + 1
    if not parts:
        return html
    parts.append(html[done:])
    return "".join(parts)


def bound_attributes(html: str, limit: int = MAX_ATTRIBUTES) -> str:
    """``html`` with each start tag cut after its first ``limit`` attributes; text inside
    comments and raw-text elements (``script``, ``style``, …) untouched.

    Tag by tag, each tag's attributes matched in one step (about 0.8 ms a page, twice
    lexbor's parse); only a tag at least ``2 * limit`` characters long has its attributes
    counted. Pages without any tag of that many attributes (all that people write) are told
    apart first, by one search that costs a third of the walk, and returned as they are.
    """
    many = _MANY_ATTRIBUTES if limit == MAX_ATTRIBUTES else _many_attributes(limit)
    if many.search(html) is None:
        return html
    parts: list[str] = []
    done = pos = 0
    while (match := _MARKUP.search(html, pos)) is not None:
        if match.group(1) is None:  # a comment: up to its end
            end = html.find("-->", match.end())
            pos = len(html) if end < 0 else end + 3
            continue
        name = match.group(1).lower()
        run = _ATTRIBUTES.match(html, match.end())
        pos = run.end() if run is not None else match.end()
        if pos - match.end() >= 2 * limit:
            attributes = _ONE_ATTRIBUTE.finditer(html, match.end(), pos)
            last = collections.deque(itertools.islice(attributes, limit), maxlen=1)
            if last and next(attributes, None) is not None:
                parts.append(html[done : last[0].end()])
                done = pos  # the rest of the tag's attributes
        if name in _RAW_TEXT and html.startswith(">", pos):
            close = re.compile(rf"</{re.escape(name)}\b", re.IGNORECASE).search(html, pos)
            pos = len(html) if close is None else close.start()
    if not parts:
        return html
    parts.append(html[done:])
    return "".join(parts)


# the code in a body, as pruning drops it (JSON-LD is metadata, and read again later)
_BODY_CODE = 'body script:not([type="application/ld+json"]), body style'


def drop_code(tree: LexborHTMLParser) -> None:
    """``tree`` without the scripts and styles of its body (as pruning takes them)."""
    for node in tree.css(_BODY_CODE):
        node.decompose()
