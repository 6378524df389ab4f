"""``scraper serve``: clean on demand over HTTP (``scraper.serve``), on uvicorn.

SIGTERM or Ctrl-C stops accepting connections, lets the requests in flight finish, and
exits 0.
"""

from __future__ import annotations

from types import FrameType

import click

from scraper.config import load_config

__all__ = ["serve_command"]

_GRACE = 30  # seconds the requests in flight get to finish after SIGTERM


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on [default: serve.host, 127.0.0.1].")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="[default: serve.port, 8080]."
)
@click.option("--config", "-c", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Cleaning processes [default: serve.workers; 0: one per core].",
)
@click.option("--log-level", default="info", type=click.Choice(["debug", "info", "warning"]))
def serve_command(
    host: str | None,
    port: int | None,
    config_path: str | None,
    workers: int | None,
    log_level: str,
) -> None:
    """Serve cleaning over HTTP: POST /v1/clean, GET /v1/clean?url=..., /healthz, /metrics.

    Only public addresses are fetched (serve.allow_networks opens others). See the README,
    "Serving".
    """
    try:  # the server's imports are paid only by this command
        import uvicorn

        from scraper.serve import create_app
    except ImportError as exc:
        raise click.ClickException(
            f"scraper serve needs its extra ({exc.name} is missing): pip install 'scraper[serve]'"
        ) from None

    class Server(uvicorn.Server):
        """uvicorn raises a caught SIGTERM again once it has shut down, to die of it; here a
        SIGTERM is the ordinary way to stop, and the exit code is 0."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    config = load_config(config_path)
    settings = config.serve
    app = create_app(config, workers=workers)
    server = Server(
        uvicorn.Config(
            app,
            host=host or settings.host,
            port=port or settings.port,
            log_level=log_level,
            timeout_graceful_shutdown=_GRACE,
            server_header=False,
        )
    )
    server.run()
