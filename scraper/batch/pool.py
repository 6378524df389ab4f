"""Clean many pages, in worker processes when asked: the engine of ``scraper clean SOURCE...``.

Results come back in the order of the jobs, with at most a few jobs per worker in flight,
so that memory stays bounded however many pages (or WARC records) there are. A page whose
cleaning raises anything is that page's error (``scraper.batch.failure``), in a worker or in
this process; so is a result that cannot come back from its worker (one that cannot be
pickled, a worker that died).
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial

from scraper.batch.failure import cleaning_failed, guarded
from scraper.batch.inputs import Job, read_capped_file
from scraper.cleaner import clean
from scraper.config import Config
from scraper.document import Document
from scraper.errors import ScraperError

__all__ = ["IN_FLIGHT_PER_WORKER", "Outcome", "clean_job", "clean_jobs", "default_workers"]

# Jobs queued per worker process: enough to keep it busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 4


@dataclass(frozen=True)
class Outcome:
    """A job's result: its document, or the error that stopped it."""

    source: str
    doc: Document | None = None
    error: ScraperError | None = None


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def clean_job(job: Job, *, config: Config) -> Outcome:
    """Read (a local file) and clean one page; errors come back in the outcome."""
    if job.error is not None:
        return Outcome(job.source, error=job.error)
    try:
        if job.path is not None:
            body = read_capped_file(job.path, max_bytes=config.fetch.max_bytes)
        else:
            body = job.body or b""
        doc = guarded(
            job.source, lambda: clean(body, job.url, config=config, charset=job.charset)
        )
    except ScraperError as exc:
        return Outcome(job.source, error=named(exc, job))
    return Outcome(job.source, doc=doc)


def named(exc: ScraperError, job: Job) -> ScraperError:
    """``exc`` naming the job's source where the cleaner could only say ``<input>``."""
    message = str(exc)
    if not message.startswith("<input>"):
        return exc
    renamed = type(exc)(job.source + message.removeprefix("<input>"))
    renamed.path = str(job.path) if job.path is not None else None
    return renamed


def _worker_init() -> None:
    """Ctrl-C reaches every process of the terminal's group: the main process stops the
    run (exit 130); workers ignore it rather than print a traceback each."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def clean_jobs(jobs: Iterable[Job], *, config: Config, workers: int) -> Iterator[Outcome]:
    """Every job's outcome, in order; ``workers`` > 1 cleans in that many processes."""
    if workers <= 1:
        for job in jobs:
            yield clean_job(job, config=config)
        return
    work = partial(clean_job, config=config)
    pending: deque[tuple[str, Future[Outcome]]] = deque()
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
        try:
            for job in jobs:
                pending.append((job.source, pool.submit(work, job)))
                if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                    yield _result(*pending.popleft())
            while pending:
                yield _result(*pending.popleft())
        finally:
            for _, future in pending:
                future.cancel()


def _result(source: str, future: Future[Outcome]) -> Outcome:
    """The job's outcome; what went wrong on the way back (a result that cannot be pickled, a
    worker that died) is the page's error too."""
    try:
        return future.result()
    except Exception as exc:
        return Outcome(source, error=cleaning_failed(source, exc))
