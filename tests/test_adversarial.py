"""Hostile pages (the stress benchmark's, made small): each cleans or is refused clearly."""

from __future__ import annotations

import contextlib
import random

import pytest

import scraper
from scraper.bench.stress import generated_pages, mutate

PAGES = dict(generated_pages(scale=0.01))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_hostile_page_cleans_or_is_refused_with_a_scraper_error(name):
    page = PAGES[name]()
    try:
        doc = scraper.clean(page, "https://stress.example/page")
    except scraper.ScraperError as exc:  # a clear, one-line refusal
        assert "\n" not in str(exc)
    else:
        assert doc.text


def test_mutated_pages_never_crash():
    base = (
        "<html><head><title>T</title></head><body><nav><a href='/'>Home</a></nav><article>"
        + "<p>A plain sentence of article text that a reader reads. </p>" * 20
        + "</article><footer>© Site</footer></body></html>"
    ).encode()
    rnd = random.Random(7)
    for _ in range(40):
        page = mutate(base, rnd)
        with contextlib.suppress(scraper.ScraperError):
            scraper.clean(page, "https://stress.example/page")


BAD_ADDRESSES = ("http://[not an address]/x", "https://[::1/x", "http://h:99999999/x")


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_a_link_urllib_cannot_parse_is_dropped_not_a_crash(address):
    """(Found by the mutated-page run: a bracketed host that is no IPv6 address made
    ``urljoin`` raise.) The link's text stays; the address, which no browser could follow,
    goes."""
    body = "<p>A plain sentence of article text that a reader reads. </p>" * 8
    html = (
        f"<html><head><base href='{address}'></head><body><article>{body}"
        f"<p>See <a href='{address}'>the report</a> and <a href='/ok'>this</a>.</p>"
        "</article></body></html>"
    )
    doc = scraper.clean(html, "https://example.com/page")
    assert "the report" in doc.text
    hrefs = [s.href for b in doc.blocks for s in getattr(b, "spans", ()) if s.href]
    assert all("[" not in h for h in hrefs)
    from scraper.crawl.discover import page_links

    links = page_links(html, doc.url or "")
    assert links and all("[" not in link for link in links)


def test_a_page_address_urllib_cannot_parse_still_cleans():
    body = "<p>A plain sentence of article text that a reader reads. </p>" * 8
    doc = scraper.clean(f"<html><body><article>{body}</article></body></html>", "http://[x]/a")
    assert "plain sentence" in doc.text
