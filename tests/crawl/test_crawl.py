"""End-to-end crawls against a real HTTP server on 127.0.0.1, checked from the server's log."""

from __future__ import annotations

import gzip
import itertools
import json
import time
from email.utils import formatdate
from pathlib import Path

from scraper.crawl.store import SQLiteStore

from .conftest import article, hub, settings
from .server import Reply, Request, Server

TEXT = {"Content-Type": "text/plain"}
XML = {"Content-Type": "application/xml"}


def site(name: str, host: str, **rule: object) -> str:
    return f"  {name}: {json.dumps({'hosts': [host], **rule})}\n"


def gaps(requests: list[Request]) -> list[float]:
    times = sorted(r.at for r in requests)
    return [b - a for a, b in itertools.pairwise(times)]


def conditional(server: Server, path: str, etag: str, body: str):
    """A route that answers 304 to ``If-None-Match: etag``."""

    def route(req: Request) -> Reply:
        if req.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(body=body, headers={"ETag": etag})

    server.routes[path] = route


def test_robots_rules_are_obeyed_and_crawl_delay_spaces_requests(server, crawl, tmp_path):
    server.routes["/robots.txt"] = Reply(
        body=(
            "User-agent: otherbot\nDisallow: /\n\n"
            "User-agent: scraper\nDisallow: /private\nAllow: /private/open\n"
            "Disallow: /*.pdf$\nDisallow: /*?print=\nCrawl-delay: 0.2\n"
        ),
        headers=TEXT,
    )
    links = ["/a", "/private/secret", "/private/open", "/doc.pdf", "/b?print=1", "/b"]
    server.routes["/"] = Reply(body=hub(links))
    for path in ("/a", "/private/open", "/b"):
        server.routes[path] = Reply(body=article(path))
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])

    code, counts, _ = crawl(config)

    assert code == 0
    fetched = server.paths()
    assert fetched[0] == "/robots.txt"
    assert sorted(fetched[1:]) == ["/", "/a", "/b", "/private/open"]
    assert counts["s"]["new"] == 3
    assert counts["s"]["robots"] == 2  # /private/secret, /b?print=1 (/doc.pdf is never a page)
    # Crawl-delay 0.2 beats the configured 0.05, from the first request after robots.txt on.
    assert min(gaps(server.requests()[1:])) >= 0.2


def test_spacing_between_requests_never_under_the_delay(server, crawl, tmp_path):
    pages = [f"/p{i}" for i in range(8)]
    server.routes["/"] = Reply(body=hub(pages))
    for path in pages:
        server.routes[path] = Reply(body=article(path))
    config = (
        settings(tmp_path, concurrency=8, per_host=1)
        + "sites:\n"
        + site("s", "127.0.0.1", start=[server.url("/")], delay=0.15)
    )

    code, counts, _ = crawl(config)

    assert code == 0 and counts["s"]["new"] == 8
    assert len(server.requests()) == 10  # robots.txt (404), the hub, eight pages
    assert min(gaps(server.requests())) >= 0.15


def test_second_run_is_conditional_and_writes_nothing_unchanged(server, crawl, tmp_path):
    server.routes["/"] = Reply(body=hub(["/etag", "/lastmod", "/plain", "/changes"]))
    conditional(server, "/etag", '"v1"', article("Etag page"))
    stamp = formatdate(1_700_000_000, usegmt=True)

    def lastmod(req: Request) -> Reply:
        if req.headers.get("if-modified-since") == stamp:
            return Reply(304)
        return Reply(body=article("Lastmod page"), headers={"Last-Modified": stamp})

    server.routes["/lastmod"] = lastmod
    server.routes["/plain"] = Reply(body=article("Plain page"))
    server.routes["/changes"] = Reply(body=article("Changing page", extra="First version."))
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])

    code, first, _ = crawl(config)
    assert code == 0 and first["s"]["new"] == 4
    out = tmp_path / "out" / f"127.0.0.1_{server.port}"
    files = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert set(files) == {"etag.txt", "lastmod.txt", "plain.txt", "changes.txt"}

    server.routes["/changes"] = Reply(body=article("Changing page", extra="Second version."))
    mark = len(server.log)
    code, second, _ = crawl(None, "--force", path=tmp_path / "config.yaml")

    assert code == 0
    assert second["s"] == {**second["s"], "new": 0, "changed": 1, "unchanged": 3, "failed": 0}
    again = {r.path: r.headers for r in server.log[mark:]}
    assert "/robots.txt" not in again  # cached (up to robots_ttl, 24 h)
    assert again["/etag"]["if-none-match"] == '"v1"'
    assert again["/lastmod"]["if-modified-since"] == stamp
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert {k for k in files if files[k] != after[k]} == {"changes.txt"}
    assert "Second version." in (out / "changes.txt").read_text()
    lines = (tmp_path / "out" / "_runs" / "s-2.jsonl").read_text().splitlines()
    assert [json.loads(line)["status"] for line in lines] == ["changed"]


def test_retry_after_pushes_back_only_that_host(server, crawl, tmp_path):
    other = Server()
    try:
        calls: list[float] = []

        def throttled(req: Request) -> Reply:
            calls.append(req.at)
            if len(calls) == 1:
                return Reply(429, "slow down", {"Retry-After": "1", **TEXT})
            return Reply(body=article("Throttled"))

        server.routes["/"] = Reply(body=hub(["/t1", "/t2"]))
        server.routes["/t1"] = throttled
        server.routes["/t2"] = Reply(body=article("After the wait"))
        other.routes["/"] = Reply(body=hub([f"/o{i}" for i in range(6)]))
        for i in range(6):
            other.routes[f"/o{i}"] = Reply(body=article(f"Other {i}"))
        config = (
            settings(tmp_path, delay=0.1)
            + "sites:\n"
            + site("a", "127.0.0.1", start=[server.url("/")])
            + site("b", "localhost", start=[other.url("/", host="localhost")])
        )

        code, counts, _ = crawl(config)

        assert code == 0
        assert counts["a"]["new"] == 2 and counts["b"]["new"] == 6
        throttled_at = calls[0]
        after = [r.at for r in server.log if r.at > throttled_at]
        assert after and min(after) - throttled_at >= 1.0  # the whole host waited
        # the other host kept going during the pushback
        assert any(throttled_at < r.at < throttled_at + 1.0 for r in other.log)
    finally:
        other.close()


def test_500_then_200_is_retried_and_a_404_fails(server, crawl, tmp_path):
    answers = iter([Reply(500, "oops", TEXT), Reply(body=article("Flaky"))])
    server.routes["/"] = Reply(body=hub(["/flaky", "/gone"]))
    server.routes["/flaky"] = lambda req: next(answers)
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])

    code, counts, _ = crawl(config)

    assert code == 0
    assert server.paths().count("/flaky") == 2
    assert server.paths().count("/gone") == 1
    assert counts["s"]["new"] == 1 and counts["s"]["failed"] == 1
    store = SQLiteStore(tmp_path / "state")
    gone = store.record(server.url("/gone"))
    assert gone is not None and gone.status == 404 and gone.error_count == 1
    store.close()


def test_slow_host_does_not_starve_the_others(server, crawl, tmp_path):
    other = Server()
    try:
        server.routes["/"] = Reply(body=hub(["/slow"]))
        server.routes["/slow"] = Reply(body=article("Slow"), delay=1.5)
        other.routes["/"] = Reply(body=hub([f"/f{i}" for i in range(5)]))
        for i in range(5):
            other.routes[f"/f{i}"] = Reply(body=article(f"Fast {i}"))
        config = (
            settings(tmp_path, concurrency=2)
            + "sites:\n"
            + site("slow", "127.0.0.1", start=[server.url("/")])
            + site("fast", "localhost", start=[other.url("/", host="localhost")])
        )

        code, counts, _ = crawl(config)

        assert code == 0 and counts["slow"]["new"] == 1 and counts["fast"]["new"] == 5
        slow_at = server.requests("/slow")[0].at
        fast = [r.at for r in other.log if r.path.startswith("/f")]
        # with two slots and one held by the slow page, the fast host got the other slot
        assert sum(slow_at < t < slow_at + 1.5 for t in fast) >= 3
    finally:
        other.close()


def test_redirect_chain_is_followed_and_its_end_not_fetched_again(server, crawl, tmp_path):
    server.routes["/"] = Reply(body=hub(["/old", "/new"]))
    server.routes["/old"] = Reply(301, "", {"Location": "/middle"})
    server.routes["/middle"] = Reply(302, "", {"Location": "/new"})
    server.routes["/new"] = Reply(body=article("Moved", links=["/new"]))
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])

    code, counts, _ = crawl(config)

    assert code == 0
    assert server.paths().count("/new") == 1
    assert counts["s"]["new"] == 1
    line = json.loads((tmp_path / "out" / "_runs" / "s-1.jsonl").read_text())
    assert line["url"] == server.url("/new") and line["key"] == server.url("/old")


def test_sitemaps_index_gzip_news_and_lastmod(server, crawl, tmp_path):
    base = server.url("")
    server.routes["/robots.txt"] = Reply(body=f"Sitemap: {base}/sitemap_index.xml\n", headers=TEXT)
    server.routes["/sitemap_index.xml"] = Reply(
        body=(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/pages.xml.gz</loc></sitemap>"
            f"<sitemap><loc>{base}/news.xml</loc></sitemap></sitemapindex>"
        ),
        headers=XML,
    )
    pages = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/s1</loc><lastmod>2024-01-01</lastmod></url>"
        f"<url><loc>{base}/s2</loc><lastmod>2024-01-01T00:00:00Z</lastmod></url></urlset>"
    )
    server.routes["/pages.xml.gz"] = Reply(
        body=gzip.compress(pages.encode()), headers={"Content-Type": "application/x-gzip"}
    )
    server.routes["/news.xml"] = Reply(
        body=(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"<url><loc>{base}/n1</loc><news:news><news:publication_date>2024-02-01T10:00:00Z"
            "</news:publication_date><news:title>N</news:title></news:news></url></urlset>"
        ),
        headers=XML,
    )
    for path in ("/s1", "/s2", "/n1"):
        server.routes[path] = Reply(body=article(path))
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", sitemaps=[])
    config = config.replace('"sitemaps": []', f'"sitemaps": ["{base}/sitemap_index.xml"]')

    code, counts, _ = crawl(config)

    assert code == 0 and counts["s"]["new"] == 3
    assert sorted(p for p in server.paths() if p in ("/s1", "/s2", "/n1")) == ["/n1", "/s1", "/s2"]
    assert server.paths().count("/sitemap_index.xml") == 1  # from robots.txt and config: once

    # Second run: the sitemaps say nothing changed since we fetched: no page is requested.
    mark = len(server.log)
    code, again, _ = crawl(None, "--force", path=tmp_path / "config.yaml")
    assert code == 0 and again["s"]["skipped"] == 3 and again["s"]["new"] == 0
    assert not {"/s1", "/s2", "/n1"} & {r.path for r in server.log[mark:]}


def test_rss_and_atom_feeds(server, crawl, tmp_path):
    base = server.url("")
    server.routes["/rss.xml"] = Reply(
        body=(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
            f"<item><title>One</title><link>{base}/r1</link>"
            "<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>"
            f'<item><title>Two</title><guid isPermaLink="true">{base}/r2</guid></item>'
            "</channel></rss>"
        ),
        headers={"Content-Type": "application/rss+xml"},
    )
    server.routes["/atom.xml"] = Reply(
        body=(
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            f'<entry><title>A</title><link rel="alternate" href="{base}/a1"/>'
            "<updated>2024-01-02T00:00:00Z</updated></entry></feed>"
        ),
        headers={"Content-Type": "application/atom+xml"},
    )
    for path in ("/r1", "/r2", "/a1"):
        server.routes[path] = Reply(body=article(path))
    config = (
        settings(tmp_path)
        + "sites:\n"
        + site("s", "127.0.0.1", feeds=[f"{base}/rss.xml", f"{base}/atom.xml"])
    )

    code, counts, _ = crawl(config)

    assert code == 0 and counts["s"]["new"] == 3
    assert {"/r1", "/r2", "/a1"} <= set(server.paths())


def test_robots_5xx_disallows_for_now_and_4xx_allows(server, crawl, tmp_path):
    other = Server()
    try:
        server.routes["/robots.txt"] = Reply(503, "down", TEXT)
        server.routes["/"] = Reply(body=hub(["/x"]))
        other.routes["/robots.txt"] = Reply(403, "no", TEXT)
        other.routes["/"] = Reply(body=hub(["/y"]))
        other.routes["/y"] = Reply(body=article("Y"))
        config = (
            settings(tmp_path)
            + "sites:\n"
            + site("down", "127.0.0.1", start=[server.url("/")])
            + site("forbidden", "localhost", start=[other.url("/", host="localhost")])
        )

        code, counts, _ = crawl(config)

        assert code == 0
        assert server.paths() == ["/robots.txt"]  # nothing else asked while robots.txt is 5xx
        assert counts["down"]["queued"] == 1  # left for a later run
        assert counts["forbidden"]["new"] == 1
    finally:
        other.close()


def test_robots_txt_is_asked_again_once_its_cache_expires(server, crawl, tmp_path):
    server.routes["/robots.txt"] = Reply(body="User-agent: *\nDisallow: /x\n", headers=TEXT)
    server.routes["/"] = Reply(body=hub(["/x"]))
    config = (
        settings(tmp_path, robots_ttl=0.3)
        + "sites:\n"
        + site("s", "127.0.0.1", start=[server.url("/")])
    )
    code, counts, _ = crawl(config)
    assert code == 0 and counts["s"]["robots"] == 1
    time.sleep(0.4)
    server.routes["/robots.txt"] = Reply(body="User-agent: *\nAllow: /\n", headers=TEXT)
    server.routes["/x"] = Reply(body=article("X"))
    mark = len(server.log)
    code, counts, _ = crawl(None, "--force", path=tmp_path / "config.yaml")
    assert code == 0 and counts["s"]["new"] == 1
    assert server.log[mark].path == "/robots.txt"  # the stale copy was not used


def test_not_due_sites_are_left_alone_unless_forced(server, crawl, tmp_path):
    server.routes["/"] = Reply(body=hub(["/a"]))
    server.routes["/a"] = Reply(body=article("A"))
    config = (
        settings(tmp_path)
        + "sites:\n"
        + site("s", "127.0.0.1", start=[server.url("/")], every="1h")
    )
    assert crawl(config)[0] == 0
    requests = len(server.log)

    code, counts, _ = crawl(None, path=tmp_path / "config.yaml")
    assert code == 0 and counts == {} and len(server.log) == requests

    code, counts, _ = crawl(None, "--site", "s", "--force", path=tmp_path / "config.yaml")
    assert code == 0 and counts["s"]["unchanged"] == 1


def test_max_pages_and_max_depth(server, crawl, tmp_path):
    server.routes["/"] = Reply(body=hub(["/d1"]))
    server.routes["/d1"] = Reply(body=article("d1", links=["/d2"]))
    server.routes["/d2"] = Reply(body=article("d2", links=["/d3"]))
    server.routes["/d3"] = Reply(body=article("d3"))
    config = (
        settings(tmp_path)
        + "sites:\n"
        + site("s", "127.0.0.1", start=[server.url("/")], max_depth=2)
    )
    code, counts, _ = crawl(config)
    assert code == 0 and counts["s"]["new"] == 2
    assert "/d3" not in server.paths()


def test_warc_and_formats(server, crawl, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    server.routes["/"] = Reply(body=hub(["/a"]))
    server.routes["/a"] = Reply(body=article("Archived"))
    config = (
        settings(tmp_path, warc=True, format="json")
        + "sites:\n"
        + site("s", "127.0.0.1", start=[server.url("/")])
    )
    code, counts, _ = crawl(config)
    assert code == 0 and counts["s"]["new"] == 1
    doc = json.loads((tmp_path / "out" / f"127.0.0.1_{server.port}" / "a.json").read_text())
    assert doc["title"] == "Archived" and doc["url"] == server.url("/a")
    with open(tmp_path / "out" / "_warc" / "s-1.warc.gz", "rb") as handle:
        records = [
            (r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
            for r in ArchiveIterator(handle)
            if r.rec_type == "response"
        ]
    assert [uri for uri, _ in records] == [server.url("/a")]
    assert b"Archived" in records[0][1]


def test_unknown_site_is_a_config_error(server, crawl, tmp_path):
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])
    code, _, err = crawl(config, "--site", "nope")
    assert code == 3 and "no site 'nope'" in err


def test_store_keeps_records_of_a_finished_run(server, crawl, tmp_path: Path):
    server.routes["/"] = Reply(body=hub(["/a"]))
    server.routes["/a"] = Reply(body=article("A"), headers={"ETag": '"e"'})
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])
    assert crawl(config)[0] == 0
    store = SQLiteStore(tmp_path / "state")
    record = store.record(server.url("/a"))
    assert record is not None and record.etag == '"e"' and record.hash and record.status == 200
    runs = store.runs()
    assert [(r.site, r.status) for r in runs] == [("s", "finished")]
    store.close()


def test_log_lines_summary_table_and_quiet(server, write_config, tmp_path):
    from click.testing import CliRunner

    from scraper.cli import main

    server.routes["/"] = Reply(body=hub(["/a", "/missing"]))
    server.routes["/a"] = Reply(body=article("A"))
    cfg = write_config(
        settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])
    )
    result = CliRunner().invoke(main, ["crawl", "-c", str(cfg)])
    assert result.exit_code == 0
    assert f"s: new 200 {server.url('/a')}" in result.stderr
    assert f"s: failed 404 {server.url('/missing')}" in result.stderr
    assert "s: run 1 finished" in result.stderr
    assert "crawl summary" in result.stdout and "skipped" in result.stdout

    # --quiet: nothing but errors, which still print
    quiet = CliRunner().invoke(main, ["crawl", "-c", str(cfg), "--force", "--quiet"])
    assert quiet.exit_code == 0 and quiet.stdout == ""
    missing = server.url("/missing")
    assert quiet.stderr == f"s: failed 404 {missing} ({missing}: HTTP 404 Not Found)\n"
