"""Generic article extraction: HTML string → body text and metadata, via trafilatura."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura

__all__ = ["Extracted", "extract_html"]


@dataclass(frozen=True)
class Extracted:
    text: str  # paragraphs separated by one blank line
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Run trafilatura on ``html``; an empty ``text`` means no article was found."""
    result = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        output_format="python",
    )
    if result is None:
        return Extracted(text="")
    lines = [line.strip() for line in (result.text or "").splitlines()]
    return Extracted(
        text="\n\n".join(line for line in lines if line),
        title=result.title or None,
        author=result.author or None,
        date=result.date or None,
        sitename=result.sitename or None,
    )
