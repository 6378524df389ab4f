"""A real ``scraper serve`` (uvicorn, in a thread) on 127.0.0.1, and an upstream site on
127.0.0.2 that ``serve.allow_networks`` opens for the tests: real HTTP, no internet.

Host names are looked up by a resolver the test gives the server: ``upstream.test`` is the
upstream (so a fetch that reaches it proves the connection went to the checked address, as
no DNS knows that name), ``private.test`` a private address, ``localhost`` both loopback
addresses, ``mixed.test`` a public and a private one.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from crawl.server import Reply, Server

from scraper.config import config_from_mapping
from scraper.serve import create_app

PAGES = Path(__file__).resolve().parents[1] / "pages"
ARTICLE = PAGES / "alistapart.com" / "understandingwebdesign.html"
UPSTREAM = "127.0.0.2"  # on Linux, all of 127.0.0.0/8 is the loopback interface

NAMES: dict[str, list[str]] = {
    "upstream.test": [UPSTREAM],
    "private.test": ["10.1.2.3"],
    "metadata.test": ["169.254.169.254"],
    "localhost": ["127.0.0.1", "::1"],
    "mixed.test": ["93.184.216.34", "10.0.0.1"],
}

REBIND_ASKED: list[str] = []


async def fake_resolver(host: str, port: int) -> Sequence[str]:
    if host == "boom.test":  # a resolver with a bug
        raise RuntimeError("the resolver broke")
    if host == "rebind.test":  # a rebinding DNS server: allowed once, loopback afterwards
        REBIND_ASKED.append(host)
        return [UPSTREAM] if len(REBIND_ASKED) == 1 else ["127.0.0.1"]
    try:
        return NAMES[host]
    except KeyError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


def settings(crawl: Mapping[str, Any] | None = None, **serve: Any) -> dict[str, Any]:
    """The config of a test server: fast (no delay, no retries, short timeouts)."""
    return {
        "fetch": {"timeout": 2, "connect_timeout": 1, "retries": 0, "max_bytes": 400_000},
        "crawl": {"delay": 0, "clean_timeout": "10s", **(crawl or {})},
        "serve": {"allow_networks": [f"{UPSTREAM}/32"], **serve},
    }


class Running:
    """uvicorn serving ``app`` on 127.0.0.1 in a thread, until ``close()``."""

    def __init__(self, app: Any) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


Start = Callable[..., Running]


@pytest.fixture(scope="module")
def upstream() -> Iterator[Server]:
    server = Server(address=UPSTREAM)
    html = ARTICLE.read_bytes()
    server.routes.update(
        {
            "/robots.txt": Reply(
                200, "User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"}
            ),
            "/article": Reply(200, html),
            "/private": Reply(200, html),
            "/to-article": Reply(302, b"", {"Location": "/article"}),
            "/slow": Reply(200, html, delay=3.0),
            "/held": Reply(200, html, delay=1.0),
            "/error": Reply(500, "boom", {"Content-Type": "text/plain"}),
            "/pdf": Reply(200, b"%PDF-1.4 ...", {"Content-Type": "application/pdf"}),
            "/empty": Reply(200, "<html><body></body></html>"),
        }
    )
    yield server
    server.close()


@pytest.fixture(scope="module")
def start() -> Iterator[Start]:
    """``start(config_mapping, env=...)``: a running server, closed after the module."""
    running: list[Running] = []

    def _start(data: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Running:
        config = config_from_mapping(dict(data))
        app = create_app(config, workers=1, resolver=fake_resolver, env=env or {})
        server = Running(app)
        running.append(server)
        return server

    yield _start
    for server in running:
        server.close()


def write_config(path: Path, data: Mapping[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(dict(data)), encoding="utf-8")
    return path
