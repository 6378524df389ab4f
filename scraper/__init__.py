"""scraper: boilerplate-stripping web scraper and cleaner.

>>> import scraper
>>> doc = scraper.clean(html, "https://japantoday.com/category/world/...",
...                     config=scraper.load_config())
"""

from scraper.cleaner import clean
from scraper.config import Config, SiteRule, load_config
from scraper.document import Document
from scraper.errors import (
    CleaningError,
    ConfigError,
    ContentError,
    ExtractionError,
    FetchError,
    InputError,
    ScraperError,
    SnapshotError,
    StateError,
)
from scraper.site import SiteTemplate, learn_template

__all__ = [
    "CleaningError",
    "Config",
    "ConfigError",
    "ContentError",
    "Document",
    "ExtractionError",
    "FetchError",
    "InputError",
    "ScraperError",
    "SiteRule",
    "SiteTemplate",
    "SnapshotError",
    "StateError",
    "clean",
    "learn_template",
    "load_config",
]
