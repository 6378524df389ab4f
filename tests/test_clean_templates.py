"""`scraper clean --templates`: each site's template learned from the pages given, then its
pages cleaned with it (folders, WARC archives of several sites, URL lists fetched once)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_clean_many import _warc
from test_site_templates import _story

import scraper
from scraper.cli import main


def house(site: str) -> str:
    """A line of the site's own, in its story's box on every page: prose no vocabulary knows."""
    return (
        f"The {site.title()} has been owned by the people of the valley since the winter of "
        "its founding, and its reporters answer to them alone."
    )


HOUSE = house("gazette")


def page(seed: int, site: str = "gazette") -> str:
    body = "".join(f"<p>{p}</p>" for p in _story(seed))
    return (
        f"<html><head><title>Story {seed}</title></head><body>"
        f"<div id='top'><ul><li><a href='/'>{site} home</a></li><li><a href='/w'>World</a>"
        f"</li></ul></div><div id='main'><div class='story'><h1>Story {seed}</h1>{body}"
        f"<p class='house'>{house(site)}</p></div></div>"
        "</body></html>"
    )


def run(*args: str):
    return CliRunner().invoke(main, ["clean", *args])


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_a_folder_of_one_sites_pages_is_cleaned_with_their_template(tmp_path):
    for seed in range(1, 7):
        (tmp_path / f"{seed}.html").write_text(page(seed), encoding="utf-8")
    generic = lines(run(str(tmp_path), "--jobs", "1").stdout)
    assert all(HOUSE in r["text"] for r in generic)  # the generic cleaner keeps the line
    result = run(str(tmp_path), "--templates", "--jobs", "2")
    assert result.exit_code == 0, result.output
    records = lines(result.stdout)
    assert len(records) == 6
    for seed, record in enumerate(records, start=1):
        assert record["cleaned_with"] == "template" and record["template_note"] is None
        assert HOUSE not in record["text"]
        assert all(p in record["text"] for p in _story(seed))
    # saved pages without an address: the pages of one folder are one site
    assert f"template: {tmp_path}/: learned from 6 of 6 pages; 6 cleaned" in result.stderr


def test_a_warc_of_two_sites_learns_a_template_each(tmp_path):
    pages = [
        (f"https://{site}.example/a/{seed}", page(seed, site).encode(), "text/html")
        for site in ("gazette", "courier")
        for seed in range(1, 6)
    ]
    pages.append(("https://lonely.example/a", page(99, "lonely").encode(), "text/html"))
    archive = tmp_path / "crawl.warc.gz"
    _warc(archive, pages)
    result = run(str(archive), "--templates", "--jobs", "1")
    assert result.exit_code == 0, result.output
    records = lines(result.stdout)
    by_host = {r["url"]: r for r in records}
    for site in ("gazette", "courier"):
        record = by_host[f"https://{site}.example/a/3"]
        assert record["cleaned_with"] == "template"
        assert house(site) not in record["text"]  # the site's own line, learned
    assert by_host["https://lonely.example/a"]["cleaned_with"] == "generic"
    assert "template: gazette.example: learned from 5 of 5 pages; 5 cleaned with it" in (
        result.stderr
    )
    assert "template: lonely.example: 1 page, fewer than crawl.template_pages (5)" in (
        result.stderr
    )


def test_urls_are_fetched_once_for_both_passes(httpx_mock, tmp_path):
    for seed in range(1, 6):
        httpx_mock.add_response(
            url=f"https://gazette.example/a/{seed}",
            text=page(seed),
            headers={"Content-Type": "text/html"},
        )
    httpx_mock.add_response(url="https://gazette.example/robots.txt", status_code=404)
    config = tmp_path / "config.yaml"
    config.write_text("crawl:\n  delay: 0\n", encoding="utf-8")
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "\n".join(f"https://gazette.example/a/{s}" for s in range(1, 6)), encoding="utf-8"
    )
    result = run("-i", str(urls), "--templates", "--config", str(config), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert [r["cleaned_with"] for r in lines(result.stdout)] == ["template"] * 5
    fetched = [str(r.url) for r in httpx_mock.get_requests()]
    assert sorted(fetched) == sorted(
        ["https://gazette.example/robots.txt"]
        + [f"https://gazette.example/a/{s}" for s in range(1, 6)]
    )


def test_templates_need_many_pages():
    result = run("page.html", "--templates")
    assert result.exit_code == 2
    assert "--templates learns from many pages of a site" in result.output


def test_the_api_gives_the_same_text_as_the_command(tmp_path):
    # what --templates does is what learn_template and clean(template=) do
    given = [(page(s), None) for s in range(1, 7)]
    template = scraper.learn_template(given)
    for seed in range(1, 7):
        (tmp_path / f"{seed}.html").write_text(page(seed), encoding="utf-8")
    records = lines(run(str(tmp_path), "--templates", "--jobs", "1").stdout)
    for seed, record in enumerate(records, start=1):
        assert record["text"] == scraper.clean(page(seed), template=template).text


def test_a_site_whose_pages_share_nothing_gets_no_template(tmp_path):
    names = ("alpha", "bravo", "charlie", "delta", "echo")
    pages = [
        (
            f"https://mixed.example/{n}",
            f"<html><body><div id='{n}'><h1>Story {n}</h1>"
            + "".join(f"<p>{p}</p>" for p in _story(i))
            + "</div></body></html>",
        )
        for i, n in enumerate(names)
    ]
    archive = tmp_path / "mixed.warc.gz"
    _warc(archive, [(url, html.encode(), "text/html") for url, html in pages])
    result = run(str(archive), "--templates", "--jobs", "1")
    assert result.exit_code == 0, result.output
    records = lines(result.stdout)
    assert [r["cleaned_with"] for r in records] == ["generic"] * 5
    assert all(r["template_note"] is None for r in records)  # no template was offered
    assert "template: mixed.example: 5 pages" in result.stderr
    assert "pages that share no chrome: cleaned generically" in result.stderr


def test_saved_pages_are_of_the_site_their_canonical_address_names(tmp_path):
    # two sites' pages saved in one folder: each page names its own site
    for site in ("gazette", "courier"):
        for seed in range(1, 6):
            html = page(seed, site).replace(
                "<head>", f"<head><link rel='canonical' href='https://{site}.example/{seed}'>"
            )
            (tmp_path / f"{site}-{seed}.html").write_text(html, encoding="utf-8")
    result = run(str(tmp_path), "--templates", "--jobs", "1")
    assert result.exit_code == 0, result.output
    records = lines(result.stdout)
    assert [r["cleaned_with"] for r in records] == ["template"] * 10
    assert not any(house("gazette") in r["text"] or house("courier") in r["text"] for r in records)
    assert "template: courier.example: learned from 5 of 5 pages; 5 cleaned with it" in (
        result.stderr
    )
    assert "template: gazette.example: learned from 5 of 5 pages; 5 cleaned with it" in (
        result.stderr
    )


def test_only_the_pages_drawn_for_the_sample_are_fingerprinted(monkeypatch):
    # the sample's draw needs a page's site only (its address's host): a page not drawn
    # is never parsed, and the template is learned from the pages drawn
    from scraper.batch import templates as batch_templates
    from scraper.batch.inputs import Job

    walked = []
    walk = batch_templates.walk_tree
    monkeypatch.setattr(batch_templates, "walk_tree", lambda tree: walked.append(1) or walk(tree))
    urls = [f"https://gazette.example/a/{s}" for s in range(1, 61)]
    jobs = [Job(u, url=u, body=page(s).encode()) for s, u in enumerate(urls, 1)]
    learned = batch_templates.learn_site_templates(jobs, max_bytes=10**7, sample=4, min_pages=5)
    assert learned.seen == {"gazette.example": 60}
    assert 4 <= len(walked) < 30  # about 4 (1 + ln 15) pages of 60
    template = learned.for_job(jobs[0])
    assert template is not None and template.pages == 4
    cleaned = scraper.clean(page(99), "https://gazette.example/a/99", template=template)
    assert cleaned.cleaned_with == "template" and HOUSE not in cleaned.text
