"""robots.txt as RFC 9309 says, parsed with protego.

- cached per scheme, host and port for at most 24 hours (``CrawlSettings.robots_ttl``);
- 4xx (other than 429): no rules, everything allowed;
- 5xx, 429 or unreachable: everything disallowed for now, asked again after
  ``CrawlSettings.robots_retry`` seconds;
- groups are matched with our product token (``scraper`` from ``scraper/0.1 (+…)``);
- ``Crawl-delay`` raises the delay between two requests to the host, never lowers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from protego import Protego

__all__ = ["ROBOTS_MAX_BYTES", "Robots", "product_token"]

# RFC 9309 §2.5: parse at least 500 KiB.
ROBOTS_MAX_BYTES = 512 * 1024
_TOKEN = re.compile(r"[A-Za-z_-]+")


def product_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched with: ``scraper/0.1 (+…)`` → ``scraper``."""
    match = _TOKEN.match(user_agent.strip())
    return match.group(0).lower() if match else "*"


@dataclass(frozen=True)
class Robots:
    """The robots.txt answer for one host. ``status`` 0 means it could not be fetched."""

    status: int
    fetched_at: float
    body: str = ""
    _parser: Protego | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_response(cls, status: int, body: str, fetched_at: float) -> Robots:
        parser = Protego.parse(body) if 200 <= status < 300 else None
        return cls(status=status, fetched_at=fetched_at, body=body, _parser=parser)

    @property
    def unavailable(self) -> bool:
        """5xx, 429 or unreachable: assume complete disallow (RFC 9309 §2.3.1.4)."""
        return self.status == 0 or self.status == 429 or self.status >= 500

    def allows(self, url: str, token: str) -> bool:
        if self.unavailable:
            return False
        if self._parser is None:  # 4xx (or a 3xx we could not follow): no rules
            return True
        return bool(self._parser.can_fetch(url, token))

    def crawl_delay(self, token: str) -> float | None:
        if self._parser is None:
            return None
        delay = self._parser.crawl_delay(token)
        return float(delay) if delay is not None else None

    def sitemaps(self) -> list[str]:
        return list(self._parser.sitemaps) if self._parser is not None else []

    def fresh(self, now: float, ttl: float, retry: float) -> bool:
        """Still usable at ``now``: up to ``ttl`` old, or ``retry`` old when unavailable."""
        return now - self.fetched_at < (retry if self.unavailable else ttl)
