"""``python -m scraper.stressbench``: the stress benchmark (``python -m scraper.bench stress``)."""

from __future__ import annotations

import sys

from scraper.bench.stress import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
