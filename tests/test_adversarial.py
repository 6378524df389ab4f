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
