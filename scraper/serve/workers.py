"""Cleaning for ``scraper serve``: a pool of worker processes, each page under the
``crawl.clean_timeout`` limit.

A page is cleaned, recorded and rendered in a worker exactly as ``scraper clean`` does it
(``scraper.clean``, ``scraper.batch.records``, ``scraper.render``), so that the service
answers what the command line prints, byte for byte. Whatever the cleaner raises is the
page's error (``scraper.batch.failure.guarded``). A ``SIGALRM`` in the worker stops a page
past its limit; a worker that ignores it (stuck in C code) is killed after twice the limit,
its pool replaced, and the pages it held cleaned again once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from types import FrameType
from typing import Literal

from scraper.batch.failure import guarded
from scraper.batch.inputs import Job
from scraper.batch.pool import WORKER_DIED, default_workers, named
from scraper.batch.records import page_record, to_json_line, wants_comments
from scraper.cleaner import clean
from scraper.config import Config
from scraper.document import Format
from scraper.errors import ScraperError
from scraper.render import render

__all__ = ["CleanPool", "Cleaned", "Task", "clean_task"]

# What stopped a page, besides a ScraperError (named by its class).
Stopped = Literal["timeout", "died"]


@dataclass(frozen=True)
class Task:
    """One page to clean: ``body`` as fetched (with its ``charset``) or as given (text)."""

    source: str
    body: bytes | str = field(repr=False)
    url: str | None
    charset: str | None = None
    fmt: Format = "json"
    links: bool = False
    comments: bool = False


@dataclass(frozen=True)
class Cleaned:
    """A task's answer: ``record`` (one JSON line: the batch record, with ``content`` the
    rendering when the format is not json) and ``content``; or ``error`` (one line) and
    ``kind`` (the error's class name, ``timeout`` or ``died``)."""

    record: str | None = None
    content: str | None = None
    error: str | None = None
    kind: str | None = None
    seconds: float = 0.0


class _TooSlow(BaseException):
    """Raised by the alarm; a ``BaseException`` so that no ``except Exception`` swallows it."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _TooSlow


def _init_worker() -> None:
    """Signals are for the server: it stops accepting and lets the pages in hand finish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, _alarm)


def clean_task(task: Task, config: Config, timeout: float) -> Cleaned:
    """Clean, record and render one page, stopped after ``timeout`` seconds (in a worker:
    ``_init_worker`` set the alarm's handler)."""
    started = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        record, content = _clean(task, config)
    except _TooSlow:
        message = f"{task.source}: cleaning took longer than {timeout:g}s"
        return Cleaned(error=message, kind="timeout", seconds=time.perf_counter() - started)
    except ScraperError as exc:
        error = named(exc, Job(source=task.source))
        return Cleaned(
            error=str(error), kind=type(error).__name__, seconds=time.perf_counter() - started
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return Cleaned(record=record, content=content, seconds=time.perf_counter() - started)


def _clean(task: Task, config: Config) -> tuple[str, str | None]:
    source = task.source
    doc = guarded(source, lambda: clean(task.body, task.url, config=config, charset=task.charset))
    comments = wants_comments(doc, config, asked=task.comments)
    record = guarded(source, lambda: page_record(source, doc, comments=comments))
    if task.fmt == "json":
        return to_json_line(record), None
    content = guarded(source, lambda: render(doc, task.fmt, links=task.links, comments=comments))
    return to_json_line({**record, "content": content}), content


class CleanPool:
    """``await run(task)`` in one of ``workers`` processes (0: one per core)."""

    def __init__(self, config: Config, *, workers: int = 0) -> None:
        self._config = config
        self._timeout = config.crawl.clean_timeout
        self.workers = workers or default_workers()
        # forkserver: the server runs threads, which a fork would copy mid-flight
        self._context = multiprocessing.get_context("forkserver")
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._context, initializer=_init_worker
        )

    async def run(self, task: Task) -> Cleaned:
        for attempt in range(2):
            pool = self._pool
            try:
                future = pool.submit(clean_task, task, self._config, self._timeout)
                # past twice the limit the worker ignored its alarm: the backstop
                return await asyncio.wait_for(asyncio.wrap_future(future), 2 * self._timeout + 1)
            except BrokenProcessPool:
                self._replace(pool)
                if attempt:
                    return Cleaned(error=f"{task.source}: {WORKER_DIED}", kind="died")
            except TimeoutError:
                self._replace(pool, kill=True)
                message = f"{task.source}: cleaning took longer than {self._timeout:g}s"
                return Cleaned(error=message + "; its worker was killed", kind="timeout")
        raise AssertionError("unreachable")  # (the loop returns)

    def _replace(self, broken: ProcessPoolExecutor, *, kill: bool = False) -> None:
        if broken is not self._pool:
            return  # replaced already, for another page of the same pool
        if kill:
            for process in list(getattr(broken, "_processes", {}).values()):
                process.kill()
        broken.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
