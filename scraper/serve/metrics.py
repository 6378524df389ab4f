"""What ``scraper serve`` counts, for ``GET /metrics`` (Prometheus text format).

One registry per server (not the library's global one): requests by endpoint and status,
the cleaning time, fetches by outcome, refusals by reason, and the requests in flight.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
_CLEAN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "scraper_requests",
            "HTTP requests answered, by endpoint and status",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.clean_seconds = Histogram(
            "scraper_clean_seconds",
            "Time cleaning one page in a worker",
            buckets=_CLEAN_BUCKETS,
            registry=self.registry,
        )
        self.fetches = Counter(
            "scraper_fetches",
            "Pages fetched for a request, by outcome (ok, refused, failed, timeout)",
            ["outcome"],
            registry=self.registry,
        )
        self.refusals = Counter(
            "scraper_refusals",
            "URLs refused before any request, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "scraper_requests_in_flight",
            "Cleaning requests being handled (the queue bound is serve.queue)",
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
