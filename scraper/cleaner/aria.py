"""Headings that a page marks by their ARIA role, made headings in its markup.

A card layout or a script-built page often writes its headings as ``div`` (or ``span``,
``p``) with ``role="heading"`` and an ``aria-level``: what a screen reader reads as a
heading of that level. Each is rewritten as the ``h1``–``h6`` of its level (``aria-level``
missing or out of range: 2, ARIA's default), so that every later stage, the readings and
the structure alike, reads it as the heading it says it is. An element that is a heading
already, or holds block content (a card whose whole body carries the role), is left alone.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

__all__ = ["DEFAULT_LEVEL", "headings_by_role"]

DEFAULT_LEVEL = 2
_ROLE = "[role=heading i]"
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCK_CONTENT = "p, div, ul, ol, dl, table, section, article, h1, h2, h3, h4, h5, h6"


def headings_by_role(tree: LexborHTMLParser) -> LexborHTMLParser:
    """``tree`` with its ``role=heading`` elements rewritten as headings, in place."""
    for node in tree.css(_ROLE):
        # (a node's own ``css`` matches the node itself too)
        inner = (n for n in node.css(_BLOCK_CONTENT) if n.mem_id != node.mem_id)
        if node.tag in _HEADINGS or next(inner, None) is not None:
            continue
        level = (node.attributes.get("aria-level") or "").strip()
        number = int(level) if level.isdigit() and 1 <= int(level) <= 6 else DEFAULT_LEVEL
        made = LexborHTMLParser(f"<h{number}>{node.inner_html or ''}</h{number}>").body
        heading = made.child if made is not None else None
        if heading is not None:
            node.replace_with(heading)
    return tree
