"""``python -m scraper.bench stress``: hostile pages, each cleaned under a time and memory bound.

Two parts. *Generated*: pages built to break a cleaner (deep nesting, huge attribute lists,
100k siblings, one huge text node, NUL bytes, lone surrogates, mixed encodings, broken
entities, a ``<script>`` never closed, 50,000 links), each cleaned in a child process with
``RLIMIT_AS`` at the memory bound and killed past the time bound. *Mutated*: real pages of
``../shared/bench/`` with seeded random byte and tag mutations, counting crashes (anything but
a ``ScraperError``, or a dead child) and hangs (past the time bound). A crash is listed with its
seed, so that it reproduces.
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing as mp
import random
import resource
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from scraper.bench.section import write_section

__all__ = ["generated_pages", "main", "mutate"]

_SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "bench"
TEXT = "A plain sentence of article text that a reader would read to the end. "


def generated_pages(scale: float = 1.0) -> Iterator[tuple[str, Callable[[], str | bytes]]]:
    """(name, page maker) for every hostile page; ``scale`` shrinks them (for tests)."""

    def n(value: int) -> int:
        return max(10, int(value * scale))

    para = f"<p>{TEXT * 5}</p>"
    yield "divs 10,000 deep", lambda: "<div>" * n(10_000) + para + "</div>" * n(10_000)
    yield "unclosed <font> 10,000", lambda: "<font size=2>" * n(10_000) + para
    yield "lists 5,000 deep", lambda: "<ul><li>" * n(5_000) + para
    yield "tables 3,000 deep", lambda: "<table><tr><td>" * n(3_000) + para
    yield (
        "1M attributes",
        lambda: "<div " + " ".join(f"a{i}=x" for i in range(n(1_000_000))) + f">{para}</div>",
    )
    yield "100k siblings", lambda: "<div>" + "<span>x</span>" * n(100_000) + para + "</div>"
    yield "20 MB text node", lambda: "<p>" + "word " * n(4_000_000) + "</p>"
    yield "NUL bytes", lambda: (para + "\x00" * n(100_000) + para).encode("utf-8")
    yield "lone surrogates", lambda: para + "\ud800\udfff\udc00" * n(10_000) + para
    yield (
        "mixed encodings",
        lambda: (
            para.encode("utf-8")
            + "café é".encode("latin-1") * n(10_000)
            + "日本語".encode("shift_jis")
        ),
    )
    yield "broken entities", lambda: para + "&#xFFFFFFFF;&#0;&amp&lt;&#;&#x;&bogus;" * n(20_000)
    yield "<script> never closed", lambda: para + "<script>var a = '" + "x" * n(1_000_000)
    yield (
        "50,000 links",
        lambda: para + "".join(f"<a href='/p/{i}'>link {i}</a> " for i in range(n(50_000))),
    )


def mutate(page: bytes, rnd: random.Random) -> bytes:
    """``page`` with a few random byte edits and tag cuts, swaps and repeats."""
    data = bytearray(page)
    for _ in range(rnd.randint(1, 8)):
        if not data:
            break
        op = rnd.random()
        at = rnd.randrange(len(data))
        if op < 0.3:  # flip bytes
            for k in range(at, min(len(data), at + rnd.randint(1, 16))):
                data[k] = rnd.randrange(256)
        elif op < 0.5:  # cut a run out (a tag's end, a closing tag)
            del data[at : at + rnd.randint(1, 2_000)]
        elif op < 0.7:  # repeat a run (tags opened many times)
            run = bytes(data[at : at + rnd.randint(1, 200)])
            data[at:at] = run * rnd.randint(2, 300)
        elif op < 0.85:  # insert markup
            data[at:at] = rnd.choice(
                [b"<div>" * 500, b"<script>", b"<!--", b"<![CDATA[", b"\x00", b"<table><td>", b"&#"]
            )
        else:  # swap two runs
            other = rnd.randrange(len(data))
            a, b = sorted((at, other))
            data[a:b] = data[a:b][::-1]
    return bytes(data)


def _child(make: Callable[[], str | bytes] | bytes, memory: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    # The bound is on what cleaning adds: a forked child starts with its parent's address
    # space (the shared pages, held for the mutations), which must not count against it.
    import psutil

    start = psutil.Process().memory_info()
    resource.setrlimit(resource.RLIMIT_AS, (start.vms + memory, start.vms + memory))
    import scraper

    page = make() if callable(make) else make
    t0 = time.perf_counter()
    try:
        scraper.clean(page, "https://stress.example/page")
        outcome = "ok"
    except scraper.ScraperError as exc:
        outcome = f"rejected: {type(exc).__name__}"
    except BaseException as exc:  # what the bench counts: a crash
        outcome = f"crash: {type(exc).__name__}: {str(exc)[:120]}"
    peak = max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - start.rss)
    out.put((outcome, time.perf_counter() - t0, peak))


def _bounded(
    make: Callable[[], str | bytes] | bytes, seconds: float, memory: int
) -> tuple[str, float, int]:
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    child = ctx.Process(target=_child, args=(make, memory, out))
    start = time.perf_counter()
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.kill()
        child.join()
        return "hang", time.perf_counter() - start, 0
    if out.empty():
        return f"crash: child died ({child.exitcode})", time.perf_counter() - start, 0
    outcome, took, peak = out.get()
    return outcome, took, peak


def _real_pages(limit: int) -> list[bytes]:
    pages: list[bytes] = []
    for folder in ("wcxb-dev/html", "trafilatura-eval/html"):
        for path in sorted((_SHARED / folder).glob("*.gz"))[:limit]:
            pages.append(gzip.decompress(path.read_bytes()))
    for path in sorted((_SHARED / "readability-pages").glob("*/source.html"))[:limit]:
        pages.append(path.read_bytes())
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper.stressbench")
    parser.add_argument("--mutated", type=int, default=5000, help="mutated pages (0: none)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write the section into this report")
    args = parser.parse_args(argv)
    memory = args.memory_mb * 1024 * 1024
    lines = [
        "## Stress: hostile pages",
        "",
        f"Command: `python -m scraper.stressbench --mutated {args.mutated} --seed {args.seed}`. "
        f"Each page cleaned by `scraper.clean()` in a forked child process whose address "
        f"space may grow by {args.memory_mb} MB (`RLIMIT_AS`), killed after {args.seconds:g} s. "
        "Peak is how far the child's max RSS rose above its RSS at the fork.",
        "",
        "| page | outcome | seconds | peak MB |",
        "|---|---|---|---|",
    ]
    worst = 0
    for name, make in generated_pages():
        outcome, took, peak = _bounded(make, args.seconds, memory)
        worst += outcome.startswith(("crash", "hang"))
        lines.append(f"| {name} | {outcome} | {took:.2f} | {peak / 2**20:.0f} |")
        print(lines[-1], flush=True)
    crashes: list[str] = []
    hangs = 0
    if args.mutated:
        pages = _real_pages(limit=10_000)
        rnd = random.Random(args.seed)
        t0 = time.perf_counter()
        times = []
        for i in range(args.mutated):
            seed = rnd.randrange(2**32)
            page_rnd = random.Random(seed)
            index = page_rnd.randrange(len(pages))
            page = mutate(pages[index], page_rnd)
            outcome, took, _peak = _bounded(page, args.seconds, memory)
            times.append(took)
            if outcome == "hang":
                hangs += 1
                crashes.append(f"hang: page {index}, seed {seed}")
            elif outcome.startswith("crash"):
                crashes.append(f"{outcome}: page {index}, seed {seed}")
            if (i + 1) % 500 == 0:
                print(f"{i + 1}/{args.mutated} mutated pages, {len(crashes)} failures", flush=True)
        times.sort()
        lines += [
            "",
            f"Mutated pages: {args.mutated} ({len(pages)} real pages of ../shared/bench/, seed "
            f"{args.seed}): crashes {len(crashes) - hangs}, hangs {hangs}; median "
            f"{times[len(times) // 2]:.3f} s, slowest {times[-1]:.2f} s (child start included); "
            f"{time.perf_counter() - t0:.0f} s in all.",
        ]
        lines += [f"- {c}" for c in crashes[:20]]
    body = "\n".join(lines)
    print(body)
    if args.out:
        write_section(args.out, "stress", body)
    return 1 if worst or crashes else 0
