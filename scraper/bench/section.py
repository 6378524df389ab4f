"""Write one named section of a Markdown report (BENCHMARKS.md), leaving the rest alone.

A section sits between ``<!-- NAME -->`` and ``<!-- /NAME -->``; it is replaced when present
and appended at the end of the file otherwise (after ``<!-- history -->``, which
``scraper bench --out`` keeps).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_section"]


def write_section(path: Path, name: str, body: str) -> None:
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in old and end in old:
        before, rest = old.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        new = before + block + (("\n" + after) if after else "")
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + block
    path.write_text(new, encoding="utf-8")
