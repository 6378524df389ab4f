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
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial

from scraper.batch.failure import cleaning_failed, guarded
from scraper.batch.inputs import Job, read_capped_file
from scraper.cleaner import clean
from scraper.config import Config
from scraper.document import Document
from scraper.errors import CleaningError, ScraperError
from scraper.site.template import SiteTemplate

__all__ = [
    "IN_FLIGHT_PER_WORKER",
    "WORKER_DIED",
    "Outcome",
    "clean_job",
    "clean_jobs",
    "default_workers",
]

# Jobs queued per worker process: enough to keep it busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 4
WORKER_DIED = "cleaning failed: the worker process died (killed by a signal or out of memory)"


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


def clean_job(job: Job, template: SiteTemplate | None = None, *, config: Config) -> Outcome:
    """Read (a local file) and clean one page (with its site's ``template``, when given);
    errors come back in the outcome."""
    if job.error is not None:
        return Outcome(job.source, error=job.error)
    try:
        if job.path is not None:
            body = read_capped_file(job.path, max_bytes=config.fetch.max_bytes)
        else:
            body = job.body or b""
        doc = guarded(
            job.source,
            lambda: clean(body, job.url, config=config, charset=job.charset, template=template),
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


def clean_jobs(
    jobs: Iterable[Job],
    *,
    config: Config,
    workers: int,
    templates: Callable[[Job], SiteTemplate | None] | None = None,
) -> Iterator[Outcome]:
    """Every job's outcome, in order; ``workers`` > 1 cleans in that many processes.
    ``templates``: a job's site's template (``scraper.batch.templates``), when it has one."""
    template_for = templates or _no_template
    if workers <= 1:
        for job in jobs:
            yield clean_job(job, template_for(job), config=config)
        return
    work = partial(clean_job, config=config)
    pending: deque[tuple[Job, Future[Outcome] | None]] = deque()
    pool = _pool(workers)
    try:
        for job in jobs:
            pending.append((job, _submit(pool, work, job, template_for(job))))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                outcome = _result(pending)
                if outcome is None:  # the pool broke: its jobs are cleaned again, each alone
                    pool.shutdown(wait=False, cancel_futures=True)
                    yield from _alone(pending, work, template_for)
                    pool = _pool(workers)
                else:
                    yield outcome
        while pending:
            outcome = _result(pending)
            if outcome is None:
                yield from _alone(pending, work, template_for)
            else:
                yield outcome
    finally:
        for _, future in pending:
            if future is not None:
                future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _no_template(job: Job) -> None:
    return None


# a job and its site's template (None: none) to its outcome
_Work = Callable[[Job, SiteTemplate | None], Outcome]


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)


def _submit(
    pool: ProcessPoolExecutor, work: _Work, job: Job, template: SiteTemplate | None
) -> Future[Outcome] | None:
    """The job's future; None when the pool is broken already (a worker died meanwhile)."""
    try:
        return pool.submit(work, job, template)
    except BrokenProcessPool:
        return None


def _result(pending: deque[tuple[Job, Future[Outcome] | None]]) -> Outcome | None:
    """The first job's outcome; what went wrong on the way back (a result that cannot be
    pickled) is the page's error too. None when a worker died: the pool is broken, and the
    first job is left in ``pending`` with the others."""
    job, future = pending[0]
    try:
        if future is None:
            return None
        outcome = future.result()
    except BrokenProcessPool:
        return None
    except Exception as exc:
        outcome = Outcome(job.source, error=cleaning_failed(job.source, exc))
    pending.popleft()
    return outcome


def _alone(
    pending: deque[tuple[Job, Future[Outcome] | None]],
    work: _Work,
    template_for: Callable[[Job], SiteTemplate | None],
) -> Iterator[Outcome]:
    """After a worker died: clean the jobs it may have held, each in a process of its own, so
    that the page that kills its worker is the one that fails, and the others are cleaned."""
    jobs = [job for job, _ in pending]
    pending.clear()
    for job in jobs:
        with _pool(1) as alone:
            future = alone.submit(work, job, template_for(job))
            try:
                yield future.result()
            except BrokenProcessPool:
                yield Outcome(job.source, error=CleaningError(f"{job.source}: {WORKER_DIED}"))
            except Exception as exc:
                yield Outcome(job.source, error=cleaning_failed(job.source, exc))
