"""Issue 16's fault fixes where they meet the store (item 6 on items 1–5): the page budget,
Retry-After pushback and redirect hops, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import pytest

from scraper.crawl.store import open_store

from .conftest import article, hub, settings
from .server import Reply
from .test_crawl import TEXT, gaps, site
from .test_faults import run_json


@pytest.fixture(params=["sqlite", "postgres"])
def store_spec(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_dsn"))
    return "sqlite"


def test_redirect_hops_and_a_capped_retry_after_go_through_the_store(
    server, write_config, tmp_path, store_spec
):
    calls: list[float] = []

    def throttled(req):
        calls.append(req.at)
        if len(calls) == 1:
            return Reply(503, "busy", {"Retry-After": "1", **TEXT})
        return Reply(body=article("Throttled"))

    server.routes["/"] = Reply(body=hub(["/r0", "/t"]))
    for i in range(2):
        server.routes[f"/r{i}"] = Reply(302, "", {"Location": f"/r{i + 1}"})
    server.routes["/r2"] = Reply(body=article("End of the chain"))
    server.routes["/t"] = throttled
    config = (
        settings(tmp_path, delay=0.3, fetch={"retry_after_cap": 1})
        + "sites:\n"
        + site("s", "127.0.0.1", start=[server.url("/")])
    )

    code, runs, err = run_json(write_config, config, "--store", store_spec)

    assert code == 0, err
    assert runs["s"]["counts"]["new"] == 2 and runs["s"]["counts"]["failed"] == 0
    assert [p for p in server.paths() if p[:2] == "/r" and p[2:].isdigit()] == ["/r0", "/r1", "/r2"]
    assert min(gaps(server.requests())) >= 0.3  # every hop waited the host's delay
    # within the cap: waited for (beyond it the host is deferred: test_faults.py)
    assert len(calls) == 2 and 1.0 <= calls[1] - calls[0] < 3
    store = open_store(store_spec, tmp_path / "state")
    try:
        host = store.host(f"http://127.0.0.1:{server.port}")
        assert host.backoff_until < store.now() + 1  # the next run is not blocked either
    finally:
        store.close()


def test_a_retried_page_gives_its_place_in_the_budget_back(
    server, write_config, tmp_path, store_spec
):
    answers = iter([Reply(500, "oops", TEXT)])

    def flaky(req):
        return next(answers, None) or Reply(body=article("Flaky"))

    server.routes["/"] = Reply(body=hub(["/a", "/b", "/c"]))
    server.routes["/a"] = flaky
    server.routes["/b"] = Reply(body=article("B"))
    server.routes["/c"] = Reply(body=article("C"))
    config = (
        settings(tmp_path)
        + "sites:\n"
        + site("s", "127.0.0.1", start=[server.url("/")], max_pages=2)
    )

    code, runs, err = run_json(write_config, config, "--store", store_spec)

    assert code == 0, err
    counts = runs["s"]["counts"]
    assert counts["new"] == 2 and counts["failed"] == 0 and counts["queued"] == 1
    # The retry's wait freed its place (the store's count of pages claimed), so another page
    # may take it; two pages in all, the third left for the next run.
    assert server.paths().count("/a") >= 1
