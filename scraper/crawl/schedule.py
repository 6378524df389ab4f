"""Schedules: which sites are due, and when the next one will be."""

from __future__ import annotations

import math
from collections.abc import Iterable

from scraper.config import Config, SiteRule
from scraper.crawl.store import Store
from scraper.errors import ConfigError

__all__ = ["crawlable", "due_sites", "next_due"]


def crawlable(rule: SiteRule) -> bool:
    """A site with somewhere to start: start pages, sitemaps or feeds."""
    return bool(rule.start or rule.sitemaps or rule.feeds)


def _pick(config: Config, names: Iterable[str]) -> list[str]:
    picked = list(dict.fromkeys(names))
    for name in picked:
        if name not in config.sites:
            known = ", ".join(sorted(config.sites)) or "none"
            raise ConfigError(f"no site {name!r} in the config (sites: {known})")
    return picked or [n for n, rule in config.sites.items() if crawlable(rule)]


def due_sites(
    config: Config, store: Store, now: float, names: Iterable[str] = (), force: bool = False
) -> list[str]:
    """Sites to crawl now: named ones (or every crawlable one) whose ``every`` has passed.

    A site whose last run was killed or stopped is always due: it resumes.
    """
    due = []
    for name in _pick(config, names):
        last = store.last_run(name)
        resume = last is None or last.status != "finished"
        if force or resume or now >= last.started_at + config.sites[name].every:  # type: ignore[union-attr]
            due.append(name)
    return due


def next_due(config: Config, store: Store, names: Iterable[str] = ()) -> float:
    """The earliest time (epoch seconds) one of the sites falls due; ``inf`` with none."""
    soonest = math.inf
    for name in _pick(config, names):
        last = store.last_run(name)
        if last is None or last.status != "finished":
            return 0.0
        soonest = min(soonest, last.started_at + config.sites[name].every)
    return soonest
