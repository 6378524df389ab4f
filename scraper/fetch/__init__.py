"""Getting pages over HTTP: ``client`` (one page: size cap, timeouts, redirects, decoding),
``retry`` (when and how long to wait before trying again), ``resources`` (robots.txt,
sitemaps and feeds: text, not pages), ``robots`` (reading robots.txt) and ``polite`` (a list
of URLs: robots.txt and per-host delays). The crawl has its own scheduler over these.
"""

from scraper.fetch.client import Fetcher, FetchResult
from scraper.fetch.polite import PoliteFetcher
from scraper.fetch.retry import RetryPolicy

__all__ = ["FetchResult", "Fetcher", "PoliteFetcher", "RetryPolicy"]
