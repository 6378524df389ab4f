"""``python -m scraper.bench NAME [OPTIONS]``: the one entry for every benchmark.

``dev`` is ``scraper bench`` (WCXB-dev and trafilatura-eval beside trafilatura); ``clean``
batch cleaning speed; ``decode`` decoding of pages that declare no charset; ``crawl`` the
crawl (``crawl frontier``, ``crawl idle``); ``serve`` ``scraper serve`` under load. Each
writes its own section of a report.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["main"]


def _dev(argv: list[str]) -> None:
    from scraper.cli.bench_cmd import bench_command

    bench_command.main(argv, prog_name="python -m scraper.bench dev")


def _clean(argv: list[str]) -> None:
    from scraper.bench.clean import main as clean_main

    sys.exit(clean_main(argv))


def _decode(argv: list[str]) -> None:
    from scraper.bench.decode import main as decode_main

    sys.exit(decode_main(argv))


def _crawl(argv: list[str]) -> None:
    if argv[:1] == ["frontier"]:
        from scraper.bench.crawl_frontier import main as frontier_main

        frontier_main(argv[1:])
    elif argv[:1] == ["idle"]:
        from scraper.bench.crawl_idle import main as idle_main

        idle_main(argv[1:])
    else:
        from scraper.bench.crawl import main as crawl_main

        crawl_main(argv)


def _stress(argv: list[str]) -> None:
    from scraper.bench.stress import main as stress_main

    sys.exit(stress_main(argv))


def _serve(argv: list[str]) -> None:
    from scraper.bench.serve import main as serve_main

    sys.exit(serve_main(argv))


BENCHES: dict[str, Callable[[list[str]], None]] = {
    "stress": _stress,
    "dev": _dev,
    "clean": _clean,
    "decode": _decode,
    "crawl": _crawl,
    "serve": _serve,
}


def main(argv: list[str] | None = None) -> None:
    given = list(sys.argv[1:] if argv is None else argv)
    if not given or given[0] not in BENCHES:
        names = ", ".join(BENCHES)
        sys.exit(f"usage: python -m scraper.bench NAME [OPTIONS], NAME one of {names}\n{__doc__}")
    BENCHES[given[0]](given[1:])


if __name__ == "__main__":
    main()
