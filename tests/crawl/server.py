"""A small HTTP server for crawl tests: routes are functions, every request is logged."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Request:
    at: float  # time.monotonic() when the request arrived
    host: str  # the Host header, e.g. 127.0.0.1:PORT
    path: str
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow page)


Route = Callable[[Request], Reply]


class Server:
    """``ThreadingHTTPServer`` on 127.0.0.1 (or ``address``) with an ephemeral port (or
    ``port``), in a daemon thread."""

    def __init__(self, address: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Route | Reply] = {}
        self.log: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                req = Request(
                    at=time.monotonic(),
                    host=self.headers.get("Host", ""),
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                with server._lock:
                    server.log.append(req)
                route = server.routes.get(self.path)
                if route is None:
                    reply = Reply(404, "not found", {"Content-Type": "text/plain"})
                elif isinstance(route, Reply):
                    reply = route
                else:
                    reply = route(req)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((address, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self, host: str | None = None) -> list[str]:
        with self._lock:
            return [r.path for r in self.log if host is None or r.host.startswith(host)]

    def requests(self, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.log if path is None or r.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
