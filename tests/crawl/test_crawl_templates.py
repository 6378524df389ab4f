"""The crawl learns each site's template as it goes (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import json
import random

from scraper.crawl.store import SQLiteStore
from scraper.site import SiteTemplate
from scraper.site.fingerprint import PageFingerprint

from .conftest import hub, settings
from .server import Reply

# A promotion inside the story's own container, the same on every page: chrome that the
# generic cleaner keeps (it reads as prose).
PROMO = (
    "Join thousands of readers who start their day with our newsletter, a short and friendly "
    "summary of the local news, the weather and the events of the week ahead, sent at dawn."
)
WORDS = ["quay", "tram", "orchard", "mayor", "ferry", "bakery", "chapel", "valley", "miners"]


def story(n: int) -> list[str]:
    rnd = random.Random(n)
    return [" ".join(rnd.choice(WORDS) for _ in range(30)).capitalize() + "." for _ in range(5)]


def page(n: int, *, layout: str = "old") -> str:
    body = "".join(f"<p>{p}</p>" for p in story(n))
    if layout == "new":
        return f"<html><body><main><section class='piece'>{body}</section></main></body></html>"
    return (
        f"<html><head><title>Story {n}</title></head><body>"
        "<div id='top'><ul class='menu'><li><a href='/'>Home</a></li></ul></div>"
        f"<div id='main'><div class='story'><h1>Story {n}</h1><p class='promo'>{PROMO}</p>"
        f"{body}</div></div><div id='foot'><p>The Quay Gazette, 2026</p></div></body></html>"
    )


def site_config(tmp_path, server, **extra: object) -> str:
    rule = {"hosts": ["127.0.0.1"], "start": [server.url("/")], "max_pages": 50}
    return settings(tmp_path, **extra) + f"sites:\n  gazette: {json.dumps(rule)}\n"


def outputs(tmp_path) -> dict[str, dict]:
    lines = []
    for path in sorted((tmp_path / "out" / "_runs").glob("*.jsonl")):
        lines += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {line["url"]: line for line in lines}


def test_a_crawl_learns_the_template_and_cleans_the_next_pages_without_its_chrome(
    server, crawl, tmp_path
):
    links = [f"/a/{n}" for n in range(1, 21)]
    server.routes["/"] = Reply(body=hub(links))
    for n in range(1, 21):
        server.routes[f"/a/{n}"] = Reply(body=page(n))
    config = site_config(tmp_path, server, format="json")

    code, counts, _stderr = crawl(config)

    assert code == 0
    assert counts["gazette"]["new"] == 20
    store = SQLiteStore(tmp_path / "state")
    template = SiteTemplate.from_json(store.template("gazette") or "")
    samples = store.samples("gazette")
    store.close()
    assert template.pages >= 5
    assert len(samples) == 8  # the bounded sample: crawl.template_sample
    assert all(PageFingerprint.unpack(s).elements for s in samples)
    assert sum(len(s) for s in samples) < 8 * 2000  # numbers, not pages
    pages = outputs(tmp_path)
    assert len(pages) == 20
    used = [p for p in pages.values() if p["cleaned_with"] == "template"]
    # the first pages teach it, the pages after are cleaned with it
    assert len(used) >= 10
    for line in used:
        assert "Join thousands of readers" not in line["text"]
        n = int(line["url"].rsplit("/", 1)[1])
        assert story(n)[0] in line["text"]


def test_a_changed_layout_is_drift_and_templates_can_be_turned_off(server, crawl, tmp_path):
    links = [f"/a/{n}" for n in range(1, 13)]
    server.routes["/"] = Reply(body=hub(links))
    for n in range(1, 13):
        server.routes[f"/a/{n}"] = Reply(body=page(n))
    config = site_config(tmp_path, server, format="json")
    assert crawl(config)[0] == 0
    store = SQLiteStore(tmp_path / "state")
    before = store.template("gazette")
    store.close()
    assert before
    for n in range(1, 13):  # the site moves to a new layout
        server.routes[f"/a/{n}"] = Reply(body=page(n + 100, layout="new"))

    code, _counts, stderr = crawl(config, "--force")

    assert code == 0
    assert "does not fit the site's template" in stderr
    changed = [p for p in outputs(tmp_path).values() if p.get("status") == "changed"]
    drifted = [p for p in changed if p["template_note"]]
    # the pages that did not fit were cleaned without it, until enough pages of the new
    # layout taught the crawl the new template
    assert len(drifted) >= 3
    assert all(p["cleaned_with"] == "generic" for p in drifted)
    assert all(story(int(p["url"].rsplit("/", 1)[1]) + 100)[0] in p["text"] for p in drifted)
    store = SQLiteStore(tmp_path / "state")
    relearned = store.template("gazette")
    store.close()
    assert relearned and relearned != before

    off = tmp_path / "off"
    off.mkdir()
    code, _counts, _ = crawl(site_config(off, server, templates=False, format="json"))
    assert code == 0
    store = SQLiteStore(off / "state")
    assert store.template("gazette") is None and store.samples("gazette") == []
    store.close()


def test_the_summary_reports_the_template_per_site(server, crawl, tmp_path):
    links = [f"/a/{n}" for n in range(1, 9)]
    server.routes["/"] = Reply(body=hub(links))
    for n in range(1, 9):
        server.routes[f"/a/{n}"] = Reply(body=page(n))
    code, _counts, _ = crawl(site_config(tmp_path, server))
    assert code == 0
    from click.testing import CliRunner

    from scraper.cli import main

    result = CliRunner().invoke(
        main, ["crawl", "--config", str(tmp_path / "config.yaml"), "--json", "--force"]
    )
    [run] = json.loads(result.stdout)["runs"]
    assert run["template"]["pages"] >= 5
    assert run["template"]["cleaned"] >= 5  # a second run: every page with the stored template
    assert run["template"]["drift"] == 0
