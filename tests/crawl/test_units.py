"""Unit tests of the crawl's parts: discovery, robots.txt, politeness, store, output, schedule."""

from __future__ import annotations

import gzip
import math

import pytest

from scraper.config import config_from_mapping
from scraper.crawl.discover import (
    Scope,
    host_key,
    normalize,
    page_links,
    parse_feed,
    parse_sitemap,
)
from scraper.crawl.output import slug
from scraper.crawl.politeness import Politeness
from scraper.crawl.schedule import due_sites
from scraper.crawl.store import SQLiteStore
from scraper.errors import ConfigError, ContentError, StateError
from scraper.fetch.robots import Robots, product_token


def test_normalize():
    assert normalize("../b/./c?utm_source=x&z=1&a=2#top", "HTTP://Ex.COM:80/a/x/y") == (
        "http://ex.com/a/b/c?a=2&z=1"
    )
    assert normalize("mailto:a@b.c") is None
    assert normalize("ftp://x/y") is None
    assert normalize("#frag", "http://x/") is None
    assert host_key("http://LocalHost:8080/x") == "http://localhost:8080"


def test_page_links_resolve_dedupe_and_skip_nofollow():
    html = (
        '<base href="http://x.org/dir/"><a href="a">1</a><a href="a#x">2</a>'
        '<a href="/b" rel="nofollow">3</a><a href="javascript:void(0)">4</a><a href="http://y/">5</a>'
    )
    assert page_links(html, "http://x.org/") == ["http://x.org/dir/a", "http://y/"]


def test_page_links_after_a_self_closed_iframe_are_found():
    html = (
        '<body><noscript><iframe src="https://tags.example/ns"/></noscript>'
        '<a href="/next-story">Next</a></body>'
    )
    assert page_links(html, "http://x.org/") == ["http://x.org/next-story"]


def test_scope_hosts_include_exclude():
    config = config_from_mapping(
        {
            "sites": {
                "news": {"hosts": ["news.example"], "include": ["/story/"], "exclude": ["print"]},
                "blog": {"hosts": ["blog.news.example"]},
            }
        }
    )
    scope = Scope(config, "news")
    assert scope.wants("https://www.news.example/story/1")
    assert not scope.wants("https://news.example/about")
    assert not scope.wants("https://news.example/story/1/print")
    assert not scope.wants("https://news.example/story/photo.jpg")
    assert not scope.on_site("https://blog.news.example/story/2")  # the more specific site
    assert not scope.on_site("https://other.example/story/3")


def test_sitemap_index_gzip_news_and_text():
    index = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>http://x/s1.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap>"
        b"</sitemapindex>"
    )
    doc = parse_sitemap(index, "http://x/")
    assert [e.url for e in doc.sitemaps] == ["http://x/s1.xml.gz"] and not doc.pages
    urlset = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        "<url><loc> http://x/a </loc><lastmod>2024-03-01T12:00:00+01:00</lastmod></url>"
        "<url><loc>http://x/n</loc><news:news><news:publication_date>2024-04-01"
        "</news:publication_date></news:news></url></urlset>"
    )
    doc = parse_sitemap(gzip.compress(urlset.encode()), "http://x/")
    assert [e.url for e in doc.pages] == ["http://x/a", "http://x/n"]
    assert doc.pages[0].modified is not None and doc.pages[0].modified.hour == 12
    assert doc.pages[1].modified is not None and doc.pages[1].modified.month == 4
    text = parse_sitemap(b"http://x/1\nhttp://x/2\n", "http://x/")
    assert [e.url for e in text.pages] == ["http://x/1", "http://x/2"]
    with pytest.raises(ContentError, match=r"^http://x/s: not a sitemap \(broken gzip\)$"):
        parse_sitemap(b"\x1f\x8bbroken", "http://x/s")


def test_sitemaps_that_are_not_sitemaps_are_refused_and_broken_ones_say_so():
    import random

    garbage = random.Random(7).randbytes(4000)
    with pytest.raises(ContentError, match=r"not a sitemap \(binary content\)$"):
        parse_sitemap(garbage, "http://x/s")
    with pytest.raises(ContentError, match=r"not a sitemap \(an XML <html> document\)$"):
        parse_sitemap(b"<html><body><a href='/a'>a</a></body></html>", "http://x/s")
    with pytest.raises(ContentError, match=r"not a sitemap \(no XML, no URLs\)$"):
        parse_sitemap(b"hello\nworld\n", "http://x/s")
    # relative or non-http URLs are not sitemap URLs
    text = parse_sitemap(b"http://x/1\n/relative\nftp://x/f\n", "http://x/s")
    assert [e.url for e in text.pages] == ["http://x/1"]
    assert text.problem == "2 lines of the text sitemap are not URLs"
    cut = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>http://x/a</loc></url><url><loc>/rel</loc></url><url><loc>http://x/b</lo"
    )
    doc = parse_sitemap(cut, "http://x/s")
    assert [e.url for e in doc.pages] == ["http://x/a", "http://x/b"]
    assert doc.problem is not None and doc.problem.startswith("malformed XML at line 1")
    whole = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://x/a</loc></url></urlset>'
    assert parse_sitemap(whole, "http://x/s").problem is None


def test_feeds_rss_rdf_atom():
    rss = (
        b"<rss><channel><item><link>/r1</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>"
        b"</item></channel></rss>"
    )
    [entry] = parse_feed(rss, "http://x/feed")
    assert entry.url == "http://x/r1" and entry.modified is not None
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="self" href="http://x/s"/>'
        b'<link href="http://x/a1"/><updated>2024-01-02T00:00:00Z</updated></entry></feed>'
    )
    assert [e.url for e in parse_feed(atom, "http://x/")] == ["http://x/a1"]
    rdf = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/"><item rdf:about="http://x/rdf1"><title>t</title>'
        b"</item></rdf:RDF>"
    )
    assert [e.url for e in parse_feed(rdf, "http://x/")] == ["http://x/rdf1"]
    assert parse_feed(b"not xml at all <", "http://x/") == []


def test_robots_rfc9309_rules():
    body = (
        "User-agent: *\nDisallow: /\n\nUser-agent: scraper\nDisallow: /a\nAllow: /a/ok\n"
        "Disallow: /*.pdf$\nCrawl-delay: 2\n"
    )
    robots = Robots.from_response(200, body, fetched_at=0.0)
    assert product_token("scraper/0.1 (+https://x)") == "scraper"
    assert robots.allows("http://x/b", "scraper") and not robots.allows("http://x/a/1", "scraper")
    assert robots.allows("http://x/a/ok", "scraper")
    assert not robots.allows("http://x/f.pdf", "scraper")
    assert robots.allows("http://x/f.pdfx", "scraper")
    assert not robots.allows("http://x/b", "otherbot")
    assert robots.crawl_delay("scraper") == 2.0
    missing = Robots.from_response(404, "", 0.0)
    assert missing.allows("http://x/anything", "scraper") and not missing.unavailable
    for status in (500, 503, 429, 0):
        down = Robots.from_response(status, "", 0.0)
        assert down.unavailable and not down.allows("http://x/", "scraper")
    assert robots.fresh(now=100.0, ttl=86400, retry=300)
    assert not robots.fresh(now=86400.0, ttl=86400, retry=300)
    assert not Robots.from_response(500, "", 0.0).fresh(now=301.0, ttl=86400, retry=300)


def test_politeness_slots_delay_and_pushback():
    p = Politeness(concurrency=2, per_host=1, delay=1.0)
    assert p.wait("a", 0.0) == 0
    p.acquire("a", 0.0)
    assert p.wait("a", 0.5) == math.inf  # its one slot is taken
    p.release("a", 3.0)
    assert p.wait("a", 3.5) == pytest.approx(0.5)  # a delay after the end of the last request
    p.acquire("b", 0.0)
    p.acquire("c", 0.0)
    assert p.full()
    p.push_back("b", 100.0)
    p.release("b", 1.0)
    assert p.blocked("b", 50.0) == 50.0 and p.blocked("c", 50.0) == 0.0


def test_store_lock_refuses_a_second_holder(tmp_path):
    one, two = SQLiteStore(tmp_path), SQLiteStore(tmp_path)
    with one.lock(), pytest.raises(StateError, match="locked by another crawl"), two.lock():
        pass
    with two.lock():  # free again
        pass
    one.close()
    two.close()


def test_store_rejects_a_file_that_is_not_sqlite(tmp_path):
    (tmp_path / "state.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StateError, match="unusable crawl state"):
        SQLiteStore(tmp_path)


def test_slugs_are_stable_and_safe():
    assert slug("https://x/some-story") == "some-story"
    nested = slug("https://x/category/world/some-story")
    assert nested.startswith("category-world-some-story-") and len(nested) == 36
    assert nested == slug("https://x/category/world/some-story")  # stable across runs
    assert slug("https://x/") == "index"
    assert slug("https://x/a.html").startswith("a-")
    q = slug("https://x/list?page=2")
    assert q.startswith("list-") and q == slug("https://x/list?page=2") != slug(
        "https://x/list?page=3"
    )


def test_slugs_never_share_a_file():
    urls = [
        "https://x/news/a-b",
        "https://x/news/a/b",
        "https://x/news-a-b",
        "https://x/story",
        "https://x/story.html",
        "https://x/story/",
        "https://x/",
        "https://x/index",
        "https://x/index.html",
        "https://x/?page=1",
        "https://x/a%20b",
        "https://x/a-b",
        "https://x/" + "long" * 30,
        "https://x/" + "long" * 30 + "er",
    ]
    names = [slug(u) for u in urls]
    assert len(set(names)) == len(urls), names
    assert all(n and "/" not in n and not n.startswith(".") for n in names)


def test_schedule_due(tmp_path):
    config = config_from_mapping(
        {
            "sites": {
                "a": {"hosts": ["a"], "start": ["http://a/"], "every": "1h"},
                "b": {"hosts": ["b"], "start": ["http://b/"], "every": "1d"},
                "rules_only": {"hosts": ["c"]},
            }
        }
    )
    store = SQLiteStore(tmp_path)
    assert due_sites(config, store, 0.0) == ["a", "b"]
    for name in ("a", "b"):
        store.finish_run(store.start_run(name, 0.0).id, "finished")
    assert due_sites(config, store, 1800.0) == []
    assert due_sites(config, store, 3600.0) == ["a"]
    assert due_sites(config, store, 1800.0, ["b"], force=True) == ["b"]
    store.start_run("b", 2000.0)  # killed: resumes whenever asked
    assert due_sites(config, store, 2100.0) == ["b"]
    with pytest.raises(ConfigError, match="no site 'zzz'"):
        due_sites(config, store, 0.0, ["zzz"])
    store.close()


def test_config_validates_crawl_fields():
    with pytest.raises(ConfigError, match=r"crawl\.robots_ttl"):
        config_from_mapping({"crawl": {"robots_ttl": "2d"}})
    with pytest.raises(ConfigError, match=r"crawl\.nope: unknown key"):
        config_from_mapping({"crawl": {"nope": 1}})


def test_gzip_bomb_is_cut_at_the_sitemap_limit(monkeypatch):
    from scraper.crawl import discover

    monkeypatch.setattr(discover, "MAX_SITEMAP_BYTES", 1000)
    bomb = gzip.compress(b"http://x/" + b"a" * 100_000 + b"\n")
    assert len(discover._inflate(bomb)) == 1000


# The state a crawl of the previous version left (schema 1), to check the migration.
_SCHEMA_1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    status TEXT NOT NULL,
    jsonl TEXT,
    counts TEXT
);
CREATE INDEX IF NOT EXISTS runs_site ON runs (site, started_at);
CREATE TABLE IF NOT EXISTS frontier (
    run_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    host TEXT NOT NULL,
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL,
    state TEXT NOT NULL,
    not_before REAL NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    PRIMARY KEY (run_id, url)
);
CREATE INDEX IF NOT EXISTS frontier_ready ON frontier (run_id, state, host, not_before);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    hash TEXT,
    fetched_at REAL,
    status INTEGER,
    error_count INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    path TEXT
);
CREATE TABLE IF NOT EXISTS hosts (
    host TEXT PRIMARY KEY,
    robots_body TEXT,
    robots_status INTEGER,
    robots_fetched_at REAL,
    backoff_until REAL NOT NULL DEFAULT 0
);
"""


def test_a_schema_1_state_is_migrated_and_resumed(tmp_path):
    import sqlite3

    db = sqlite3.connect(tmp_path / "state.sqlite3")
    db.executescript(_SCHEMA_1)
    db.execute("INSERT INTO meta VALUES ('schema', '1')")
    db.execute("INSERT INTO runs (site, started_at, status) VALUES ('s', 1.0, 'running')")
    rows = [
        ("http://h/1", "done", "new"),
        ("http://h/2", "leased", None),
        ("http://h/3", "pending", None),
    ]
    for url, state, outcome in rows:
        db.execute(
            "INSERT INTO frontier (run_id, url, site, host, kind, depth, state, outcome)"
            " VALUES (1, ?, 's', 'http://h', 'page', 1, ?, ?)",
            (url, state, outcome),
        )
    db.execute("INSERT INTO urls (url, site, hash) VALUES ('http://h/1', 's', 'abc')")
    db.commit()
    db.close()
    store = SQLiteStore(tmp_path)
    with store.lock():  # the dead process's lease is void
        assert store.record("http://h/1").hash == "abc"
        run, resumed = store.begin_run("s", every=3600, force=False)
        assert resumed and run.id == 1 and store.pages_claimed(1) == 1
        claimed = store.claim(1, "http://h", limit=5, owner="w", lease=60, max_pages=2)
        assert [i.url for i in claimed] == ["http://h/2"]  # the budget: 1 done + 1 more
    store.close()
