"""The crawl faults found in testing (issue 16), each against a real server on 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path

from scraper.crawl.store import SQLiteStore

from .conftest import article, hub, settings
from .server import Reply, Server
from .test_crawl import TEXT, XML, gaps, site


def test_urls_that_flatten_alike_get_files_of_their_own(server, crawl, tmp_path):
    paths = ["/news/a-b", "/news/a/b", "/story", "/story.html", "/story/"]
    server.routes["/"] = Reply(body=hub(paths))
    for path in paths:
        server.routes[path] = Reply(body=article(f"Page at {path}"))
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])

    code, counts, _ = crawl(config)

    assert code == 0 and counts["s"]["new"] == 5
    files = list((tmp_path / "out" / f"127.0.0.1_{server.port}").iterdir())
    assert len(files) == 5
    lines = (tmp_path / "out" / "_runs" / "s-1.jsonl").read_text().splitlines()
    by_path = {json.loads(line)["path"]: json.loads(line)["key"] for line in lines}
    assert len(by_path) == 5
    for path, key in by_path.items():  # each file holds its own page
        assert f"Page at {key.split(str(server.port), 1)[1]}" in Path(path).read_text()

    code, again, _ = crawl(None, "--force", path=tmp_path / "config.yaml")
    assert code == 0 and again["s"]["unchanged"] == 5  # the same names on the next run
    assert len(list((tmp_path / "out" / f"127.0.0.1_{server.port}").iterdir())) == 5


def run_json(write_config, config_text: str | None, *args: str, path: Path | None = None):
    """The CLI's JSON summary: (exit code, {site: run}, stderr)."""
    from click.testing import CliRunner

    from scraper.cli import main

    cfg = path or write_config(config_text)
    result = CliRunner().invoke(main, ["crawl", "--config", str(cfg), "--json", *args])
    runs = {}
    if result.exit_code == 0 and result.stdout.strip():
        runs = {r["site"]: r for r in json.loads(result.stdout)["runs"]}
    return result.exit_code, runs, result.stderr


def test_a_sitemap_index_listing_new_urls_of_itself_ends(server, write_config, tmp_path):
    def index(req):
        n = int(req.path.partition("=")[2] or 0)
        nxt = server.url(f"/idx.xml?x={n + 1}")
        return Reply(
            body=(
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{nxt}</loc></sitemap></sitemapindex>"
            ),
            headers=XML,
        )

    for n in range(50):
        server.routes[f"/idx.xml?x={n}"] = index
    config = settings(tmp_path) + "sites:\n" + site(
        "s", "127.0.0.1", sitemaps=[server.url("/idx.xml?x=0")]
    )

    code, runs, _ = run_json(write_config, config)

    assert code == 0
    asked = [p for p in server.paths() if p.startswith("/idx.xml")]
    assert len(asked) == 3  # the index and max_sitemap_depth (2) levels below it
    [warning] = runs["s"]["warnings"]
    assert "nested deeper than max_sitemap_depth 2" in warning


def test_max_sitemaps_bounds_the_sitemaps_read_in_a_run(server, write_config, tmp_path):
    listed = "".join(
        f"<sitemap><loc>{server.url(f'/s{i}.xml')}</loc></sitemap>" for i in range(6)
    )
    server.routes["/index.xml"] = Reply(
        body=f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{listed}'
        "</sitemapindex>",
        headers=XML,
    )
    for i in range(6):
        server.routes[f"/s{i}.xml"] = Reply(body=URLSET.format(urls=""), headers=XML)
    config = settings(tmp_path, max_sitemaps=4) + "sites:\n" + site(
        "s", "127.0.0.1", sitemaps=[server.url("/index.xml")]
    )

    code, runs, _ = run_json(write_config, config)

    assert code == 0
    assert len([p for p in server.paths() if p.endswith(".xml")]) == 4
    assert runs["s"]["warnings"] == ["max_sitemaps 4 reached; 3 more sitemaps not read in this run"]


URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def test_a_binary_sitemap_is_refused_and_nothing_in_it_requested(server, write_config, tmp_path):
    import random

    garbage = random.Random(16).randbytes(6000)
    server.routes["/sitemap.xml"] = Reply(body=garbage, headers=XML)
    config = settings(tmp_path) + "sites:\n" + site(
        "s", "127.0.0.1", sitemaps=[server.url("/sitemap.xml")]
    )

    code, runs, _ = run_json(write_config, config)

    assert code == 0
    assert server.paths() == ["/robots.txt", "/sitemap.xml"]
    assert runs["s"]["counts"]["failed"] == 1


def test_a_malformed_sitemap_is_read_in_part_and_says_so(server, write_config, tmp_path):
    urls = "".join(f"<url><loc>{server.url(f'/m{i}')}</loc></url>" for i in range(2))
    server.routes["/sitemap.xml"] = Reply(
        body=URLSET.format(urls=urls)[:-12] + "<url><loc>", headers=XML
    )
    for i in range(2):
        server.routes[f"/m{i}"] = Reply(body=article(f"M{i}"))
    config = settings(tmp_path) + "sites:\n" + site(
        "s", "127.0.0.1", sitemaps=[server.url("/sitemap.xml")]
    )

    code, runs, _ = run_json(write_config, config)

    assert code == 0 and runs["s"]["counts"]["new"] == 2
    [warning] = runs["s"]["warnings"]
    assert warning.startswith(f"{server.url('/sitemap.xml')}: sitemap read in part: malformed XML")


def test_robots_txt_500_ends_the_run_saying_why(server, write_config, tmp_path):
    server.routes["/robots.txt"] = Reply(500, "oops", TEXT)
    server.routes["/"] = Reply(body=hub(["/x"]))
    # robots_retry 1 s: a crawl with nothing else to do must not wait for it forever
    config = settings(tmp_path, robots_retry="1s") + "sites:\n" + site(
        "s", "127.0.0.1", start=[server.url("/")]
    )

    code, runs, _ = run_json(write_config, config)

    assert code == 0
    assert server.paths() == ["/robots.txt"]
    assert runs["s"]["counts"]["queued"] == 1
    host = f"http://127.0.0.1:{server.port}"
    assert runs["s"]["warnings"] == [
        f"robots.txt unavailable for {host} (HTTP 500); its URLs wait for the next run"
    ]


def test_robots_retries_are_bounded_while_other_hosts_keep_the_crawl_busy(
    server, write_config, tmp_path
):
    other = Server()
    try:
        server.routes["/robots.txt"] = Reply(503, "down", TEXT)
        server.routes["/"] = Reply(body=hub(["/x"]))
        other.routes["/"] = Reply(body=hub([f"/o{i}" for i in range(8)]))
        for i in range(8):
            other.routes[f"/o{i}"] = Reply(body=article(f"O{i}"))
        config = (
            settings(tmp_path, robots_retry="0.2s")
            + "sites:\n"
            + site("down", "127.0.0.1", start=[server.url("/")], delay=0)
            + site("busy", "localhost", start=[other.url("/", host="localhost")], delay=0.25)
        )

        code, runs, _ = run_json(write_config, config)

        assert code == 0 and runs["busy"]["counts"]["new"] == 8
        assert server.paths() == ["/robots.txt"] * 3  # asked again while busy, three times
        assert runs["down"]["counts"]["queued"] == 1
        assert "(HTTP 503)" in runs["down"]["warnings"][0]
    finally:
        other.close()


def test_the_first_request_after_robots_txt_waits_its_crawl_delay(server, crawl, tmp_path):
    server.routes["/robots.txt"] = Reply(body="User-agent: *\nCrawl-delay: 0.6\n", headers=TEXT)
    server.routes["/"] = Reply(body=hub(["/a"]))
    server.routes["/a"] = Reply(body=article("A"))
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])

    code, counts, _ = crawl(config)

    assert code == 0 and counts["s"]["new"] == 1
    assert [r.path for r in server.requests()] == ["/robots.txt", "/", "/a"]
    assert min(gaps(server.requests())) >= 0.6  # robots.txt → / too


def test_a_retry_after_beyond_the_cap_defers_the_host_across_runs(server, write_config, tmp_path):
    calls: list[float] = []

    def throttled(req):
        calls.append(req.at)
        return Reply(503, "busy", {"Retry-After": "3600", **TEXT})

    server.routes["/"] = Reply(body=hub(["/t"]))
    server.routes["/t"] = throttled
    config = settings(tmp_path, fetch={"retry_after_cap": 0.5}) + "sites:\n" + site(
        "s", "127.0.0.1", start=[server.url("/")]
    )

    code, runs, _ = run_json(write_config, config)

    # Not waited for, not retried, not failed: the host is deferred and /t left queued.
    assert code == 0 and runs["s"]["counts"]["failed"] == 0 and runs["s"]["counts"]["queued"] == 1
    assert len(calls) == 1
    store = SQLiteStore(tmp_path / "state")
    host = store.host(f"http://127.0.0.1:{server.port}")
    store.close()
    assert host.backoff_until > time.time() + 3500  # as asked: the next run keeps away too
    code, runs, _ = run_json(write_config, config, "--force")
    assert code == 0 and len(calls) == 1


def test_each_redirect_hop_waits_the_hosts_delay(server, crawl, tmp_path):
    server.routes["/"] = Reply(body=hub(["/r0"]))
    for i in range(3):
        server.routes[f"/r{i}"] = Reply(302, "", {"Location": f"/r{i + 1}"})
    server.routes["/r3"] = Reply(body=article("End of the chain"))
    config = settings(tmp_path, delay=0.3) + "sites:\n" + site(
        "s", "127.0.0.1", start=[server.url("/")]
    )

    code, counts, _ = crawl(config)

    assert code == 0 and counts["s"]["new"] == 1
    assert server.paths() == ["/robots.txt", "/", "/r0", "/r1", "/r2", "/r3"]
    assert min(gaps(server.requests())) >= 0.3


def test_a_redirect_to_another_host_obeys_its_robots_txt(server, write_config, tmp_path):
    other = Server()
    try:
        other.routes["/robots.txt"] = Reply(body="User-agent: *\nDisallow: /\n", headers=TEXT)
        other.routes["/page"] = Reply(body=article("Not for crawlers"))
        server.routes["/"] = Reply(body=hub(["/go", "/stay"]))
        server.routes["/go"] = Reply(302, "", {"Location": other.url("/page", host="localhost")})
        server.routes["/stay"] = Reply(body=article("Stay"))
        config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])

        code, runs, _ = run_json(write_config, config)

        assert code == 0
        assert other.paths() == ["/robots.txt"]  # the page itself was never asked for
        assert runs["s"]["counts"]["new"] == 1 and runs["s"]["counts"]["robots"] == 1
        out = tmp_path / "out"
        assert [p.name for p in out.rglob("*.txt")] == ["stay.txt"]
    finally:
        other.close()


def test_a_redirect_to_another_host_waits_for_that_hosts_delay(server, write_config, tmp_path):
    other = Server()
    try:
        links = [f"/go{i}" for i in range(3)]
        server.routes["/"] = Reply(body=hub(links))
        for i, path in enumerate(links):
            target = other.url(f"/p{i}", host="localhost")
            server.routes[path] = Reply(302, "", {"Location": target})
            other.routes[f"/p{i}"] = Reply(body=article(f"Moved {i}"))
        config = (
            settings(tmp_path)
            + "sites:\n"
            + site("s", "127.0.0.1", start=[server.url("/")], delay=0.05)
            + site("o", "localhost", start=[], delay=0.4)
        )

        code, runs, _ = run_json(write_config, config, "--site", "s")

        assert code == 0 and runs["s"]["counts"]["new"] == 3
        assert sorted(other.paths()) == ["/p0", "/p1", "/p2", "/robots.txt"]
        assert min(gaps(other.requests())) >= 0.4
    finally:
        other.close()


def crawl_with(write_config, config_text: str, clean) -> dict:
    """One crawl in this process with ``clean`` in the workers: {site: SiteSummary}."""
    from scraper.config import load_config
    from scraper.crawl.runner import Crawler

    config = load_config(write_config(config_text))
    store = SQLiteStore(config.crawl.state_dir)
    try:
        with store.lock():
            summaries = Crawler(config, store, clean=clean).crawl(list(config.sites))
    finally:
        store.close()
    return {s.site: s for s in summaries}


def _pages(server, bad: dict[str, str]) -> list[str]:
    paths = [f"/p{i}" for i in range(4)] + list(bad)
    server.routes["/"] = Reply(body=hub(paths))
    for path in paths:
        server.routes[path] = Reply(body=article(f"Page {path}", extra=bad.get(path, "")))
    return paths


def test_a_killed_cleaning_worker_fails_its_page_and_the_crawl_goes_on(
    server, write_config, tmp_path
):
    from .cleaners import misbehaving

    _pages(server, {"/oom": "DIE-WHILE-CLEANING"})
    config = settings(tmp_path, workers=2) + "sites:\n" + site(
        "s", "127.0.0.1", start=[server.url("/")]
    )

    runs = crawl_with(write_config, config, misbehaving)

    assert runs["s"].status == "finished"
    assert runs["s"].counts["new"] == 4 and runs["s"].counts["failed"] == 1
    store = SQLiteStore(tmp_path / "state")
    record = store.record(server.url("/oom"))
    store.close()
    assert record is not None and record.error == (
        f"{server.url('/oom')}: cleaning failed: the worker process died "
        "(killed by a signal or out of memory)"
    )


def test_cleaning_one_page_has_a_time_limit(server, write_config, tmp_path):
    from .cleaners import misbehaving

    _pages(server, {"/slow": "SLOW-TO-CLEAN"})
    config = settings(tmp_path, workers=1, clean_timeout=0.5) + "sites:\n" + site(
        "s", "127.0.0.1", start=[server.url("/")]
    )

    started = time.monotonic()
    runs = crawl_with(write_config, config, misbehaving)

    assert time.monotonic() - started < 10  # not the 30 s the page would take
    assert runs["s"].counts["new"] == 4 and runs["s"].counts["failed"] == 1
    store = SQLiteStore(tmp_path / "state")
    record = store.record(server.url("/slow"))
    store.close()
    assert record is not None
    assert record.error == f"{server.url('/slow')}: cleaning took longer than 0.5s"


def test_a_page_that_ignores_the_time_limit_is_cut_off_by_the_crawl(
    server, write_config, tmp_path
):
    from .cleaners import misbehaving

    _pages(server, {"/stuck": "STUCK-IN-C"})
    config = settings(tmp_path, workers=1, clean_timeout=0.2) + "sites:\n" + site(
        "s", "127.0.0.1", start=[server.url("/")]
    )

    started = time.monotonic()
    runs = crawl_with(write_config, config, misbehaving)

    assert time.monotonic() - started < 4.5  # cut at 2 × 0.2 + 1 s, not the 6 s of the page
    assert runs["s"].counts["new"] == 4 and runs["s"].counts["failed"] == 1
    store = SQLiteStore(tmp_path / "state")
    record = store.record(server.url("/stuck"))
    store.close()
    assert record is not None
    message = f"{server.url('/stuck')}: cleaning took longer than 0.2s; its worker was killed"
    assert record.error == message


def _cli(write_config, config_text: str, *args: str):
    from click.testing import CliRunner

    from scraper.cli import main

    cfg = write_config(config_text)
    return CliRunner().invoke(main, ["crawl", "--config", str(cfg), *args])


def test_no_sites_or_nothing_to_crawl_from_says_so(write_config, tmp_path):
    result = _cli(write_config, settings(tmp_path))
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: {tmp_path / 'config.yaml'}: no sites configured; add one under `sites:` to crawl\n"
    )
    result = _cli(write_config, settings(tmp_path) + "sites:\n" + site("rules", "example.com"))
    assert result.exit_code == 3
    assert "no site has `start`, `sitemaps` or `feeds` to crawl from (sites: rules)" in (
        result.stderr
    )


def test_a_site_not_due_says_when_it_will_be(server, write_config, tmp_path):
    server.routes["/"] = Reply(body=hub([]))
    config = settings(tmp_path) + "sites:\n" + site(
        "s", "127.0.0.1", start=[server.url("/")], every="6h"
    )
    assert _cli(write_config, config).exit_code == 0
    again = _cli(write_config, config)
    assert again.exit_code == 0
    assert again.stderr == "no site is due (the next in 6h); use --force to crawl anyway\n"


def test_an_unreachable_start_page_is_reported(server, write_config, tmp_path):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = f"http://127.0.0.1:{port}/"
    server.routes["/gone"] = Reply(404, "no", TEXT)
    gone = server.url("/gone")
    config = (
        settings(tmp_path, fetch={"retries": 0})
        + "sites:\n"
        + site("down", "127.0.0.1", start=[down])
        + site("gone", "localhost", start=[gone.replace("127.0.0.1", "localhost")])
    )

    for args in ((), ("--quiet",), ("--json",)):
        result = _cli(write_config, config, "--force", *args)
        assert result.exit_code == 0
        assert (
            f"down: warning: robots.txt unavailable for http://127.0.0.1:{port} "
            "(unreachable: connection refused); its URLs wait for the next run"
        ) in result.stderr
        url = gone.replace("127.0.0.1", "localhost")
        assert f"gone: warning: start page {url} could not be read: HTTP 404 Not Found" in (
            result.stderr
        )


def test_the_json_summary_and_the_table_use_the_same_names(server, write_config, tmp_path):
    server.routes["/"] = Reply(body=hub(["/a"]))
    server.routes["/a"] = Reply(body=article("A"))
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])
    as_json = _cli(write_config, config, "--json")
    table = _cli(write_config, config, "--force")
    [run] = json.loads(as_json.stdout)["runs"]
    header = next(line for line in table.stdout.splitlines() if "status" in line).split()
    assert header == ["site", "run_id", "status", *run["counts"], "seconds", "template"]
    assert {"site", "run_id", "status", "counts", "seconds"} <= set(run)


def test_the_crawl_backs_off_as_the_shared_retry_policy_says(server, crawl, tmp_path):
    answers = iter([Reply(500, "oops", TEXT), Reply(503, "busy", TEXT), Reply(body=article("F"))])
    server.routes["/"] = Reply(body=hub(["/flaky"]))
    server.routes["/flaky"] = lambda req: next(answers)
    config = settings(tmp_path, fetch={"retries": 2, "backoff": 0.3}) + "sites:\n" + site(
        "s", "127.0.0.1", start=[server.url("/")]
    )

    code, counts, _ = crawl(config)

    assert code == 0 and counts["s"]["new"] == 1
    first, second = gaps(server.requests("/flaky"))
    # 0.3·2ⁿ plus up to 0.3 of jitter (the upper bounds leave room for a busy machine)
    assert 0.3 <= first < 1.5 and 0.6 <= second < 2.0


def test_an_hour_long_pushback_stored_by_an_earlier_run_is_honoured(server, crawl, tmp_path):
    server.routes["/"] = Reply(body=hub(["/a"]))
    server.routes["/a"] = Reply(body=article("A"))
    store = SQLiteStore(tmp_path / "state")
    host = f"http://127.0.0.1:{server.port}"
    store.push_back(host, 3600)  # a Retry-After beyond the cap, from an earlier run
    store.close()
    config = settings(tmp_path, fetch={"retry_after_cap": 0.5}) + "sites:\n" + site(
        "s", "127.0.0.1", start=[server.url("/")]
    )

    started = time.monotonic()
    code, counts, _ = crawl(config)

    assert code == 0 and counts["s"]["new"] == 0 and counts["s"]["queued"] == 1
    assert [p for p in server.paths() if p != "/robots.txt"] == []  # the host left alone
    assert time.monotonic() - started < 5  # the run ends: it does not sleep the hour


def test_a_sitemap_redirected_to_another_host_obeys_its_robots_txt(
    server, write_config, tmp_path
):
    other = Server()
    try:
        other.routes["/robots.txt"] = Reply(body="User-agent: *\nDisallow: /\n", headers=TEXT)
        other.routes["/sitemap.xml"] = Reply(body=URLSET.format(urls=""), headers=XML)
        target = other.url("/sitemap.xml", host="localhost")
        server.routes["/sitemap.xml"] = Reply(301, "", {"Location": target})
        server.routes["/feed.xml"] = Reply(302, "", {"Location": "/rss.xml"})
        server.routes["/rss.xml"] = Reply(
            body=f"<rss><channel><item><link>{server.url('/a')}</link></item></channel></rss>",
            headers=XML,
        )
        server.routes["/a"] = Reply(body=article("A"))
        config = settings(tmp_path) + "sites:\n" + site(
            "s",
            "127.0.0.1",
            sitemaps=[server.url("/sitemap.xml")],
            feeds=[server.url("/feed.xml")],
        )

        code, runs, _ = run_json(write_config, config)

        assert code == 0 and runs["s"]["counts"]["new"] == 1  # the feed's redirect was followed
        assert other.paths() == ["/robots.txt"]
        assert any(
            w.startswith(f"sitemap {server.url('/sitemap.xml')} could not be read: redirected to")
            for w in runs["s"]["warnings"]
        )
    finally:
        other.close()
