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

__all__ = ["SECTION_DEPTH", "is_nav_link", "is_section_page", "page_site"]

SECTION_DEPTH = 2
# A segment with more word separators than this is a story's slug ("mayor-resigns-over").
_SLUG_SEPARATORS = 2
_SEGMENT_CHARS = 30
_DIGIT = re.compile(r"\d")
_SEPARATORS = re.compile(r"[-_+]")
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$", re.IGNORECASE)


def is_section_page(target: str, here: str) -> bool:
    """Whether ``target`` (as the page writes it, or resolved) is one of the site's
    section pages, for a page at ``here`` (module docstring)."""
    return is_nav_link(target, page_site(here))


def page_site(url: str | None) -> str | None:
    """The site a page at ``url`` belongs to, as ``is_nav_link`` compares it: its host
    without a leading ``www.``."""
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # a malformed address
        return None
    return _site(host) if host else None


def is_nav_link(href: str, site: str | None) -> bool:
    """Whether a link to ``href`` (as written, or resolved) navigates the site ``site``
    (``page_site``): a page of that site, with no query, at a short path of short segments
    without digits. Read from the address's text alone, once for every link of a page."""
    if "?" in href:
        return False  # one item, one search: ?id=123, ?query=name
    href = href.split("#", 1)[0].strip()
    if href.startswith(("http://", "https://", "//")):
        rest = href.split("//", 1)[1]
        host, _, path = rest.partition("/")
        host = host.rsplit("@", 1)[-1].split(":", 1)[0].lower()
        if site is not None and _site(host) != site:
            return False
    elif ":" in href.split("/", 1)[0]:
        return False  # mailto:, javascript:, tel:
    else:
        path = href
    segments = [s for s in path.split("/") if s and s not in (".", "..")]
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


def _site(host: str) -> str:
    """The host without a leading ``www.``: the same site either way."""
    return host[4:] if host.startswith("www.") else host
