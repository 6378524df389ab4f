"""What a crawl reports as it goes. The runner emits these to a callback; the CLI renders them."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Event",
    "Notice",
    "PageDone",
    "Progress",
    "RunFinished",
    "RunStarted",
    "SiteSummary",
]


@dataclass(frozen=True)
class RunStarted:
    site: str
    run_id: int
    resumed: bool


@dataclass(frozen=True)
class PageDone:
    """One URL finished: ``outcome`` is new, changed, unchanged, failed, robots or skipped
    (or hub, for start pages, sitemaps and feeds read for their links)."""

    site: str
    url: str
    outcome: str
    status: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class Notice:
    """Something a run could not do and why: a host whose robots.txt is unavailable, a sitemap
    refused, read in part or beyond the limits. Also kept in the run's ``SiteSummary``."""

    site: str
    message: str


@dataclass(frozen=True)
class Progress:
    done: int
    queued: int
    failed: int
    in_flight: int
    cleaning: int
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteSummary:
    site: str
    run_id: int
    status: str  # finished | stopped
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    jsonl: str | None = None
    warnings: tuple[str, ...] = ()
    # the site's template: "pages" it rests on (0: none yet), pages "cleaned" with it, pages
    # that did not fit it ("drift": its layout changed)
    template: dict[str, int] = field(default_factory=dict)
    # pages whose cleaning failed (the failure policy's error), as against pages that could
    # not be fetched or hold no article, which are the web's doing: the exit code counts these
    cleaning_failed: int = 0


@dataclass(frozen=True)
class RunFinished:
    summary: SiteSummary


Event = RunStarted | PageDone | Notice | Progress | RunFinished
