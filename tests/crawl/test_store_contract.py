"""One contract for every store: the SQLite store and the PostgreSQL store pass the same tests.

Times are the store's own clock (PostgreSQL's for the shared store), so leases here are short
real durations, not fake clocks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.crawl.discover import host_key
from scraper.crawl.store import FrontierItem, LeaseLost, SQLiteStore, Store, UrlRecord

H = "http://h"


def _item(run_id: int, url: str, kind: str = "page") -> FrontierItem:
    return FrontierItem(run_id, url, "s", host_key(url), kind, 1)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgres"])
def make_store(request, tmp_path: Path) -> Iterator:
    """``make_store()`` → a new connection to one shared state (a second worker's view)."""
    opened: list[Store] = []
    if request.param == "sqlite":

        def make() -> Store:
            opened.append(SQLiteStore(tmp_path / "state"))
            return opened[-1]
    else:
        from scraper.crawl.store.postgres import PostgresStore

        dsn = request.getfixturevalue("postgres_dsn")

        def make() -> Store:
            opened.append(PostgresStore(dsn))
            return opened[-1]

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store) -> Store:
    return make_store()


def _urls(items: list[FrontierItem]) -> list[str]:
    return [i.url for i in items]


def test_claims_leases_and_completes(store: Store):
    run = store.start_run("s")
    assert store.enqueue([_item(run.id, f"{H}/1"), _item(run.id, f"{H}/2")]) == 2
    assert store.enqueue([_item(run.id, f"{H}/1")]) == 0  # once per run
    assert store.pending_hosts(run.id) == {H: 0.0}
    first = store.claim(run.id, H, limit=1, owner="w1", lease=60)
    second = store.claim(run.id, H, limit=5, owner="w2", lease=60)
    assert _urls(first) == [f"{H}/1"] and _urls(second) == [f"{H}/2"]
    assert first[0].token and second[0].token != first[0].token
    assert store.claim(run.id, H, limit=5, owner="w3", lease=60) == []
    # held by live workers: due when their leases end, not now
    assert 50 < store.pending_hosts(run.id)[H] <= 60
    record = UrlRecord(url=f"{H}/1", site="s", etag='"e"', hash="abc", status=200)
    found = [_item(run.id, f"{H}/3"), _item(run.id, f"{H}/2")]
    assert store.complete(first[0], "new", record, found) == 1
    assert store.record(f"{H}/1") == record
    assert store.records([f"{H}/1", f"{H}/9"]) == {f"{H}/1": record}
    store.release(second[0], after=1000.0, attempted=True)
    assert store.pending_hosts(run.id) == {H: 0.0}  # /3 is due now
    assert _urls(store.claim(run.id, H, limit=5, owner="w1", lease=60)) == [f"{H}/3"]
    counts = store.counts(run.id)
    assert counts["new"] == 1 and counts["queued"] == 2
    # the next run inherits what was left
    store.give_up("w1")
    store.finish_run(run.id, "finished")
    nxt = store.start_run("s")
    assert store.pending_count(nxt.id) == 2
    assert store.runs()[-1].counts["new"] == 1
    assert store.counts(run.id)["new"] == 0  # its frontier rows are gone


def test_a_lapsed_lease_is_taken_over_and_the_old_owner_is_fenced(make_store):
    one, two = make_store(), make_store()
    run = one.start_run("s")
    one.enqueue([_item(run.id, f"{H}/1")])
    [mine] = one.claim(run.id, H, limit=1, owner="w1", lease=1.0)
    assert two.claim(run.id, H, limit=1, owner="w2", lease=60) == []
    time.sleep(1.1)
    [theirs] = two.claim(run.id, H, limit=1, owner="w2", lease=60)
    assert theirs.url == mine.url and theirs.token != mine.token
    assert two.holds(theirs) and not one.holds(mine)
    late = UrlRecord(url=mine.url, site="s", hash="stale")
    with pytest.raises(LeaseLost, match="lease lost"):
        one.complete(mine, "new", late, [_item(run.id, f"{H}/from-w1")])
    assert one.record(mine.url) is None  # nothing of the fenced completion was written
    assert one.pending_count(run.id) == 1
    one.release(mine, after=0, attempted=False)  # fenced too: w2 keeps it
    assert two.claim(run.id, H, limit=1, owner="w3", lease=60) == []
    assert two.complete(theirs, "new", UrlRecord(url=mine.url, site="s", hash="h")) == 0
    assert two.counts(run.id)["new"] == 1


def test_a_live_worker_renews_its_leases(make_store):
    one, two = make_store(), make_store()
    run = one.start_run("s")
    one.enqueue([_item(run.id, f"{H}/1")])
    [mine] = one.claim(run.id, H, limit=1, owner="w1", lease=1.0)
    time.sleep(0.3)
    assert one.renew("w1", 5.0) == 1
    time.sleep(0.8)  # past the first lease
    assert two.claim(run.id, H, limit=1, owner="w2", lease=60) == []
    assert one.complete(mine, "new") == 0


def test_max_pages_is_counted_across_workers(make_store):
    one, two = make_store(), make_store()
    run = one.start_run("s")
    one.enqueue(
        [_item(run.id, f"{H}/{i}") for i in range(5)] + [_item(run.id, f"{H}/s", "sitemap")]
    )
    a = one.claim(run.id, H, limit=3, owner="w1", lease=60, max_pages=3)
    assert [i.kind for i in a] == ["sitemap", "page", "page"]  # hubs first
    b = two.claim(run.id, H, limit=5, owner="w2", lease=60, max_pages=3)
    assert len(b) == 1 and one.pages_claimed(run.id) == 3
    assert one.claim(run.id, H, limit=5, owner="w1", lease=60, max_pages=3) == []
    one.complete(a[0], "hub")
    assert one.pending_hosts(run.id, pages=False) == {}
    two.release(b[0], after=0, attempted=True)  # a retry gives its page back to the budget
    assert len(one.claim(run.id, H, limit=5, owner="w1", lease=60, max_pages=3)) == 1
    one.complete(a[1], "robots")  # not fetched: does not count
    assert one.pages_claimed(run.id) == 2


def test_begin_run_makes_one_run_for_many_workers(make_store):
    stores = [make_store() for _ in range(4)]
    results: list[tuple] = []
    barrier = threading.Barrier(len(stores))

    def begin(store: Store) -> None:
        barrier.wait()
        results.append(store.begin_run("s", every=3600, force=False))

    threads = [threading.Thread(target=begin, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r[0].id for r in results}) == 1
    assert sorted(r[1] for r in results) == [False, True, True, True]  # one started, 3 joined
    store = stores[0]
    store.finish_run(results[0][0].id, "finished")
    assert store.begin_run("s", every=3600, force=False) is None  # `every` honoured once
    again = store.begin_run("s", every=3600, force=True)
    assert again is not None and again[1] is False
    assert store.begin_run("s", every=0.001, force=False) == (store.open_run("s"), True)


def test_finish_waits_for_other_workers_leases(make_store):
    one, two = make_store(), make_store()
    run = one.start_run("s")
    one.enqueue([_item(run.id, f"{H}/1")])
    [item] = two.claim(run.id, H, limit=1, owner="w2", lease=60)
    assert one.finish_run(run.id, "finished").status == "running"
    two.complete(item, "new")
    assert two.finish_run(run.id, "finished").status == "finished"


def test_give_up_returns_a_workers_leases(make_store):
    one, two = make_store(), make_store()
    run = one.start_run("s")
    one.enqueue([_item(run.id, f"{H}/{i}") for i in range(3)])
    assert len(one.claim(run.id, H, limit=3, owner="w1", lease=60, max_pages=10)) == 3
    one.give_up("w1")
    assert one.pages_claimed(run.id) == 0
    assert len(two.claim(run.id, H, limit=3, owner="w2", lease=60, max_pages=10)) == 3


def test_many_workers_claim_every_url_once(make_store):
    stores = [make_store() for _ in range(4)]
    run = stores[0].start_run("s")
    hosts = [f"http://h{i}" for i in range(5)]
    stores[0].enqueue([_item(run.id, f"{h}/{n}") for h in hosts for n in range(20)])
    claimed: list[str] = []

    def work(store: Store, owner: str) -> None:
        while True:
            batch = [
                item
                for h in hosts
                for item in store.claim(run.id, h, limit=3, owner=owner, lease=60)
            ]
            if not batch:
                return
            for item in batch:
                store.complete(item, "new")
                claimed.append(item.url)

    threads = [threading.Thread(target=work, args=(s, f"w{i}")) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 100 and len(set(claimed)) == 100


def test_host_slots_hold_delay_and_per_host_across_workers(make_store):
    one, two = make_store(), make_store()
    slot, wait = one.acquire_host(H, owner="w1", per_host=1, delay=1.0, lease=60)
    assert slot and wait == 0
    slot2, wait2 = two.acquire_host(H, owner="w2", per_host=1, delay=1.0, lease=60)
    assert slot2 == 0 and 0.5 < wait2 <= 1.0  # the delay since w1 started
    time.sleep(1.05)
    assert two.acquire_host(H, owner="w2", per_host=1, delay=1.0, lease=60)[0] == 0  # busy
    one.release_host(H, slot, delay=1.0)
    slot3, wait3 = two.acquire_host(H, owner="w2", per_host=1, delay=1.0, lease=60)
    assert slot3 == 0 and 0.5 < wait3 <= 1.0  # the delay since w1's request ended
    # two slots per host, no delay
    a = one.acquire_host("http://g", owner="w1", per_host=2, delay=0, lease=60)
    b = two.acquire_host("http://g", owner="w2", per_host=2, delay=0, lease=60)
    c = two.acquire_host("http://g", owner="w2", per_host=2, delay=0, lease=60)
    assert a[0] and b[0] and c[0] == 0


def test_a_dead_workers_host_slot_lapses(make_store):
    one, two = make_store(), make_store()
    assert one.acquire_host(H, owner="w1", per_host=1, delay=0, lease=1.0)[0]
    assert two.acquire_host(H, owner="w2", per_host=1, delay=0, lease=60)[0] == 0
    time.sleep(1.1)
    assert two.acquire_host(H, owner="w2", per_host=1, delay=0, lease=60)[0]


def test_retry_after_and_robots_are_shared(make_store):
    one, two = make_store(), make_store()
    one.push_back(H, 30)
    slot, wait = two.acquire_host(H, owner="w2", per_host=1, delay=0, lease=60)
    assert slot == 0 and 29 < wait <= 30
    assert two.host(H).backoff_until - two.now() > 29
    # robots.txt: one worker fetches it, the others wait for its result
    assert one.begin_robots("http://r", owner="w1", lease=60)
    assert not two.begin_robots("http://r", owner="w2", lease=60)
    assert one.begin_robots("http://r", owner="w1", lease=60)  # still ours
    one.save_robots("http://r", status=200, body="User-agent: *\n", fetched_at=5.0)
    state = two.host("http://r")
    assert (state.robots_status, state.robots_body, state.robots_fetched_at) == (
        200,
        "User-agent: *\n",
        5.0,
    )
    assert two.host(H).robots_status is None  # the pushback left robots alone


def test_mark_and_redirected_are_done_in_the_run(store: Store):
    run = store.start_run("s")
    assert store.mark([_item(run.id, f"{H}/old")], "skipped") == 1
    store.enqueue([_item(run.id, f"{H}/a"), _item(run.id, f"{H}/b")])
    [a, b] = store.claim(run.id, H, limit=2, owner="w", lease=60, max_pages=10)
    assert store.pages_claimed(run.id) == 2
    store.redirected(a, f"{H}/b")
    assert store.pages_claimed(run.id) == 1  # /b will not be fetched: off the budget
    store.complete(a, "new")
    with pytest.raises(LeaseLost):
        store.complete(b, "new")  # /b was done by the redirect meanwhile
    assert store.pending_count(run.id) == 0
    assert store.counts(run.id)["skipped"] == 1
    assert store.done_count(run.id, ("page",)) == 2  # the page and where it redirected


def test_pending_hosts_are_listed_a_page_at_a_time_in_host_order(store: Store):
    run = store.start_run("s")
    hosts = [f"http://h{n}" for n in range(5)]
    store.enqueue([_item(run.id, f"{h}/p") for h in hosts])
    assert list(store.pending_hosts(run.id, limit=2)) == hosts[:2]
    assert list(store.pending_hosts(run.id, after=hosts[1], limit=2)) == hosts[2:4]
    assert list(store.pending_hosts(run.id, after=hosts[3], limit=2)) == hosts[4:]
    assert list(store.pending_hosts(run.id)) == hosts


def test_max_sitemaps_is_counted_in_the_store_for_every_worker(make_store):
    one, two = make_store(), make_store()
    run = one.start_run("s")
    maps = [_item(run.id, f"{H}/s{n}.xml", "sitemap") for n in range(6)]
    assert one.add_sitemaps(run.id, maps[:3], limit=4) == (3, 0)
    # known ones are not counted again; of the new ones, one fits
    assert two.add_sitemaps(run.id, maps[1:5], limit=4) == (1, 1)
    assert one.add_sitemaps(run.id, maps, limit=4) == (0, 2)  # s4 and s5
    assert one.pending_count(run.id) == 4


def test_site_samples_are_bounded_and_the_template_kept(make_store):
    store = make_store()
    for n in range(12):
        size = store.add_sample("s", f"https://a.example/{n}", f"fp{n}", keep=5)
    assert size == 5
    assert sorted(store.samples("s")) == sorted(f"fp{n}" for n in range(7, 12))
    assert store.add_sample("s", "https://a.example/11", "again", keep=5) == 5  # replaced
    assert "again" in store.samples("s") and store.samples("other") == []
    assert store.template("s") is None
    store.save_template("s", '{"version": 1}', 5)
    store.save_template("s", '{"version": 1, "pages": 6}', 6)
    store.close()
    again = make_store()  # kept across connections (and, for PostgreSQL, workers)
    assert again.template("s") == '{"version": 1, "pages": 6}'
    assert len(again.samples("s")) == 5
    again.close()
