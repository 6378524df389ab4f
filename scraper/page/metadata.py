"""Title, author and date of a page, read cheaply from its markup with selectolax.

Sources, most trusted first: JSON-LD (``headline``, ``author``, ``datePublished``),
Open Graph and ``article:`` meta tags, ``meta name=author``/``itemprop`` markup, the
page's one ``h1``, its first ``time[datetime]``, and the ``<title>`` without its site
suffix. Everything here is generic page markup; nothing is keyed to a site.

An author must look like a name (``plausible_author``): not a bio run into the name,
not a forum badge line, not a template placeholder. What the markup lacks is filled in
by ``complete_metadata`` from the lxml tree the extractors parse anyway: htmldate's
quick date pass, then a date written near the start of the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date as Date
from typing import Any

from lxml.html import HtmlElement
from selectolax.lexbor import LexborHTMLParser

__all__ = [
    "Metadata",
    "PageInfo",
    "complete_metadata",
    "declared_kind",
    "plausible_author",
    "read_json_ld",
    "read_metadata",
    "read_page_info",
    "written_date",
]

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—·:»]\s+[^|\-–—·:»]{2,60}$")
_ARTICLE_TYPES = re.compile(r"Article|Posting|Report|NewsArticle|WebPage|Product|Recipe")


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    kind: str | None = None  # what the page says it is: "article", "product", … (see _kind)


@dataclass(frozen=True)
class PageInfo:
    """What a page says about itself beside its title, author and date (None: not said).

    ``canonical_url`` and ``image`` are as written in the page: relative URLs are resolved
    by the caller, who knows the page's address.
    """

    canonical_url: str | None = None
    language: str | None = None
    description: str | None = None
    sitename: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()


# A tag list longer than this is a keyword-stuffed meta, not the article's tags.
MAX_TAGS = 30
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def read_page_info(tree: LexborHTMLParser, items: list[dict[str, Any]] | None = None) -> PageInfo:
    """The page's canonical URL, language, description, site name, image and tags, read
    from ``<link rel=canonical>``, ``<html lang>``, Open Graph, ``meta`` tags and JSON-LD.
    Read before site rules and pruning cut the page: they drop ``<html lang>``."""
    ld = _main_item(_ld_items(tree) if items is None else items)
    metas = _metas(tree)
    html = tree.css_first("html")
    language = _first_said(
        lambda: html.attributes.get("lang") if html is not None else None,
        lambda: _meta(metas, "http-equiv", "content-language", fold=True),
        lambda: _text(ld.get("inLanguage")),
        lambda: _meta(metas, "property", "og:locale"),
    )
    if language is not None:
        language = language.split(",")[0].strip().replace("_", "-")
        language = language if _LANGUAGE.match(language) else None
    publisher = ld.get("publisher")
    return PageInfo(
        canonical_url=_first_said(
            lambda: _attr(tree, 'link[rel="canonical" i]', "href"),
            lambda: _meta(metas, "property", "og:url"),
        ),
        language=language,
        description=_first_said(
            lambda: _meta(metas, "name", "description", fold=True),
            lambda: _meta(metas, "property", "og:description"),
            lambda: _text(ld.get("description")),
        ),
        sitename=_first_said(
            lambda: _meta(metas, "property", "og:site_name"),
            lambda: _text(publisher.get("name")) if isinstance(publisher, dict) else None,
            lambda: _meta(metas, "name", "application-name"),
        ),
        image=_first_said(
            lambda: _meta(metas, "property", "og:image"),
            lambda: _meta(metas, "name", "twitter:image"),
            lambda: _ld_image(ld.get("image")),
        ),
        tags=_tags(metas, ld),
    )


def _ld_image(value: Any) -> str | None:
    if isinstance(value, list):
        return next((url for url in map(_ld_image, value) if url), None)
    if isinstance(value, dict):
        return _text(value.get("url"))
    return _text(value)


def _tags(metas: Metas, ld: dict[str, Any]) -> tuple[str, ...]:
    """``article:tag`` metas, else JSON-LD ``keywords``, else ``meta name=keywords``."""
    found = [a.get("content") or "" for a in metas if a.get("property") == "article:tag"]
    if not found:
        keywords = ld.get("keywords")
        if isinstance(keywords, list):
            found = [k for k in keywords if isinstance(k, str)]
        elif isinstance(keywords, str):
            found = keywords.split(",")
    if not found:
        found = (_meta(metas, "name", "keywords", fold=True) or "").split(",")
    tags: dict[str, None] = {}  # an ordered set: the page's order, each tag once
    for tag in found:
        tag = " ".join(tag.split())
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags[tag] = None
    return tuple(tags)[:MAX_TAGS]


def read_json_ld(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """The page's JSON-LD items (read once a page, and passed to the functions below)."""
    return _ld_items(tree)


def declared_kind(tree: LexborHTMLParser, items: list[dict[str, Any]] | None = None) -> str | None:
    """What the page says it is ("article", "product", "forum"), or None (see ``_kind``)."""
    return _kind(_metas(tree), _ld_items(tree) if items is None else items)


def read_metadata(tree: LexborHTMLParser, items: list[dict[str, Any]] | None = None) -> Metadata:
    """The page's metadata (fields are None when not found); ``items``: its JSON-LD."""
    items = _ld_items(tree) if items is None else items
    ld = _main_item(items)
    metas = _metas(tree)
    # each source is read only when those before it said nothing (each is a search of
    # the page)
    title = _first_said(
        lambda: _text(ld.get("headline")),
        lambda: _one_h1(tree),
        lambda: _meta(metas, "property", "og:title"),
        lambda: _strip_suffix(_node_text(tree, "title")),
    )
    author = _first_said(
        lambda: _plausible(_ld_author(ld.get("author"))),
        lambda: _plausible(_meta(metas, "name", "author")),
        lambda: _plausible(_meta(metas, "property", "article:author", plain=True)),
        lambda: _plausible(
            _first_line(tree, '[itemprop="author"] [itemprop="name"], [itemprop="author"]')
        ),
        lambda: _plausible(_first_line(tree, 'a[rel="author"]')),
        lambda: _byline(tree),
    )
    date = _first_said(
        lambda: _day(ld.get("datePublished")),
        lambda: _day(_meta(metas, "property", "article:published_time")),
        lambda: _day(_meta(metas, "itemprop", "datePublished")),
        lambda: _day(_attr(tree, '[itemprop="datePublished"]', "datetime")),
        lambda: _day(_meta(metas, "name", "date", "pubdate", "publish-date")),
        lambda: _day(_attr(tree, "time[datetime]", "datetime")),
        lambda: _day(ld.get("dateModified")),
        lambda: _day(_meta(metas, "property", "article:modified_time")),
    )
    return Metadata(title=title, author=author, date=date, kind=_kind(metas, items))


_KINDS = (
    ("forum", re.compile(r"DiscussionForumPosting|QAPage|Question")),
    ("product", re.compile(r"^Product$|ProductGroup|^product")),
    ("article", re.compile(r"Article$|BlogPosting|^article$|NewsArticle|Report")),
)


def _kind(metas: Metas, items: list[dict[str, Any]]) -> str | None:
    """The page's own claim about its type: JSON-LD ``@type``s, then ``og:type``."""
    declared = [k for item in items for k in _types(item)]
    og = _meta(metas, "property", "og:type")
    if og:
        declared.append(og.strip().lower())
    for name, pattern in _KINDS:
        if any(pattern.search(k) for k in declared):
            return name
    return None


# A name is a few words; longer values are bios, badge lines or whole bylines.
MAX_AUTHOR_CHARS = 80
_NOT_A_NAME = re.compile(
    r"\d{3}"  # post counts, joined dates, reputation scores
    r"|^\W"  # ", USA TODAY"
    r"|^[\w-]+(?:\.[\w-]+){2,}$"  # template placeholders: page.head.extra.author
    r"|\b(?:view|more|all) (?:posts|articles)\b|\bposts by\b|\barticles by\b",
    re.IGNORECASE,
)


def plausible_author(value: str | None) -> bool:
    """Whether ``value`` reads as one or a few names rather than page furniture."""
    if not value or not value.strip():
        return False
    value = " ".join(value.split())
    if len(value) > MAX_AUTHOR_CHARS or "://" in value:
        return False
    if _NOT_A_NAME.search(value):
        return False
    # every name of a list is a word or more: not "Mac; I"
    names = [n for n in re.split(r"[;,]", value) if n.strip()]
    return bool(names) and all(sum(c.isalpha() for c in n) >= 2 for n in names)


# Bylines by class or id, most specific first (trafilatura's author vocabulary).
_BYLINES = (
    '#author, .author, [itemprop="author name"], [class*="author-name"], '
    '[class*="authorName"], [class*="AuthorName"], [class*="author_name"]',
    '.byline, .username, [class*="byline"], [class*="posted-by"], [class*="submitted-by"], '
    '[class*="author"], [id*="author"]',
)
_BYLINE_SKIP = re.compile(r"comment|reply|related|avatar|bio\b|image|img|photo", re.IGNORECASE)
_BY = re.compile(
    r"^(?:(?:written|posted|published|posted|reviewed|edited)\s+)?by\s*:?\s+|^authors?\s*:\s*",
    re.IGNORECASE,
)


def _byline(tree: LexborHTMLParser) -> str | None:
    """The first plausible name in a byline element (outside comment sections)."""
    for selector in _BYLINES:
        for node in tree.css(selector)[:8]:
            if _in_skipped(node):
                continue
            lines = (ln.strip() for ln in node.text(deep=True, separator="\n").split("\n"))
            for line in lines:
                name = _BY.sub("", line).strip()
                if name.casefold() in ("by", "author", "authors", "written by", "posted by"):
                    continue
                if name:
                    if plausible_author(name):
                        return name
                    break
    return None


def _in_skipped(node: Any) -> bool:
    while node is not None and node.tag not in ("body", "html"):
        attrs = node.attributes
        value = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if node.tag in ("time", "figure") or _BYLINE_SKIP.search(value):
            return True
        node = node.parent
    return False


def complete_metadata(meta: Metadata, tree: HtmlElement, url: str | None) -> Metadata:
    """``meta`` with a missing date or author looked for in the lxml ``tree`` (not changed).

    The date is the first one written near the start of the text, else htmldate's
    quick pass finds one (URL, head, JSON, ``abbr``/``time``, date-like classes). The
    written date goes first: it is right as often (BENCHMARKS.md, step 12) and costs a
    third of htmldate's time, which it then spares on most pages. A declared product
    has no publication date to find: the dates in its text are reviews' and shipping
    dates (BENCHMARKS.md, step 13). The author is left as the markup gave it:
    trafilatura's byline search cost ~33 ms a page for less than ``_byline`` finds
    (BENCHMARKS.md, step 5).
    """
    if meta.date is not None or meta.kind == "product":
        return meta
    date = _text_date(tree) or _htmldate(tree, url, extensive=False)
    return meta if date is None else replace(meta, date=date)


# A date written in the page's text is near its title: only the start of the text is read.
TEXT_HEAD_CHARS = 6000
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        )
    )
    for m in names.split()
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_TEXT_DATES = (
    # March 5, 2025 · Mar 5th 2025
    (
        re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.I),
        (3, 1, 2),
    ),
    # 5 March 2025 · 5th of March, 2025
    (
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+((?:19|20)\d\d)\b", re.I
        ),
        (3, 2, 1),
    ),
    # 2025-03-05
    (re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b"), (1, 2, 3)),
)
# every form holds a year: a date is looked for where there is one
_YEAR = re.compile(r"(?:19|20)\d\d")
_ISO_LENGTH = len("2025-03-05")
# how far before its year a written date may start ("5th of September,  2025", with room
# for the runs of spaces a page's markup leaves in its text)
_DATE_REACH = 200


def _text_date(tree: HtmlElement) -> str | None:
    """The first full date written in words (or ISO) in the start of the page's text."""
    body = tree.find("body")
    parts, size = [], 0
    for segment in (body if body is not None else tree).itertext():
        parts.append(segment)
        size += len(segment)
        if size >= TEXT_HEAD_CHARS:
            break
    return written_date(" ".join(parts))


def written_date(text: str) -> str | None:
    """The first full date written in words (or ISO) in ``text``: the start of a page's
    text (``TEXT_HEAD_CHARS``).

    Each form is looked for only just before and at each year the text holds (``_YEAR``
    finds them all, a scan regular expressions do fast): a form's own search, opened by a
    word boundary and alternatives, runs slowly over a whole text."""
    found: list[tuple[int, str]] = []
    pending = list(_TEXT_DATES)
    for year in _YEAR.finditer(text):
        if not pending:
            break
        start = year.start()
        for form in list(pending):
            # the form's first match ends at the first year it can end at
            match = form[0].search(text, max(0, start - _DATE_REACH), start + _ISO_LENGTH + 1)
            if match is not None:
                pending.remove(form)
                found += _valid_date(match, form[1])
    return min(found)[1] if found else None


def _valid_date(match: re.Match[str], groups: tuple[int, int, int]) -> list[tuple[int, str]]:
    """The date ``match`` writes, where it starts, if it is a day and not in the future."""
    y, m, d = groups
    month = match.group(m)
    month_no = int(month) if month.isdigit() else _MONTHS.get(month.lower().rstrip("."), 0)
    try:
        day = Date(int(match.group(y)), month_no, int(match.group(d)))
    except ValueError:
        return []
    return [(match.start(), day.isoformat())] if day <= Date.today() else []


def _htmldate(tree: HtmlElement, url: str | None, *, extensive: bool) -> str | None:
    from htmldate import find_date

    try:
        found = find_date(
            tree,
            url=url,
            extensive_search=extensive,
            original_date=True,
            max_date=Date.today().isoformat(),
        )
    except Exception:  # htmldate's parsers fail on odd markup: no date, not a crash
        return None
    return _day(found)


def _plausible(author: str | None) -> str | None:
    return author if plausible_author(author) else None


def _first_said(*reads: Callable[[], str | None]) -> str | None:
    """The first value the reads give that is not blank, spaces collapsed; each read is
    made only while none before it has said."""
    for read in reads:
        value = read()
        if value and value.strip():
            return " ".join(value.split())
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# a page's ``meta`` elements' attributes, in page order (``_metas``)
Metas = list[dict[str, str | None]]


def _metas(tree: LexborHTMLParser) -> Metas:
    """The attributes of ``tree``'s ``meta`` elements, in page order: read once, for the
    several that each reading looks up (one search of the page, not one a name)."""
    return [node.attributes for node in tree.css("meta")]


def _meta(
    metas: Metas, key: str, *values: str, fold: bool = False, plain: bool = False
) -> str | None:
    """The ``content`` of the first meta whose ``key`` attribute is one of ``values`` (as
    ``meta[key="value"]`` selects it; ``fold``: in any case, as ``[key="value" i]``)."""
    wanted = {v.casefold() for v in values} if fold else set(values)
    for attrs in metas:
        said = attrs.get(key)
        if said is not None and (said.casefold() if fold else said) in wanted:
            value = attrs.get("content")
            if plain and value and "://" in value:  # a profile URL, not a name
                return None
            return value
    return None


def _attr(tree: LexborHTMLParser, selector: str, name: str) -> str | None:
    node = tree.css_first(selector)
    return node.attributes.get(name) if node is not None else None


def _node_text(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    return node.text(deep=True, strip=True) if node is not None else None


def _first_line(tree: LexborHTMLParser, selector: str) -> str | None:
    """The first line of the node's text: a name without the bio or badges run after it."""
    node = tree.css_first(selector)
    if node is None:
        return None
    lines = (ln.strip() for ln in node.text(deep=True, separator="\n").split("\n"))
    return next((ln for ln in lines if ln), None)


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


def _ld_items(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page (``@graph`` members included), in page order."""
    items: list[dict[str, Any]] = []
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(deep=True) or "null")
        except ValueError:
            continue
        items += _items(data)
    return items


def _types(item: dict[str, Any]) -> list[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [k for k in kinds if isinstance(k, str)]


def _main_item(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The first JSON-LD object that looks like the page's main item."""
    for item in items:
        if any(_ARTICLE_TYPES.search(k) for k in _types(item)):
            return item
    return {}


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [i for d in data for i in _items(d)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *(_items(graph) if graph else [])]
    return []
