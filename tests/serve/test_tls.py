"""HTTPS through the pinned connection: the checked address is dialled, while the TLS server
name and the certificate check stay the URL's host name."""

from __future__ import annotations

import asyncio
import ipaddress
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scraper.config import config_from_mapping
from scraper.errors import FetchError
from scraper.serve.fetching import SafeFetcher
from scraper.serve.guard import Guard

from .conftest import ARTICLE, UPSTREAM, settings

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def _certificate(tmp: Path, name: str) -> tuple[Path, Path]:
    cert, key = tmp / f"{name}.pem", tmp / f"{name}.key"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}"),
            *("-addext", f"subjectAltName=DNS:{name}"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def https(tmp_path: Path) -> Iterator[tuple[int, Path, list[str | None], list[str]]]:
    """An HTTPS server on 127.0.0.2 with a certificate for secure.test; the names clients
    asked for (SNI) and the paths requested are recorded."""
    cert, key = _certificate(tmp_path, "secure.test")
    asked: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: asked.append(name)  # type: ignore[assignment,return-value]
    html = ARTICLE.read_bytes()
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            paths.append(self.path)
            status, body = (404, b"") if self.path == "/robots.txt" else (200, html)
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((UPSTREAM, 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], cert, asked, paths
    server.shutdown()
    server.server_close()


async def _resolver(host: str, port: int) -> Sequence[str]:
    return [UPSTREAM] if host in ("secure.test", "impostor.test") else []


def _fetcher(cert: Path) -> SafeFetcher:
    config = config_from_mapping(settings())
    guard = Guard([ipaddress.ip_network(f"{UPSTREAM}/32")], resolver=_resolver)
    return SafeFetcher(config, guard, ssl_context=ssl.create_default_context(cafile=str(cert)))


def test_https_goes_to_the_checked_address_with_the_name_as_server_name(https) -> None:
    port, cert, asked, paths = https
    result = asyncio.run(_fetcher(cert).fetch(f"https://secure.test:{port}/article"))
    assert result.status == 200 and b"Understanding Web Design" in result.body
    assert asked and set(asked) == {"secure.test"}
    assert paths == ["/robots.txt", "/article"]


def test_the_certificate_is_checked_against_the_name(https) -> None:
    port, cert, asked, paths = https
    # the same address under another name: its certificate does not cover it, so not even
    # robots.txt is asked for (the handshake fails), and the page is not fetched
    with pytest.raises(FetchError, match=r"robots\.txt of https://impostor\.test:\d+ unavailable"):
        asyncio.run(_fetcher(cert).fetch(f"https://impostor.test:{port}/article"))
    assert "impostor.test" in asked and paths == []
