"""The one failure policy of every many-page path: a page that breaks the cleaner is that
page's error, and the other pages go on.

``scraper clean`` with many inputs (in worker processes or not), ``scraper diff``, ``scraper
snapshot update``, the crawl and the benchmarks all clean through ``guarded``: whatever the
cleaner (or a renderer) raises that is not a ``ScraperError`` becomes a ``CleaningError``
whose message is ``<source>: cleaning failed: <Type>: <reason> (in <module.function>)``.
``BaseException``s that are not ``Exception``s (Ctrl-C, ``sys.exit``, the crawl's time-limit
alarm) pass through: they stop the run, not the page.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from scraper.errors import CleaningError, ScraperError

__all__ = ["cleaning_failed", "failure_reason", "guarded"]

_T = TypeVar("_T")
_REASON_CHARS = 200  # a reason is one line of a log, not a dump of the page
_PACKAGE = Path(__file__).resolve().parent.parent  # scraper/


def guarded(source: str, work: Callable[[], _T]) -> _T:
    """``work()``; any ``Exception`` but a ``ScraperError`` is raised as ``CleaningError``
    naming ``source`` (a path, a URL, ``file.warc.gz#offset``)."""
    try:
        return work()
    except ScraperError:
        raise
    except Exception as exc:
        raise cleaning_failed(source, exc) from exc


def cleaning_failed(source: str, exc: BaseException) -> CleaningError:
    """The error of a page whose cleaning raised ``exc``."""
    return CleaningError(f"{source}: cleaning failed: {failure_reason(exc)}", path=source)


def failure_reason(exc: BaseException) -> str:
    """``RecursionError: maximum recursion depth exceeded (in scraper.cleaner.structure.walk)``:
    the exception's type and first line, and the innermost function of ours it came from,
    so that a bug report can say where."""
    text = " ".join(str(exc).split())[:_REASON_CHARS]
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    where = _our_frame(exc)
    return f"{reason} (in {where})" if where else reason


def _our_frame(exc: BaseException) -> str | None:
    """``module.function`` of the innermost frame in the scraper package, if any."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        try:
            parts = Path(frame.filename).resolve().relative_to(_PACKAGE).with_suffix("").parts
        except ValueError:
            continue  # a library's frame, or a test's
        if parts == ("batch", "failure"):
            continue
        module = ".".join(p for p in ("scraper", *parts) if p != "__init__")
        found = f"{module}.{frame.name}"
    return found
