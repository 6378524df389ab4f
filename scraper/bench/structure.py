"""Structure figures of a scraper Document: a hook for the document model.

The report gives, for each benchmark, the mean of every figure this returns over the
pages scraper read. Until ``Document`` carries its blocks there is nothing to measure.
"""

from __future__ import annotations

__all__ = ["structure_figures"]


def structure_figures(case: object, doc: object) -> dict[str, float]:
    """Figures about the structure of ``doc`` (scraper's Document for ``case``).

    Returns ``{}`` while ``Document`` has no ``blocks`` attribute. To fill in with the
    document model: e.g. ``{"blocks": …, "headings": …, "lists": …}`` per page.
    """
    if getattr(doc, "blocks", None) is None:
        return {}
    return {}
