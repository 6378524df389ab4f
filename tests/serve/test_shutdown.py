"""``scraper serve`` as a process: SIGTERM lets the request in flight finish, then exits 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from crawl.server import Server

from .conftest import UPSTREAM, settings, write_config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sigterm_finishes_the_request_in_flight_and_exits_0(
    upstream: Server, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.yaml", settings())
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    args = [sys.executable, "-m", "scraper", "serve", "--config", str(config)]
    proc = subprocess.Popen(
        [*args, "--port", str(port), "--workers", "1", "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)

        answers: list[httpx.Response] = []
        url = upstream.url("/held", UPSTREAM)  # the upstream takes 1 s to answer
        before = len(upstream.requests("/held"))
        client = threading.Thread(
            target=lambda: answers.append(
                httpx.get(f"{base}/v1/clean", params={"url": url}, timeout=30)
            )
        )
        client.start()
        while len(upstream.requests("/held")) == before:
            assert client.is_alive()
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)  # while the upstream is still answering
        client.join(30)
        assert answers and answers[0].status_code == 200, answers
        assert answers[0].json()["url"] == url
        assert proc.wait(30) == 0, proc.communicate()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
