"""The systems a benchmark compares: our public ``scraper.clean()`` and trafilatura.

Each system is one call from page (bytes or str) and URL to an ``Output``. Ours goes
through the public entry point only, so that the cleaner's insides can move freely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SYSTEMS", "Output", "System", "run_scraper", "systems"]

Page = bytes | str


@dataclass(frozen=True)
class Output:
    """What one system made of one page. ``document`` is scraper's Document (else None)."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    error: str = ""
    document: object | None = None


def run_scraper(page: Page, url: str | None) -> Output:
    """``scraper.clean()`` with built-in defaults; a ``ScraperError`` gives empty output."""
    import scraper

    try:
        doc = scraper.clean(page, url)
    except scraper.ScraperError as exc:  # no article found, empty page: scored as empty
        return Output(text="", error=type(exc).__name__)
    return Output(doc.text, doc.title, doc.author, doc.date, document=doc)


def _trafilatura(*, include_comments: bool) -> Callable[[Page, str | None], Output]:
    import trafilatura

    def run(page: Page, url: str | None) -> Output:
        text = trafilatura.extract(page, url=url, include_comments=include_comments)
        return Output(text=text or "")

    return run


def _trafilatura_metadata(page: Page, url: str | None) -> Output:
    """trafilatura's metadata, read outside the timed call (``extract()`` returns text only)."""
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import decode_file

    meta = extract_metadata(decode_file(page), default_url=url)
    return Output(text="", title=meta.title, author=meta.author, date=meta.date)


@dataclass(frozen=True)
class System:
    name: str
    label: str
    run: Callable[[Page, str | None], Output]
    metadata: Callable[[Page, str | None], Output] | None = None  # when ``run`` has none


SYSTEMS: tuple[str, ...] = ("scraper", "trafilatura", "trafilatura-nc")


def systems() -> dict[str, System]:
    """The known systems by name, in ``SYSTEMS`` order."""
    table = (
        System("scraper", "scraper.clean() (built-in defaults)", run_scraper),
        System(
            "trafilatura",
            "trafilatura.extract() defaults",
            _trafilatura(include_comments=True),
            _trafilatura_metadata,
        ),
        System(
            "trafilatura-nc",
            "trafilatura.extract(include_comments=False)",
            _trafilatura(include_comments=False),
            _trafilatura_metadata,
        ),
    )
    return {s.name: s for s in table}
