"""Text measures shared by the cleaner's stages: letters-and-digits keys, word counts.

Keys compare two renderings of one text (a reading's and the page's blocks'): the
extractors space, punctuate and decode a page's text slightly differently, so texts are
compared on their letters and digits only, casefolded.
"""

from __future__ import annotations

import re

__all__ = ["keys", "letters_and_digits"]

# HTML parsers replace NUL and lxml refuses it: hardly any text holds it (``keys`` copes)
_SEP = "\x00"
_NOT_KEPT = re.compile(r"[^\w\x00]+")
_ASCII_NOT_KEPT = bytes(b for b in range(128) if not chr(b).isalnum() and chr(b) != _SEP)


def keys(texts: list[str]) -> list[str]:
    """Each text's letters and digits, casefolded (one pass for all of them)."""
    out = letters_and_digits(_SEP.join(texts)).split(_SEP)
    if len(out) != len(texts):  # a text held the separator after all
        out = [letters_and_digits(text.replace(_SEP, "")) for text in texts]
    return out


def letters_and_digits(text: str) -> str:
    """``text``'s letters and digits, casefolded."""
    # ASCII spaces and punctuation go in one bytes pass, which is faster than a regular
    # expression (BENCHMARKS.md, step 14); the expression reads only non-ASCII leftovers.
    raw = text.casefold().encode("utf-8", "surrogatepass")
    kept = raw.translate(None, _ASCII_NOT_KEPT).decode("utf-8", "surrogatepass")
    return kept if kept.isascii() else _NOT_KEPT.sub("", kept)
