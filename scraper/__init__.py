"""scraper: boilerplate-stripping web scraper and cleaner."""
