"""The CPU-bound half of a page, run in worker processes: decode, clean, hash, find links.

A worker never outlives its crawl: a thread waits on a pipe whose only writer is the crawl
process, and ends the worker when the crawl is gone, even killed by ``kill -9`` (the
forkserver and the resource tracker then end too, their pipes closed). Each page has a time
limit (``crawl.clean_timeout``): a ``SIGALRM`` interrupts the cleaning and the page fails.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import FrameType

from scraper.batch.failure import guarded
from scraper.cleaner import clean
from scraper.config import Config
from scraper.crawl.discover import page_links
from scraper.document import Document
from scraper.errors import CleaningError, ScraperError
from scraper.page.encoding import decode_html

__all__ = ["CleanFn", "Cleaned", "clean_page", "init_worker", "run_clean", "text_hash"]

# The config of this worker process, set once by ``init_worker`` (the pool's initializer), so
# that it is not pickled with every page.
_CONFIG: Config | None = None
_ORPHANED = 70  # exit status of a worker whose crawl is gone


@dataclass(frozen=True)
class Cleaned:
    doc: Document | None
    hash: str | None
    links: list[str]
    error: str | None = None
    fingerprint: str | None = None  # the page's, packed, when the crawl learns templates
    crashed: bool = False  # the cleaner itself failed (``CleaningError``), not the page


CleanFn = Callable[[bytes, str | None, str, bool, bool], Cleaned]


class _TooSlow(BaseException):
    """Raised by the alarm; a ``BaseException`` so that no ``except Exception`` swallows it."""


def init_worker(config: Config, lifeline: Connection | None = None) -> None:
    """The pool's initializer. Signals are for the crawl process: it stops the crawl and lets
    the pages being cleaned finish (a Ctrl-C reaches every process of the terminal's group).

    ``lifeline`` is the read end of a pipe the crawl process holds open: end of file means the
    crawl is gone, and so is this worker."""
    global _CONFIG
    _CONFIG = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, _alarm)
    if lifeline is not None:
        threading.Thread(target=_watch, args=(lifeline,), name="lifeline", daemon=True).start()


def _watch(lifeline: Connection) -> None:
    try:
        while True:
            lifeline.recv_bytes()
    except (EOFError, OSError):
        os._exit(_ORPHANED)


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _TooSlow


def run_clean(
    fn: CleanFn,
    timeout: float,
    body: bytes,
    charset: str | None,
    url: str,
    want_doc: bool,
    want_links: bool,
    site_template: str | None = None,
) -> Cleaned:
    """``fn`` (``clean_page``) on one page, cut off after ``timeout`` seconds.

    ``site_template`` (the crawl learns templates): the site's template as JSON, or ``""``
    while it has none; the page is then cleaned with it and its fingerprint taken."""
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        if site_template is None:
            return fn(body, charset, url, want_doc, want_links)
        learning: Callable[..., Cleaned] = fn  # ``clean_page`` takes the template too
        return learning(body, charset, url, want_doc, want_links, site_template=site_template)
    except _TooSlow:
        return Cleaned(None, None, [], f"{url}: cleaning took longer than {timeout:g}s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_page(
    body: bytes,
    charset: str | None,
    url: str,
    want_doc: bool,
    want_links: bool,
    *,
    site_template: str | None = None,
) -> Cleaned:
    """Clean the page (``want_doc``), list its links (``want_links``); raises for no page.

    With ``site_template`` (see ``run_clean``) the page is cleaned with the site's template
    and its fingerprint comes back."""
    try:
        html = decode_html(body, charset)
    except (ScraperError, ValueError, LookupError) as exc:
        return Cleaned(None, None, [], f"{url}: cannot decode: {exc}")
    links = page_links(html, url) if want_links else []
    if not want_doc:
        return Cleaned(None, None, links)
    template, fingerprint = None, None
    if site_template is not None:
        from scraper.site.learn import page_fingerprint
        from scraper.site.template import SiteTemplate

        try:  # a page the template cannot read is cleaned without it
            found = guarded(url, lambda: page_fingerprint(html))
            fingerprint = found.pack() if found is not None else None
            template = SiteTemplate.from_json(site_template) if site_template else None
        except ScraperError:
            fingerprint = template = None
    try:
        doc = guarded(url, lambda: clean(html, url, config=_CONFIG, template=template))
    except ScraperError as exc:  # (whatever the cleaner raised: the failure policy)
        crashed = isinstance(exc, CleaningError)
        return Cleaned(None, None, links, str(exc), fingerprint, crashed=crashed)
    return Cleaned(doc, text_hash(doc.text), links, fingerprint=fingerprint)
