"""What a link is for, from its target and its text: navigating the site, or a story.

A link navigates when it points to one of the site's own section pages (its home, a
section, a tag or a category: a path of at most ``SECTION_DEPTH`` short segments, with
no story slug and no number in it) or when its text is a label of at most
``LABEL_WORDS`` words ("PS3", "Site map", "About us"). A link to a story carries a
slug or a number and a headline's words ("/2008/05/12/mayor-resigns-over-budget").
Judged by shape only, in no language: ``scraper.cleaner.precision`` reads it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scraper.measures import word_count

__all__ = ["LABEL_WORDS", "SECTION_DEPTH", "is_nav_link", "is_section_page"]

SECTION_DEPTH = 2
LABEL_WORDS = 2
# A segment with more word separators than this is a story's slug ("mayor-resigns-over").
_SLUG_SEPARATORS = 2
_SEGMENT_CHARS = 30
_DIGIT = re.compile(r"\d")
_SEPARATORS = re.compile(r"[-_+]")
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$", re.IGNORECASE)


def is_section_page(target: str, here: str) -> bool:
    """Whether ``target`` (resolved against the page's address ``here``) is one of the
    site's section pages: same host, a short path of short segments without digits, and
    no query naming one item."""
    try:
        parts = urlsplit(target)
        host = urlsplit(here).hostname if here else None
    except ValueError:  # a malformed address: not a section page
        return False
    if parts.scheme not in ("", "http", "https"):
        return False  # mailto:, javascript:
    if parts.hostname and host and _site(parts.hostname) != _site(host):
        return False
    if parts.query and _DIGIT.search(parts.query):
        return False  # ?id=123, ?p=42: one item
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > SECTION_DEPTH:
        return False
    for segment in segments:
        segment = _PAGE_SUFFIX.sub("", segment)
        if (
            len(segment) > _SEGMENT_CHARS
            or _DIGIT.search(segment)
            or len(_SEPARATORS.findall(segment)) > _SLUG_SEPARATORS
        ):
            return False
    return True


def is_nav_link(target: str, text: str, here: str) -> bool:
    """Whether a link to ``target`` written ``text`` navigates the site (module docstring)."""
    return word_count(text) <= LABEL_WORDS or is_section_page(target, here)


def _site(host: str) -> str:
    """The host without a leading ``www.``: the same site either way."""
    return host[4:] if host.startswith("www.") else host
