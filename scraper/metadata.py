"""Title, author and date of a page, read cheaply from its markup with selectolax.

Sources, most trusted first: JSON-LD (``headline``, ``author``, ``datePublished``),
Open Graph and ``article:`` meta tags, ``meta name=author``/``itemprop`` markup, the
page's one ``h1``, its first ``time[datetime]``, and the ``<title>`` without its site
suffix. Everything here is generic page markup; nothing is keyed to a site.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser

__all__ = ["Metadata", "read_metadata"]

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—·:»]\s+[^|\-–—·:»]{2,60}$")
_ARTICLE_TYPES = re.compile(r"Article|Posting|Report|NewsArticle|WebPage|Product|Recipe")


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    kind: str | None = None  # what the page says it is: "article", "product", … (see _kind)


def read_metadata(tree: LexborHTMLParser) -> Metadata:
    """The page's metadata (fields are None when not found)."""
    ld = _json_ld(tree)
    title = _first(
        _text(ld.get("headline")),
        _one_h1(tree),
        _meta(tree, 'meta[property="og:title"]'),
        _strip_suffix(_node_text(tree, "title")),
    )
    author = _first(
        _ld_author(ld.get("author")),
        _meta(tree, 'meta[name="author"]'),
        _meta(tree, 'meta[property="article:author"]', plain=True),
        _node_text(tree, '[itemprop="author"] [itemprop="name"], [itemprop="author"]'),
        _node_text(tree, 'a[rel="author"]'),
    )
    date = _first(
        _day(ld.get("datePublished")),
        _day(_meta(tree, 'meta[property="article:published_time"]')),
        _day(_meta(tree, 'meta[itemprop="datePublished"]')),
        _day(_attr(tree, '[itemprop="datePublished"]', "datetime")),
        _day(_meta(tree, 'meta[name="date"], meta[name="pubdate"], meta[name="publish-date"]')),
        _day(_attr(tree, "time[datetime]", "datetime")),
        _day(ld.get("dateModified")),
        _day(_meta(tree, 'meta[property="article:modified_time"]')),
    )
    return Metadata(title=title, author=author, date=date, kind=_kind(tree))


_KINDS = (
    ("forum", re.compile(r"DiscussionForumPosting|QAPage|Question")),
    ("product", re.compile(r"^Product$|ProductGroup|^product")),
    ("article", re.compile(r"Article$|BlogPosting|^article$|NewsArticle|Report")),
)


def _kind(tree: LexborHTMLParser) -> str | None:
    """The page's own claim about its type: JSON-LD ``@type``s, then ``og:type``."""
    declared: list[str] = []
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(deep=True) or "null")
        except ValueError:
            continue
        for item in _items(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            declared += [k for k in kinds if isinstance(k, str)]
    og = _meta(tree, 'meta[property="og:type"]')
    if og:
        declared.append(og.strip().lower())
    for name, pattern in _KINDS:
        if any(pattern.search(k) for k in declared):
            return name
    return None


def _first(*values: str | None) -> str | None:
    for value in values:
        if value and value.strip():
            return " ".join(value.split())
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _meta(tree: LexborHTMLParser, selector: str, *, plain: bool = False) -> str | None:
    node = tree.css_first(selector)
    value = node.attributes.get("content") if node is not None else None
    if plain and value and "://" in value:  # a profile URL, not a name
        return None
    return value


def _attr(tree: LexborHTMLParser, selector: str, name: str) -> str | None:
    node = tree.css_first(selector)
    return node.attributes.get(name) if node is not None else None


def _node_text(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    return node.text(deep=True, strip=True) if node is not None else None


def _one_h1(tree: LexborHTMLParser) -> str | None:
    nodes = tree.css("h1")
    return nodes[0].text(deep=True, separator=" ", strip=True) if len(nodes) == 1 else None


def _strip_suffix(title: str | None) -> str | None:
    return _TITLE_SUFFIX.sub("", title) if title else None


def _day(value: str | None) -> str | None:
    match = _ISO_DAY.search(value) if isinstance(value, str) else None
    return "-".join(match.groups()) if match else None


def _ld_author(value: Any) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_ld_author(v) for v in value) if n]
        return "; ".join(names) or None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _json_ld(tree: LexborHTMLParser) -> dict[str, Any]:
    """The first JSON-LD object that looks like the page's main item."""
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(deep=True) or "null")
        except ValueError:
            continue
        for item in _items(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
                return item
    return {}


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [i for d in data for i in _items(d)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *(_items(graph) if graph else [])]
    return []
