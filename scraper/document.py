"""The cleaned document and its renderings (text, markdown, json)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

from scraper.textstats import word_count

__all__ = ["FORMATS", "Document", "Format"]

Format = Literal["text", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json")


@dataclass(frozen=True)
class Document:
    """Article text plus metadata.

    ``text`` holds the body only: paragraphs separated by one blank line, with no
    title, byline or dateline in it.
    """

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    site: str | None = None
    # What the page says about itself (``scraper.metadata.read_page_info``); None when silent.
    canonical_url: str | None = None
    language: str | None = None  # a BCP 47 tag as the page gives it: "en", "pt-BR"
    description: str | None = None
    sitename: str | None = None  # the publication's name ("The Guardian"), not the site rule
    image: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def word_count(self) -> int:
        """Words in ``text``; each letter of Chinese, Japanese or Thai text counts as one."""
        return word_count(self.text)

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p]

    def to_dict(self) -> dict[str, Any]:
        """The fields (``tags`` as a list) and ``word_count``."""
        data = asdict(self)
        data["tags"] = list(self.tags)
        data["word_count"] = self.word_count
        return data

    def render(self, fmt: Format = "text") -> str:
        """The document as ``fmt``, always ending in exactly one newline."""
        if fmt == "text":
            return self.text + "\n"
        if fmt == "json":
            return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
        if fmt == "markdown":
            head = [f"# {self.title}"] if self.title else []
            meta = [
                f"{label}: {value}"
                for label, value in (
                    ("Author", self.author),
                    ("Date", self.date),
                    ("Source", self.url),
                )
                if value
            ]
            if meta:
                head.append("  \n".join(meta))
            return "\n\n".join([*head, self.text]) + "\n"
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
