"""What a link is for, from its target: navigating the site, or one item of it.

A link navigates when it points to one of the site's own section pages (its home, a
section, a tag or a category: a path of at most ``SECTION_DEPTH`` short segments, with
no story slug, no number and no query in it: "/games/", "/about", "/tag/harbour"). A
link to a story, a paper or a search carries a slug, a number or a query
("/2008/05/12/mayor-resigns-over-budget", "/pdf/2603.05498", "?query=Sun"). Its text
does not decide: a short label links to an item as often as to a section ("pdf", an
author's name; measured on WCXB-dev's listings). Judged by shape only, in no language:
``scraper.cleaner.precision`` reads it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["SECTION_DEPTH", "is_nav_link", "is_section_page", "same_site"]

SECTION_DEPTH = 2
# A segment with more word separators than this is a story's slug ("mayor-resigns-over").
_SLUG_SEPARATORS = 2
_SEGMENT_CHARS = 30
_DIGIT = re.compile(r"\d")
_SEPARATORS = re.compile(r"[-_+]")
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$", re.IGNORECASE)


def is_section_page(target: str, here: str) -> bool:
    """Whether ``target`` (resolved against the page's address ``here``) is one of the
    site's section pages: a page of the site (``same_site``) at a short path of short
    segments without digits."""
    if not same_site(target, here):
        return False
    segments = [s for s in urlsplit(target).path.split("/") if s]
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


def same_site(target: str, here: str) -> bool:
    """Whether ``target`` is a page of the site of ``here`` that names no one item or
    search: same host (``www.`` or not), a web address, no query (``?id=123``,
    ``?query=name``)."""
    try:
        parts = urlsplit(target)
        host = urlsplit(here).hostname if here else None
    except ValueError:  # a malformed address
        return False
    if parts.scheme not in ("", "http", "https") or parts.query:
        return False  # mailto:, javascript:, one item or one search
    return not (parts.hostname and host and _site(parts.hostname) != _site(host))


def is_nav_link(target: str, here: str) -> bool:
    """Whether a link to ``target`` navigates the site of ``here`` (module docstring)."""
    return is_section_page(target, here)


def _site(host: str) -> str:
    """The host without a leading ``www.``: the same site either way."""
    return host[4:] if host.startswith("www.") else host
