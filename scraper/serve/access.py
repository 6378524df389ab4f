"""Who may call ``scraper serve``, and how often: bearer tokens and a per-client rate limit.

Tokens come from the environment variables ``serve.tokens`` names (the config holds names,
never secrets); a request then needs ``Authorization: Bearer <one of them>``, compared in
constant time. A token is never logged or echoed: a client is known by the name of the
variable its token came from, else by its address. The rate limit is a token bucket per
client: ``serve.burst`` requests at once, refilled at ``serve.rate_limit`` a minute; a client
past it is told how long to wait (``Retry-After``).
"""

from __future__ import annotations

import hmac
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from scraper.config import ServeSettings
from scraper.errors import ConfigError

__all__ = ["RateLimiter", "Tokens"]

_KEPT_CLIENTS = 10_000  # buckets remembered before the full ones are forgotten


class Tokens:
    """The accepted bearer tokens, by the name of the variable each came from."""

    def __init__(self, by_name: Mapping[str, str]) -> None:
        self._by_name = dict(by_name)

    @classmethod
    def from_env(cls, settings: ServeSettings, env: Mapping[str, str] | None = None) -> Tokens:
        """The tokens ``serve.tokens`` names; ``ConfigError`` naming a variable unset or empty."""
        env = os.environ if env is None else env
        found: dict[str, str] = {}
        for i, name in enumerate(settings.tokens):
            value = env.get(name, "").strip()
            if not value:
                raise ConfigError(
                    f"serve.tokens.{i}: environment variable {name} is not set (or empty)",
                    key=f"serve.tokens.{i}",
                )
            found[name] = value
        return cls(found)

    @property
    def required(self) -> bool:
        return bool(self._by_name)

    def client(self, authorization: str | None) -> str | None:
        """The name of the token ``authorization`` (the header) carries; None when it
        carries none of them."""
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return None
        offered = given.strip().encode()
        found = None
        for name, token in self._by_name.items():  # every one compared: no timing hint
            if hmac.compare_digest(offered, token.encode()):
                found = name
        return found


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """``wait(client)``: 0 when the request may go now (and is counted), else the seconds
    until it may."""

    def __init__(
        self, per_minute: float, burst: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    @property
    def on(self) -> bool:
        return self._rate > 0

    def wait(self, client: str) -> float:
        if not self.on:
            return 0.0
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= _KEPT_CLIENTS:
                self._forget_full(now)
            bucket = self._buckets[client] = _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self._rate

    def _forget_full(self, now: float) -> None:
        """Clients whose bucket has refilled are as good as new: forgotten."""
        full = [
            c
            for c, b in self._buckets.items()
            if b.tokens + (now - b.at) * self._rate >= self._burst
        ]
        for client in full:
            del self._buckets[client]

    @staticmethod
    def retry_after(seconds: float) -> str:
        """The ``Retry-After`` header: whole seconds, rounded up."""
        return str(max(1, math.ceil(seconds)))
