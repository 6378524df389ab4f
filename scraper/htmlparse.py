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

_SELF_CLOSED_IFRAME = re.compile(r"(<iframe\b[^>]*?)\s*/>", re.IGNORECASE)


def parse_html(html: str) -> LexborHTMLParser:
    """``html`` parsed by lexbor, with self-closed ``<iframe/>`` tags closed."""
    return LexborHTMLParser(_SELF_CLOSED_IFRAME.sub(r"\1></iframe>", html))
