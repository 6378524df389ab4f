"""Addresses as a page writes them: joined and split without raising.

``urllib.parse`` raises ``ValueError`` for an address it cannot split (a bracketed host that
is no IPv6 address, ``http://[garbage]/``; a port out of range). A page may hold any such
link: it is a link no browser can follow, and it must not fail the page.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

__all__ = ["join_url", "url_host"]


def join_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``; None when either cannot be parsed."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def url_host(url: str | None) -> str | None:
    """The host of ``url``, lower-cased; None when it has none or cannot be parsed."""
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None
