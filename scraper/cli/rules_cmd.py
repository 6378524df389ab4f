"""``scraper rules learn``: a site rule proposed from pages of the site, to review and commit."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

import click

from scraper.batch.inputs import expand_sources, read_capped_file
from scraper.config import load_config
from scraper.errors import InputError

__all__ = ["rules_group"]

_NAME = re.compile(r"[^a-z0-9]+")


@click.group("rules")
def rules_group() -> None:
    """Site rules learned from the site's own pages."""


@rules_group.command("learn")
@click.argument("sources", nargs=-1)
@click.option("--site", help="Name of the site rule (default: from the pages' host).")
@click.option(
    "--host",
    "hosts",
    multiple=True,
    help="Host the rule matches (repeatable; default: the pages' hosts).",
)
@click.option(
    "--from-crawl",
    "from_crawl",
    metavar="SITE",
    help="Learn from the pages the crawl archived for SITE (crawl.warc: true).",
)
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (for --from-crawl's output_dir and the size cap).",
)
def learn_command(
    sources: tuple[str, ...],
    site: str | None,
    hosts: tuple[str, ...],
    from_crawl: str | None,
    config_path: str | None,
) -> None:
    """Print a proposed site rule (YAML for config.yaml) learned from SOURCES: pages,
    folders of pages or WARC files of one site. Each selector comes with its evidence.

    Exit 0: a rule printed; 4: bad input (fewer than two pages, a missing file); 2: usage.
    """
    from scraper.site.rules import propose_rule

    config = load_config(config_path) if (config_path or from_crawl) else None
    max_bytes = config.fetch.max_bytes if config else 10_000_000
    given = list(sources)
    if from_crawl:
        assert config is not None
        folder = config.crawl.output_dir / "_warc"
        name = _NAME.sub("-", from_crawl.lower())
        archives = sorted(folder.glob(f"*{name}-*.warc.gz")) if folder.is_dir() else []
        if not archives:
            raise InputError(
                f"{folder}: no archived pages of site {from_crawl} (crawl with crawl.warc: true)"
            )
        given += [str(p) for p in archives]
        site = site or from_crawl
    if not given:
        raise click.UsageError("give pages, folders or WARC files, or --from-crawl SITE")
    pages: list[tuple[bytes, str | None]] = []
    for job in expand_sources(given, max_bytes=max_bytes):
        if job.error is not None:
            raise job.error
        body = job.body if job.body is not None else None
        if body is None and job.path is not None:
            body = read_capped_file(job.path, max_bytes=max_bytes)
        if body:
            pages.append((body, job.url))
    found = Counter(urlsplit(u).hostname for _b, u in pages if u and urlsplit(u).hostname)
    if not hosts:
        hosts = tuple(h for h, _n in found.most_common() if h)
    if not hosts:
        raise InputError("rules learn: the pages carry no URL: name the site's host with --host")
    name = site or _NAME.sub("-", hosts[0].removeprefix("www.")).strip("-")
    rule = propose_rule(pages, site=name, hosts=hosts)
    click.echo(rule.to_yaml(), nl=False)
