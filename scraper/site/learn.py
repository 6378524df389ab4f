"""``learn_template(pages)``: a site's template from some of its pages, read as ``clean``
reads them."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from selectolax.lexbor import LexborHTMLParser

from scraper.page.encoding import decode_html, looks_binary
from scraper.page.parse import parse_html
from scraper.site.fingerprint import PageFingerprint, walk_tree
from scraper.site.template import SiteTemplate, learn_from_fingerprints

__all__ = ["learn_template", "page_fingerprint", "page_tree"]


def page_tree(html: str | bytes, charset: str | None = None) -> LexborHTMLParser | None:
    """The page parsed as ``clean`` parses it; None for what is not an HTML page."""
    if isinstance(html, bytes):
        if not html.strip() or looks_binary(html):
            return None
        html = decode_html(html, charset)
    if not html.strip():
        return None
    return parse_html(unicodedata.normalize("NFC", html))


def page_fingerprint(html: str | bytes, charset: str | None = None) -> PageFingerprint | None:
    tree = page_tree(html, charset)
    return walk_tree(tree).fingerprint() if tree is not None else None


def learn_template(
    pages: Iterable[tuple[str | bytes, str | None]], *, site: str | None = None
) -> SiteTemplate:
    """The template of the site whose pages (``(html, url)``, html as bytes or str) are given.

    Raises ``InputError`` when fewer than two distinct HTML pages are given.
    """
    fingerprints = []
    paths: dict[int, str] = {}
    for html, _url in pages:
        tree = page_tree(html)
        if tree is None:
            continue
        walk = walk_tree(tree)
        fingerprints.append(walk.fingerprint())
        for element, path in zip(walk.elements, walk.paths, strict=True):
            paths.setdefault(element.path, path)
    return learn_from_fingerprints(fingerprints, paths=paths, site=site)
