"""Review of cleaned output: ``snapshots`` (the pages under ``tests/pages`` and their expected
clean text under ``snapshots/``) and ``textdiff`` (unified diffs and their colours), used by
``scraper diff`` and ``scraper snapshot``.
"""
