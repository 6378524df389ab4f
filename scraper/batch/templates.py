"""Site templates for ``scraper clean --templates``: each site's template learned from the
pages given, before they are cleaned with it.

A page's site is its address's host (a WARC record's target, a fetched URL); a saved page
without one is of the site its own canonical address names (``<link rel=canonical>``,
``og:url``), else of the folder it is in. Of each site's pages a bounded sample of
fingerprints is kept, as a crawl keeps it (``crawl.template_sample``, chosen evenly over the
site's pages in the order given, by reservoir sampling with a fixed seed: the same input
gives the same sample), and a site with at least ``crawl.template_pages`` pages that share
some chrome gets a template. The sample's draw needs only a page's site, so a page is
fingerprinted only when it is drawn: of a site's N pages, about k(1 + ln(N/k)) of them for a
sample of k (a page with an address is not even read otherwise; a saved page is parsed for
its canonical address). A page that cannot be read or parsed is left out of the sample; the
cleaning pass reports it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from selectolax.lexbor import LexborHTMLParser

from scraper.batch.failure import guarded
from scraper.batch.inputs import Job, read_capped_file
from scraper.errors import ScraperError
from scraper.page.metadata import read_page_info
from scraper.page.urls import url_host
from scraper.site.fingerprint import PageFingerprint, walk_tree
from scraper.site.learn import page_tree
from scraper.site.template import SiteTemplate, learn_from_fingerprints

__all__ = ["SiteSample", "SiteTemplates", "learn_site_templates"]


@dataclass
class SiteSample:
    """A site's pages seen, and a bounded sample of their fingerprints (with the readable
    paths of their blocks, for the template's container)."""

    size: int
    seen: int = 0
    prints: list[PageFingerprint] = field(default_factory=list)
    paths: dict[int, str] = field(default_factory=dict)

    def draw(self, rnd: random.Random) -> int | None:
        """Count one more page of the site; where in the sample it goes (reservoir
        sampling: every page seen so far equally likely to be in it), None for nowhere."""
        self.seen += 1
        if len(self.prints) < self.size:
            return len(self.prints)
        slot = rnd.randrange(self.seen)
        return slot if slot < self.size else None

    def put(self, slot: int, print_: PageFingerprint, paths: dict[int, str]) -> None:
        """The page drawn for ``slot``, with the readable paths of its blocks."""
        if slot < len(self.prints):
            self.prints[slot] = print_
        else:  # (a page drawn but unreadable leaves its place to the next)
            self.prints.append(print_)
        for path, text in paths.items():
            self.paths.setdefault(path, text)


@dataclass
class SiteTemplates:
    """The templates learned, by site; each page's site, by its source; pages seen a site."""

    templates: dict[str, SiteTemplate] = field(default_factory=dict)
    sites: dict[str, str] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)

    def for_job(self, job: Job) -> SiteTemplate | None:
        """The template of the job's page's site; None when it has none."""
        site = self.sites.get(job.source)
        return self.templates.get(site) if site is not None else None


def learn_site_templates(
    jobs: Iterable[Job], *, max_bytes: int, sample: int, min_pages: int
) -> SiteTemplates:
    """The templates of the sites of ``jobs`` that have ``min_pages`` pages or more, each
    learned from at most ``sample`` of its pages."""
    samples: dict[str, SiteSample] = {}
    learned = SiteTemplates()
    rnd = random.Random(0)
    for job in jobs:
        if job.error is not None:
            continue
        site, tree = url_host(job.url), None
        if site is None:  # a saved page: of the site its canonical address names
            try:
                tree = guarded(job.source, partial(_tree, job, max_bytes))
            except ScraperError:
                continue
            if tree is None:
                continue
            site = _site(job, tree)
        learned.sites[job.source] = site
        site_sample = samples.setdefault(site, SiteSample(sample))
        slot = site_sample.draw(rnd)
        if slot is None:
            continue
        try:
            read = guarded(job.source, partial(_fingerprint, job, max_bytes, tree))
        except ScraperError:
            continue
        if read is not None:
            site_sample.put(slot, *read)
    for name, site_sample in samples.items():
        learned.seen[name] = site_sample.seen
        if site_sample.seen < min_pages:
            continue
        try:
            template = learn_from_fingerprints(
                site_sample.prints, paths=site_sample.paths, site=name
            )
        except ScraperError:  # fewer than two distinct pages
            continue
        if not template.empty:  # (pages that share nothing: of different sites)
            learned.templates[name] = template
    return learned


def _tree(job: Job, max_bytes: int) -> LexborHTMLParser | None:
    """The job's page parsed; None for what is not a page."""
    body = read_capped_file(job.path, max_bytes=max_bytes) if job.path else job.body or b""
    return page_tree(body, job.charset)


def _fingerprint(
    job: Job, max_bytes: int, tree: LexborHTMLParser | None
) -> tuple[PageFingerprint, dict[int, str]] | None:
    """The page's fingerprint and readable paths (``tree``: the page, when parsed already);
    None for what is not a page."""
    tree = tree if tree is not None else _tree(job, max_bytes)
    if tree is None:
        return None
    walk = walk_tree(tree)
    paths = {e.path: p for e, p in zip(walk.elements, walk.paths, strict=True)}
    return walk.fingerprint(), paths


def _site(job: Job, tree: LexborHTMLParser) -> str:
    """The page's address's host; else its canonical address's; else its folder."""
    host = url_host(job.url) or url_host(read_page_info(tree).canonical_url)
    if host:
        return host
    return f"{job.path.parent}/" if job.path is not None else "<stdin>"
