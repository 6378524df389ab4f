"""Site templates for ``scraper clean --templates``: each site's template learned from the
pages given, before they are cleaned with it.

A page's site is its address's host (a WARC record's target, a fetched URL); pages without
an address (saved files) are one site. Of each site's pages a bounded sample of fingerprints
is kept, as a crawl keeps it (``crawl.template_sample``, chosen evenly over the site's pages
in the order given, by reservoir sampling with a fixed seed: the same input gives the same
sample), and a site with at least ``crawl.template_pages`` pages gets a template. A page
that cannot be read or parsed is left out of the sample; the cleaning pass reports it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from scraper.batch.failure import guarded
from scraper.batch.inputs import Job, read_capped_file
from scraper.errors import ScraperError
from scraper.page.urls import url_host
from scraper.site.fingerprint import PageFingerprint, walk_tree
from scraper.site.learn import page_tree
from scraper.site.template import SiteTemplate, learn_from_fingerprints

__all__ = ["SiteSample", "learn_site_templates", "site_of"]


def site_of(job: Job) -> str:
    """The site a page belongs to: its address's host; "" for pages without one."""
    return url_host(job.url) or ""


@dataclass
class SiteSample:
    """A site's pages seen, and a bounded sample of their fingerprints (with the readable
    paths of their blocks, for the template's container)."""

    size: int
    seen: int = 0
    prints: list[PageFingerprint] = field(default_factory=list)
    paths: dict[int, str] = field(default_factory=dict)

    def add(self, print_: PageFingerprint, paths: dict[int, str], rnd: random.Random) -> None:
        self.seen += 1
        if len(self.prints) < self.size:
            self.prints.append(print_)
        else:  # reservoir sampling: every page seen so far equally likely to be kept
            slot = rnd.randrange(self.seen)
            if slot >= self.size:
                return
            self.prints[slot] = print_
        for path, text in paths.items():
            self.paths.setdefault(path, text)


def learn_site_templates(
    jobs: Iterable[Job], *, max_bytes: int, sample: int, min_pages: int
) -> tuple[dict[str, SiteTemplate], dict[str, int]]:
    """The templates of the sites of ``jobs`` that have ``min_pages`` pages or more, each
    learned from at most ``sample`` of its pages; and, per site, the pages seen."""
    samples: dict[str, SiteSample] = {}
    rnd = random.Random(0)
    for job in jobs:
        if job.error is not None:
            continue
        try:
            walk = guarded(job.source, partial(_walk, job, max_bytes))
        except ScraperError:
            continue
        if walk is None:
            continue
        print_, paths = walk
        site = samples.setdefault(site_of(job), SiteSample(sample))
        site.add(print_, paths, rnd)
    templates: dict[str, SiteTemplate] = {}
    for name, site in samples.items():
        if site.seen < min_pages:
            continue
        try:
            template = learn_from_fingerprints(site.prints, paths=site.paths, site=name or None)
        except ScraperError:  # fewer than two distinct pages
            continue
        if not template.empty:  # (pages that share nothing: of different sites)
            templates[name] = template
    return templates, {name: site.seen for name, site in samples.items()}


def _walk(job: Job, max_bytes: int) -> tuple[PageFingerprint, dict[int, str]] | None:
    body = read_capped_file(job.path, max_bytes=max_bytes) if job.path else job.body or b""
    tree = page_tree(body, job.charset)
    if tree is None:
        return None
    walk = walk_tree(tree)
    paths = {e.path: p for e, p in zip(walk.elements, walk.paths, strict=True)}
    return walk.fingerprint(), paths
