"""Crawl state: the store's protocols and records, the SQLite store (the default, one
process) and the PostgreSQL store (many workers on one frontier)."""

from __future__ import annotations

from pathlib import Path

from scraper.crawl.store.model import (
    OUTCOMES,
    Frontier,
    FrontierItem,
    Hosts,
    HostState,
    Kind,
    LeaseLost,
    Outcome,
    Records,
    RunInfo,
    Runs,
    Store,
    UrlRecord,
)
from scraper.crawl.store.sqlite import SQLiteStore

__all__ = [
    "OUTCOMES",
    "Frontier",
    "FrontierItem",
    "HostState",
    "Hosts",
    "Kind",
    "LeaseLost",
    "Outcome",
    "Records",
    "RunInfo",
    "Runs",
    "SQLiteStore",
    "Store",
    "UrlRecord",
    "is_postgres",
    "open_store",
]


def is_postgres(spec: str) -> bool:
    return spec.startswith(("postgresql://", "postgres://"))


def open_store(spec: str, state_dir: Path) -> Store:
    """``sqlite`` → the SQLite store under ``state_dir``; a PostgreSQL DSN → the shared one."""
    if is_postgres(spec):
        from scraper.crawl.store.postgres import PostgresStore

        return PostgresStore(spec)
    return SQLiteStore(state_dir)
