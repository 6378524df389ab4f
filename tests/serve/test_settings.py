"""``serve:`` in the config: networks and token names checked at load, named by key."""

from __future__ import annotations

import ipaddress

import pytest

from scraper.config import config_from_mapping
from scraper.errors import ConfigError
from scraper.serve.access import RateLimiter, Tokens


def test_allow_networks_are_cidrs() -> None:
    config = config_from_mapping({"serve": {"allow_networks": ["10.0.0.0/8", "::1/128"]}})
    assert config.serve.allow_networks == [
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    ]
    with pytest.raises(ConfigError, match=r"serve\.allow_networks\.0: not a network in CIDR"):
        config_from_mapping({"serve": {"allow_networks": ["10.0.0.1/8"]}})  # host bits set
    with pytest.raises(ConfigError, match=r"serve\.allow_networks\.0"):
        config_from_mapping({"serve": {"allow_networks": ["intranet"]}})


def test_tokens_are_names_of_variables_never_secrets() -> None:
    with pytest.raises(ConfigError, match=r"serve\.tokens\.0: not the name of an environment"):
        config_from_mapping({"serve": {"tokens": ["s3cr3t-value!"]}})
    config = config_from_mapping({"serve": {"tokens": ["API_TOKEN"]}})
    tokens = Tokens.from_env(config.serve, {"API_TOKEN": "abc"})
    assert tokens.required
    assert tokens.client("Bearer abc") == "API_TOKEN"
    assert tokens.client("bearer abc") == "API_TOKEN"
    assert tokens.client("Bearer abd") is None
    assert tokens.client("Basic abc") is None
    assert tokens.client(None) is None
    assert not Tokens.from_env(config_from_mapping({}).serve, {}).required


def test_the_rate_limit_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(60, 2, clock=lambda: now[0])  # one a second, two at once
    assert [limiter.wait("a"), limiter.wait("a")] == [0.0, 0.0]
    assert limiter.wait("a") == pytest.approx(1.0)
    assert limiter.wait("b") == 0.0  # each client its own bucket
    now[0] = 0.5
    assert limiter.wait("a") == pytest.approx(0.5)
    now[0] = 1.0
    assert limiter.wait("a") == 0.0
    assert RateLimiter.retry_after(0.2) == "1" and RateLimiter.retry_after(3.5) == "4"
    assert not RateLimiter(0, 10).on and RateLimiter(0, 10).wait("a") == 0.0
