"""The event-driven runner: the dispatcher sleeps until something can change (a host due, a
fetch or cleaning done, a stop, another worker's notice), and the limits workers share live in
the store. Wake-ups are counted (``Crawler.wakeups``), never timed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scraper.config import Config, load_config
from scraper.crawl.discover import host_key
from scraper.crawl.events import Event, PageDone, SiteSummary
from scraper.crawl.runner import Crawler
from scraper.crawl.stopping import Stop
from scraper.crawl.store import FrontierItem, Store, open_store

from .conftest import article, hub, settings
from .server import Reply, Request
from .test_crawl import TEXT, XML, site

URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'


def _index(urls: list[str]) -> Reply:
    listed = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{listed}'
    return Reply(body=body + "</sitemapindex>", headers=XML)


@pytest.fixture(params=["sqlite", "postgres"])
def store_spec(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_dsn"))
    return "sqlite"


@contextmanager
def opened(config: Config, spec: str) -> Iterator[Store]:
    store = open_store(spec, config.crawl.state_dir)
    try:
        with store.lock():
            yield store
    finally:
        store.close()


def test_a_host_due_in_half_a_second_is_waited_for_with_a_few_wakeups(
    server, write_config, tmp_path
):
    crawler: list[Crawler] = []
    seen: dict[str, tuple[float, int]] = {}  # path → (when asked, wake-ups by then)

    def logged(reply: Reply) -> Callable[[Request], Reply]:
        def route(req: Request) -> Reply:
            seen[req.path] = (req.at, crawler[0].wakeups)
            return reply

        return route

    server.routes["/robots.txt"] = logged(Reply(body="User-agent: *\nAllow: /\n", headers=TEXT))
    server.routes["/"] = logged(Reply(body=hub(["/a"])))
    server.routes["/a"] = logged(Reply(body=article("A")))
    config = load_config(
        write_config(
            settings(tmp_path, delay=0.5)
            + "sites:\n"
            + site("s", "127.0.0.1", start=[server.url("/")])
        )
    )
    with opened(config, "sqlite") as store:
        crawler.append(Crawler(config, store))
        [summary] = crawler[0].crawl(["s"])

    assert summary.counts["new"] == 1
    (t_robots, _), (t_index, w_index), (t_page, w_page) = (
        seen[p] for p in ("/robots.txt", "/", "/a")
    )
    assert t_index - t_robots >= 0.5 and t_page - t_index >= 0.5
    # Between the index and the page, 0.5 s apart: its fetch and its cleaning end, the host
    # falls due, maybe a progress report is owed. Polling every 50 ms would make it 10 or more.
    assert w_page - w_index <= 5


def test_a_stop_wakes_a_crawl_that_waits_for_a_throttled_host(server, write_config, tmp_path):
    asked = threading.Event()

    def throttled(req: Request) -> Reply:
        asked.set()
        return Reply(503, "busy", {"Retry-After": "30", **TEXT})

    server.routes["/robots.txt"] = Reply(body="User-agent: *\nAllow: /\n", headers=TEXT)
    server.routes["/"] = throttled
    config = load_config(
        write_config(
            settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])
        )
    )
    stop = Stop()
    result: list[list[SiteSummary]] = []
    with opened(config, "sqlite") as store:
        crawler = Crawler(config, store, stop=stop)
        thread = threading.Thread(target=lambda: result.append(crawler.crawl(["s"])))
        thread.start()
        assert asked.wait(60)
        time.sleep(0.5)  # asleep now: the host is due again in 30 s
        woke = crawler.wakeups
        stop.set()
        thread.join(20)  # only the stop can end it before the host is due
        assert not thread.is_alive()
    [summary] = result[0]
    assert summary.status == "stopped"
    assert crawler.wakeups - woke <= 2
    assert server.paths().count("/") == 1


def test_a_notice_wakes_a_waiting_worker_when_another_adds_urls(
    server, write_config, tmp_path, postgres_dsn
):
    server.routes["/robots.txt"] = Reply(body="User-agent: *\nAllow: /\n", headers=TEXT)
    server.routes["/"] = Reply(body=hub([]))
    server.routes["/new"] = Reply(body=article("New"))
    config = load_config(
        write_config(
            settings(tmp_path, delay=0.05)
            + "sites:\n"
            + site("s", "127.0.0.1", start=[server.url("/")])
        )
    )
    host = host_key(server.url("/"))
    other = open_store(postgres_dsn, tmp_path)
    try:
        # Another worker holds a URL of the run for 60 s: this one waits for its lease.
        run, _ = other.begin_run("s", every=0, force=True)  # type: ignore[misc]
        other.enqueue([FrontierItem(run.id, server.url("/held"), "s", host, "page", 1)])
        assert other.claim(run.id, host, limit=1, owner="ghost", lease=60)
        stop = Stop()
        indexed = threading.Event()

        def emit(event: Event) -> None:
            if isinstance(event, PageDone) and event.url == server.url("/"):
                indexed.set()

        with opened(config, postgres_dsn) as store:
            crawler = Crawler(config, store, stop=stop, emit=emit)
            crawler.reread_every = 600.0  # no slow re-read in this test: only the notice
            thread = threading.Thread(target=crawler.crawl, args=(["s"],))
            thread.start()
            try:
                assert indexed.wait(60)
                time.sleep(0.5)  # asleep now: the held URL is due in a minute
                asleep = crawler.notices
                other.enqueue([FrontierItem(run.id, server.url("/new"), "s", host, "page", 1)])
                deadline = time.monotonic() + 20
                while "/new" not in server.paths() and time.monotonic() < deadline:
                    time.sleep(0.05)
            finally:
                stop.set()
                thread.join(30)
            assert not thread.is_alive()
        assert "/new" in server.paths()
        assert crawler.notices > asleep
    finally:
        other.close()


def test_max_sitemaps_is_one_limit_for_every_worker_of_a_run(
    server, write_config, tmp_path, store_spec
):
    server.routes["/robots.txt"] = Reply(body="User-agent: *\nAllow: /\n", headers=TEXT)
    server.routes["/idx1.xml"] = _index([server.url(f"/a{i}.xml") for i in range(3)])
    server.routes["/idx2.xml"] = _index([server.url(f"/b{i}.xml") for i in range(3)])
    for name in ("a", "b"):
        for i in range(3):
            server.routes[f"/{name}{i}.xml"] = Reply(body=URLSET, headers=XML)
    seeds = [server.url("/idx1.xml"), server.url("/idx2.xml")]
    config = load_config(
        write_config(
            settings(tmp_path, delay=0.3, max_sitemaps=4)
            + "sites:\n"
            + site("s", "127.0.0.1", sitemaps=seeds)
        )
    )
    # The first worker reads the first index (4 sitemaps queued: 2 seeds and 2 of its 3),
    # then stops; the second joins the run and reads the second index.
    stop = Stop()

    def emit(event: Event) -> None:
        if isinstance(event, PageDone) and event.url == seeds[0]:
            stop.set()

    with opened(config, store_spec) as store:
        [first] = Crawler(config, store, stop=stop, emit=emit).crawl(["s"])
    with opened(config, store_spec) as store:
        [second] = Crawler(config, store).crawl(["s"])

    assert first.status == "stopped" and second.status == "finished"
    read = sorted(p for p in server.paths() if p.endswith(".xml"))
    assert read == ["/a0.xml", "/a1.xml", "/idx1.xml", "/idx2.xml"]
    assert first.warnings == ("max_sitemaps 4 reached; 1 more sitemaps not read in this run",)
    assert second.warnings == ("max_sitemaps 4 reached; 3 more sitemaps not read in this run",)


def test_robots_txt_failures_are_counted_for_the_run_by_every_worker(tmp_path: Path, store_spec):
    def connect() -> Store:
        if store_spec == "sqlite":
            return open_store("sqlite", tmp_path / "state")
        return open_store(store_spec, tmp_path)

    one, two = connect(), connect()
    try:
        run = one.start_run("s")
        assert one.robots_failed(run.id, "http://h") == 1
        assert two.robots_failed(run.id, "http://h") == 2
        assert one.robots_failures(run.id, "http://h") == 2
        assert two.robots_failures(run.id, "http://other") == 0
        later = two.start_run("s")  # a new run asks again
        assert one.robots_failures(later.id, "http://h") == 0
    finally:
        one.close()
        two.close()


def test_a_state_made_before_the_shared_counts_is_brought_up_to_date(tmp_path: Path, store_spec):
    def connect() -> Store:
        return open_store(store_spec, tmp_path / "state")

    store = connect()
    db = store._db  # type: ignore[attr-defined]
    # The state as the previous version left it: no sitemap count, no run_hosts table.
    db.execute("ALTER TABLE runs DROP COLUMN sitemaps")
    db.execute("DROP TABLE run_hosts")
    if store_spec == "sqlite":
        db.execute("UPDATE meta SET value='2' WHERE key='schema'")
    store.close()
    store = connect()
    try:
        run = store.start_run("s")
        item = FrontierItem(run.id, "http://h/s.xml", "s", "http://h", "sitemap", 0)
        assert store.add_sitemaps(run.id, [item], limit=1) == (1, 0)
        assert store.robots_failed(run.id, "http://h") == 1
    finally:
        store.close()
