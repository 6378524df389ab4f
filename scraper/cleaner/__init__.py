"""The cleaner: one page (HTML or a text dump) → a ``Document``.

``scraper.cleaner.pipeline`` lists every stage in order; each other module here is one stage.
"""

from scraper.cleaner.pipeline import apply_site_rule, clean

__all__ = ["apply_site_rule", "clean"]
