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
    "SnapshotError",
    "StateError",
    "clean",
    "load_config",
]
