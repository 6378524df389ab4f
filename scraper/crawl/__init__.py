"""Scheduled, polite, incremental, resumable crawls.

discover     URL normalisation and scope, page links, sitemaps, feeds
robots       robots.txt rules (RFC 9309) with protego
resources    fetching robots.txt, sitemaps and feeds
politeness   per-host slots and delays, total concurrency, Retry-After pushback
             (in the store's host rows when the store is shared)
store        the state: protocols, SQLite (default) and PostgreSQL (many workers) stores
schedule     which sites are due
work         cleaning in worker processes
output       document files, the run's JSONL, WARC
runner       the crawl itself (an event-driven dispatcher); emits events
stopping     a stop signal that wakes the dispatcher
progress     renders events (live display, log lines, summary)
"""

from scraper.crawl.events import (
    Event,
    Notice,
    PageDone,
    Progress,
    RunFinished,
    RunStarted,
    SiteSummary,
)
from scraper.crawl.runner import Crawler, crawl_due, watch
from scraper.crawl.stopping import Stop
from scraper.crawl.store import SQLiteStore, Store

__all__ = [
    "Crawler",
    "Event",
    "Notice",
    "PageDone",
    "Progress",
    "RunFinished",
    "RunStarted",
    "SQLiteStore",
    "SiteSummary",
    "Stop",
    "Store",
    "crawl_due",
    "watch",
]
