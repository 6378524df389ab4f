"""Discovery: URL normalisation and scope, links on a page, sitemaps, RSS and Atom feeds.

Pure functions over bytes and strings; nothing here fetches.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url
from lxml import etree

from scraper.config import Config
from scraper.errors import ContentError
from scraper.page.encoding import looks_binary
from scraper.page.parse import parse_html
from scraper.page.urls import join_url

__all__ = [
    "Entry",
    "Scope",
    "SitemapDoc",
    "host_key",
    "normalize",
    "page_links",
    "parse_date",
    "parse_feed",
    "parse_sitemap",
]

_SKIP_EXT = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|bmp|tiff?|pdf|zip|gz|tgz|rar|7z|mp[34]|m4a|avi|mov|webm|"
    r"ogg|wav|css|js|json|xml|rss|atom|woff2?|ttf|eot|exe|dmg|apk|docx?|xlsx?|pptx?)$",
    re.IGNORECASE,
)


def normalize(url: str, base: str | None = None) -> str | None:
    """An absolute, normalised http(s) URL without fragment, or None for one we never fetch.

    Resolves against ``base``, lower-cases scheme and host, drops the default port, the
    fragment and tracking parameters, sorts the query (courlan), removes ``.``/``..`` segments.
    """
    url = url.strip()
    if not url or url.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
        return None
    try:
        absolute = urljoin(base, url) if base else url
        parts = urlsplit(absolute)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        path = _remove_dots(parts.path or "/")
        cleaned = urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
        return normalize_url(cleaned, strict=False)
    except ValueError:
        return None


def _remove_dots(path: str) -> str:
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    joined = "/".join(out)
    if path.endswith(("/.", "/..")):
        joined += "/"
    return joined if joined.startswith("/") else "/" + joined


def host_key(url: str) -> str:
    """The politeness and robots.txt key of a URL: scheme, host and port (``http://h:8080``)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


_HOST_CACHE = 4096


class Scope:
    """Which URLs belong to a site's crawl: its hosts (where no more specific site claims
    them), then ``include`` / ``exclude``. Decisions per host are cached: a page has many links.
    """

    def __init__(self, config: Config, site: str) -> None:
        self.config = config
        self.site = site
        self.rule = config.sites[site]
        self._include = [re.compile(p) for p in self.rule.include]
        self._exclude = [re.compile(p) for p in self.rule.exclude]
        self._hosts: dict[str, bool] = {}

    def on_site(self, url: str) -> bool:
        rest = url.partition("://")[2]
        netloc = rest.split("/", 1)[0].split("?", 1)[0]
        known = self._hosts.get(netloc)
        if known is None:
            if len(self._hosts) >= _HOST_CACHE:
                self._hosts.clear()  # links name many hosts; memory stays flat
            match = self.config.site_for(urlsplit(url).hostname)
            known = self._hosts[netloc] = match is not None and match[0] == self.site
        return known

    def wants(self, url: str) -> bool:
        """On the site's hosts, matches an ``include`` (if any), matches no ``exclude``."""
        if not self.on_site(url):
            return False
        path = url.partition("://")[2].partition("/")[2].split("?", 1)[0]
        if _SKIP_EXT.search(path):
            return False
        if self._include and not any(p.search(url) for p in self._include):
            return False
        return not any(p.search(url) for p in self._exclude)


def page_links(html: str, base_url: str) -> list[str]:
    """Normalised, de-duplicated links of a page, in document order (``<base href>`` honoured)."""
    tree = parse_html(html)
    base = tree.css_first("base[href]")
    if base is not None:
        base_url = join_url(base_url, base.attributes.get("href") or "") or base_url
    seen: dict[str, None] = {}
    for node in tree.css("a[href]"):
        rel = (node.attributes.get("rel") or "").lower()
        if "nofollow" in rel.split():
            continue
        url = normalize(node.attributes.get("href") or "", base_url)
        if url:
            seen.setdefault(url, None)
    return list(seen)


@dataclass(frozen=True)
class Entry:
    """A URL from a sitemap or feed, with the date it says the page last changed."""

    url: str
    modified: datetime | None = None


@dataclass(frozen=True)
class SitemapDoc:
    pages: list[Entry]
    sitemaps: list[Entry]  # a sitemap index lists more sitemaps
    problem: str | None = None  # what was wrong with a sitemap read only in part


# A sitemap is at most 50 MB uncompressed (sitemaps.org); more is a gzip bomb.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


def _inflate(body: bytes) -> bytes:
    if body[:2] == b"\x1f\x8b":
        try:
            return zlib.decompressobj(wbits=31).decompress(body, MAX_SITEMAP_BYTES)
        except zlib.error:
            return b""
    return body


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _parse_xml(data: bytes) -> tuple[etree._Element | None, str | None]:
    """The root element (``None`` when there is none) and the first error of a broken document."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data.lstrip(), parser)
    except etree.XMLSyntaxError:
        return None, None
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    if root is None or not errors:
        return root, None
    first = errors[0]
    return root, f"malformed XML at line {first.line}: {first.message.strip()}"


def _xml(body: bytes) -> etree._Element | None:
    return _parse_xml(_inflate(body))[0]


def _absolute(text: str) -> str | None:
    """A sitemap's URLs are absolute http(s) URLs (sitemaps.org); anything else is skipped."""
    text = text.strip()
    return normalize(text) if text.lower().startswith(("http://", "https://")) else None


def parse_sitemap(body: bytes, base_url: str) -> SitemapDoc:
    """A sitemap or sitemap index, gzipped or not; news sitemaps give their publication date.

    A plain-text sitemap (one absolute URL a line) is read too. A body that is neither (binary,
    broken gzip, no URL at all) raises ``ContentError``; a sitemap read only in part says why
    in ``problem``. ``base_url`` names the sitemap in messages.
    """
    data = _inflate(body)
    if not data:
        what = "broken gzip" if body[:2] == b"\x1f\x8b" else "empty body"
        raise ContentError(f"{base_url}: not a sitemap ({what})", url=base_url)
    if looks_binary(data):
        raise ContentError(f"{base_url}: not a sitemap (binary content)", url=base_url)
    root, problem = _parse_xml(data)
    if root is None:
        return _text_sitemap(data, base_url)
    pages: list[Entry] = []
    sitemaps: list[Entry] = []
    is_index = _local(root.tag) == "sitemapindex"
    if not is_index and _local(root.tag) != "urlset":
        raise ContentError(
            f"{base_url}: not a sitemap (an XML <{_local(root.tag)}> document)", url=base_url
        )
    for node in root:
        kind = _local(node.tag)
        if kind not in ("url", "sitemap"):
            continue
        loc = modified = None
        for child in node.iter():
            name = _local(child.tag)
            text = (child.text or "").strip()
            if name == "loc" and loc is None:
                loc = _absolute(text)
            elif name == "lastmod" or (name == "publication_date" and modified is None):
                modified = parse_date(text) or modified
        if loc:
            (sitemaps if is_index or kind == "sitemap" else pages).append(Entry(loc, modified))
    if problem is not None:
        problem += f"; kept the {len(pages) + len(sitemaps)} URLs read"
    return SitemapDoc(pages=pages, sitemaps=sitemaps, problem=problem)


def _text_sitemap(data: bytes, base_url: str) -> SitemapDoc:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(
            f"{base_url}: not a sitemap (neither XML nor UTF-8 text)", url=base_url
        ) from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    pages = [Entry(u) for line in lines if (u := _absolute(line))]
    if not pages:
        raise ContentError(f"{base_url}: not a sitemap (no XML, no URLs)", url=base_url)
    skipped = len(lines) - len(pages)
    problem = f"{skipped} lines of the text sitemap are not URLs" if skipped else None
    return SitemapDoc(pages=pages, sitemaps=[], problem=problem)


def parse_feed(body: bytes, base_url: str) -> list[Entry]:
    """Item links of an RSS (0.9x/1.0/2.0) or Atom feed, with their updated/published dates."""
    root = _xml(body)
    if root is None:
        return []
    entries: list[Entry] = []
    for node in root.iter():
        kind = _local(node.tag)
        if kind not in ("item", "entry"):
            continue
        link = modified = None
        for child in node:
            name = _local(child.tag)
            if name == "link":
                href = child.get("href")
                rel = child.get("rel", "alternate")
                if href is not None and rel == "alternate" and link is None:
                    link = normalize(href, base_url)
                elif href is None and child.text and link is None:
                    link = normalize(child.text, base_url)
            elif name in ("updated", "pubDate", "date", "published", "modified"):
                modified = modified or parse_date((child.text or "").strip())
        if link is None:
            about = node.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
            guid = next((c for c in node if _local(c.tag) == "guid"), None)
            if guid is not None and guid.get("isPermaLink", "true") == "true":
                link = normalize((guid.text or "").strip(), base_url)
            elif about:
                link = normalize(about, base_url)
        if link:
            entries.append(Entry(link, modified))
    return entries


def parse_date(text: str) -> datetime | None:
    """A W3C datetime (``2024-05-01``, ``2024-05-01T10:00:00+02:00``) or an RFC 822 date."""
    if not text:
        return None
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
