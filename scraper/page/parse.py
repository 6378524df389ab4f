"""Parse a page with lexbor, repairing the one markup slip that hides a whole page.

``<iframe …/>`` is not a void element in HTML: the ``/`` is ignored and everything up
to the next ``</iframe>`` becomes the frame's raw text. Tag-manager snippets written
that way inside ``noscript`` are harmless in a browser, which runs scripts and so reads
``noscript`` as text, but lexbor parses without scripting, and the rest of the page
(its article) vanishes into the frame. Such frames are closed before parsing.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

__all__ = ["parse_html"]

_IFRAME_START = re.compile(r"<iframe\b", re.IGNORECASE)


# Deeper than this, an element is unwrapped: its content becomes text of its ancestor at
# this depth. Readers of the tree (ours, trafilatura's, lxml's) walk it by recursion, and
# no page a person reads nests this deep (700 unclosed ``<font>`` tags of a hand-written
# page do).
MAX_DEPTH = 180


def parse_html(html: str) -> LexborHTMLParser:
    """``html`` parsed by lexbor, with self-closed ``<iframe/>`` tags closed and elements
    deeper than ``MAX_DEPTH`` unwrapped."""
    tree = LexborHTMLParser(close_self_closed_iframes(html))
    flatten_deep(tree)
    return tree


def flatten_deep(tree: LexborHTMLParser, limit: int = MAX_DEPTH) -> int:
    """Unwrap the elements of ``tree`` deeper than ``limit`` (one pass, no recursion);
    returns how many."""
    root = tree.root
    if root is None:
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
