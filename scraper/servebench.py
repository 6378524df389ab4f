"""``python -m scraper.servebench``: ``scraper serve`` under load (``scraper.bench.serve``)."""

from __future__ import annotations

import sys

from scraper.bench.serve import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
