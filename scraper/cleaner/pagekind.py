"""What a page is, which decides how much of it an article's rules may cut.

A page is what it declares (JSON-LD ``@type`` or ``og:type``: ``scraper.page.metadata``): an
article, a product or a forum thread. A page that declares nothing is recognised from
its shape: a thread when what it holds outside its comment sections is no article
(``readings.Choice.thread``), an article when the extractors' reading holds
``readings.ARTICLE_PARAGRAPHS`` long paragraphs, else a "page" (a listing, a home, a
service or a documentation page), whose text is the page's own blocks when the
extractors kept little of it. ``scraper bench`` measures these kinds against WCXB-dev's
page types (BENCHMARKS.md, round nine).
"""

from __future__ import annotations

from scraper.cleaner.readings import Choice, reads_as_article

__all__ = ["KINDS", "page_kind"]

KINDS = ("article", "product", "forum", "page")


def page_kind(declared: str | None, choice: Choice) -> str:
    """The page's kind (one of ``KINDS``) from its declared kind and its chosen reading."""
    if declared in KINDS:
        return declared
    if choice.thread:
        return "forum"
    if not choice.from_blocks and reads_as_article(choice.text):
        return "article"
    return "page"
