"""The crawl scenarios of test_crawl, run again with the state in PostgreSQL (one worker).

The tests are imported from test_crawl; the ``crawl`` fixture below, which adds ``--store``
with a fresh schema of the session's PostgreSQL, takes the place of the SQLite one. Those
that open the SQLite file themselves are left out.
"""

from __future__ import annotations

import pytest

from .test_crawl import (  # noqa: F401 (collected here again, with the fixture below)
    test_max_pages_and_max_depth,
    test_not_due_sites_are_left_alone_unless_forced,
    test_redirect_chain_is_followed_and_its_end_not_fetched_again,
    test_retry_after_pushes_back_only_that_host,
    test_robots_5xx_disallows_for_now_and_4xx_allows,
    test_robots_rules_are_obeyed_and_crawl_delay_spaces_requests,
    test_robots_txt_is_asked_again_once_its_cache_expires,
    test_rss_and_atom_feeds,
    test_second_run_is_conditional_and_writes_nothing_unchanged,
    test_sitemaps_index_gzip_news_and_lastmod,
    test_slow_host_does_not_starve_the_others,
    test_spacing_between_requests_never_under_the_delay,
    test_warc_and_formats,
)


@pytest.fixture
def crawl(crawl, postgres_dsn):
    def run(config_text=None, *args, path=None):
        return crawl(config_text, "--store", postgres_dsn, *args, path=path)

    return run


def test_store_errors_are_one_line(crawl, write_config, tmp_path):
    from click.testing import CliRunner

    from scraper.cli import main

    config = write_config("sites: {s: {hosts: [127.0.0.1], start: ['http://127.0.0.1:9/']}}\n")
    runner = CliRunner()
    result = runner.invoke(main, ["crawl", "-c", str(config), "--store", "mysql://x/y"])
    assert result.exit_code == 3
    assert "--store: not a store: 'mysql://x/y'" in result.stderr
    refused = "postgresql://nobody:secret@127.0.0.1:9/crawl"
    result = runner.invoke(main, ["crawl", "-c", str(config), "--store", refused])
    assert result.exit_code == 8, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: postgresql://nobody:***@127.0.0.1:9/crawl: cannot use")
    assert "secret" not in line
    bad = write_config("crawl: {store: 'redis://x'}\n")
    result = runner.invoke(main, ["crawl", "-c", str(bad)])
    assert result.exit_code == 3 and "crawl.store: not a store" in result.stderr
