"""``python -m scraper``: the same command line as ``scraper``."""

from scraper.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    main(prog_name="scraper")
