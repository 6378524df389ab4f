"""The language of a benchmark page: declared by the page, else detected from its text.

Declared: ``<html lang>`` (or ``xml:lang``), else a Content-Language ``<meta>``. Detected:
py3langid (trafilatura's own optional detector, installed with the ``bench`` extra) over
the page's visible text. Without py3langid, the country-code top-level domain of the URL,
as a last resort. Only the primary subtag is kept (``de-AT`` → ``de``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser
from trafilatura.utils import decode_file

__all__ = ["PageLanguage", "declared_language", "detect_language", "page_language"]

Source = Literal["declared", "detected", "domain", "unknown"]

_PRIMARY = re.compile(r"^[a-z]{2,3}$")
_DETECT_CHARS = 5000  # enough for a stable guess; more only costs time
# ccTLDs whose country has one main language; a last resort when no detector is installed.
_TLD_LANGUAGE = {
    "de": "de", "at": "de", "fr": "fr", "es": "es", "it": "it", "nl": "nl", "pl": "pl",
    "pt": "pt", "br": "pt", "ru": "ru", "cn": "zh", "tw": "zh", "jp": "ja", "kr": "ko",
    "se": "sv", "dk": "da", "fi": "fi", "cz": "cs", "gr": "el", "tr": "tr", "uk": "en",
    "us": "en", "au": "en", "ie": "en", "nz": "en", "sa": "ar", "eg": "ar", "ae": "ar",
}  # fmt: skip


@dataclass(frozen=True)
class PageLanguage:
    """A page's language code (ISO 639-1 where one exists) and where it came from."""

    code: str
    source: Source
    detected: str | None = None  # what detection says, when it ran (to check declarations)


def _primary(value: str | None) -> str | None:
    if not value:
        return None
    first = re.split(r"[-_,;\s]", value.strip().lower(), maxsplit=1)[0]
    return first if _PRIMARY.match(first) else None


def declared_language(tree: LexborHTMLParser) -> str | None:
    """``<html lang>`` / ``xml:lang``, else a Content-Language meta, as a primary subtag."""
    root = tree.css_first("html")
    if root is not None:
        for attr in ("lang", "xml:lang"):
            code = _primary(root.attributes.get(attr))
            if code:
                return code
    for meta in tree.css("meta"):
        attrs = meta.attributes
        key = (attrs.get("http-equiv") or attrs.get("name") or "").strip().lower()
        if key in {"content-language", "language"}:
            code = _primary(attrs.get("content"))
            if code:
                return code
    return None


def _visible_text(tree: LexborHTMLParser) -> str:
    body = tree.body or tree.root
    if body is None:
        return ""
    for node in body.css("script, style, noscript, template"):
        node.decompose()
    return " ".join(body.text(separator=" ").split())[:_DETECT_CHARS]


def detect_language(text: str) -> str | None:
    """py3langid's guess for ``text``; None when it is not installed or there is no text."""
    try:
        import py3langid  # type: ignore[import-untyped]
    except ImportError:
        return None
    if not text.strip():
        return None
    code, _score = py3langid.classify(text)
    return str(code)


def _domain_language(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return _TLD_LANGUAGE.get(host.rsplit(".", 1)[-1]) if host else None


def page_language(html: bytes | str, url: str | None) -> PageLanguage:
    """The page's declared language, else the detected one, else its domain's."""
    # trafilatura's decoder (UTF-8, else a guessed charset): the same text it reads
    tree = LexborHTMLParser(decode_file(html))
    declared = declared_language(tree)
    detected = detect_language(_visible_text(tree))
    if declared:
        return PageLanguage(declared, "declared", detected)
    if detected:
        return PageLanguage(detected, "detected", detected)
    by_domain = _domain_language(url)
    if by_domain:
        return PageLanguage(by_domain, "domain")
    return PageLanguage("und", "unknown")
