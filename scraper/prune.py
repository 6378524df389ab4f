"""Generic pruning of plain page chrome with selectolax, before extraction."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

__all__ = ["prune_chrome"]

# Never article text, on any site.
_ALWAYS_CHROME = (
    'script:not([type="application/ld+json"]), style, noscript, template,'
    " svg, iframe, object, embed"
)


def prune_chrome(tree: LexborHTMLParser) -> None:
    """Drop elements that never hold article text (in place)."""
    for node in tree.css(_ALWAYS_CHROME):
        node.decompose()
