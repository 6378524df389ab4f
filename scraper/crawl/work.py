"""The CPU-bound half of a page, run in worker processes: decode, clean, hash, find links."""

from __future__ import annotations

import hashlib
import signal
from dataclasses import dataclass

from scraper.cleaner import clean
from scraper.config import Config
from scraper.crawl.discover import page_links
from scraper.document import Document
from scraper.encoding import decode_html
from scraper.errors import ScraperError

__all__ = ["Cleaned", "clean_page", "init_worker", "text_hash"]

# The config of this worker process, set once by ``init_worker`` (the pool's initializer), so
# that it is not pickled with every page.
_CONFIG: Config | None = None


@dataclass(frozen=True)
class Cleaned:
    doc: Document | None
    hash: str | None
    links: list[str]
    error: str | None = None


def init_worker(config: Config) -> None:
    """The pool's initializer. Signals are for the crawl process: it stops the crawl and lets
    the pages being cleaned finish (a Ctrl-C reaches every process of the terminal's group)."""
    global _CONFIG
    _CONFIG = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_page(
    body: bytes, charset: str | None, url: str, want_doc: bool, want_links: bool
) -> Cleaned:
    """Clean the page (``want_doc``), list its links (``want_links``); raises for no page."""
    try:
        html = decode_html(body, charset)
    except (ScraperError, ValueError, LookupError) as exc:
        return Cleaned(None, None, [], f"{url}: cannot decode: {exc}")
    links = page_links(html, url) if want_links else []
    if not want_doc:
        return Cleaned(None, None, links)
    try:
        doc = clean(html, url, config=_CONFIG or Config())
    except ScraperError as exc:
        return Cleaned(None, None, links, str(exc))
    return Cleaned(doc, text_hash(doc.text), links)
