"""Unified diffs of cleaned text, their ``--stat`` summary, and the colour decision.

Pure functions: strings in, strings out. Nothing here prints or reads files.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ColorMode",
    "FileDiff",
    "colorize",
    "stat",
    "unified",
    "use_color",
]

ColorMode = Literal["auto", "always", "never"]

_RESET = "\x1b[0m"
_STYLES = {
    "header": "\x1b[1m",  # bold: ---/+++ file names
    "hunk": "\x1b[36m",  # cyan: @@ … @@
    "del": "\x1b[31m",  # red
    "add": "\x1b[32m",  # green
}


@dataclass(frozen=True)
class FileDiff:
    """One file's diff: its display name and the unified diff text (``""`` when equal)."""

    name: str
    text: str

    @property
    def changed(self) -> bool:
        return bool(self.text)

    @property
    def counts(self) -> tuple[int, int]:
        """(insertions, deletions): ``+``/``-`` lines, headers excluded."""
        added = removed = 0
        for line in self.text.splitlines():
            if line.startswith(("+++ ", "--- ")):
                continue
            if line.startswith("+"):
                added += 1
            elif line.startswith("-"):
                removed += 1
        return added, removed


def unified(
    old: str | None,
    new: str | None,
    *,
    old_name: str,
    new_name: str,
    context: int = 3,
) -> str:
    """A ``git diff``-style unified diff of two texts; ``None`` is a missing file.

    Lines are compared whole (a snapshot has one paragraph per line), every output line
    ends in ``\\n``, and a missing final newline is marked as ``diff`` does.
    """
    if old == new:
        return ""
    old_lines = (old or "").splitlines(keepends=True)
    new_lines = (new or "").splitlines(keepends=True)
    lines = difflib.unified_diff(
        old_lines,
        new_lines,
        fromfile="/dev/null" if old is None else old_name,
        tofile="/dev/null" if new is None else new_name,
        n=context,
    )
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def stat(diffs: Iterable[FileDiff], *, width: int = 40) -> str:
    """``git diff --stat``: one line per changed file, then the totals line."""
    changed = [d for d in diffs if d.changed]
    if not changed:
        return ""
    name_width = max(len(d.name) for d in changed)
    totals = [d.counts for d in changed]
    largest = max(a + r for a, r in totals) or 1
    lines = []
    for diff, (added, removed) in zip(changed, totals, strict=True):
        scale = min(1.0, width / largest)
        plus = round(added * scale) or (1 if added else 0)
        minus = round(removed * scale) or (1 if removed else 0)
        lines.append(f" {diff.name:<{name_width}} | {added + removed:>4} {'+' * plus}{'-' * minus}")
    added = sum(a for a, _ in totals)
    removed = sum(r for _, r in totals)
    files = len(changed)
    summary = f" {files} file{'s' * (files != 1)} changed"
    if added:
        summary += f", {added} insertion{'s' * (added != 1)}(+)"
    if removed:
        summary += f", {removed} deletion{'s' * (removed != 1)}(-)"
    return "\n".join([*lines, summary]) + "\n"


def colorize(diff: str) -> str:
    """ANSI colours for a unified diff: bold headers, cyan hunks, red deletions, green additions."""
    out = []
    for line in diff.splitlines(keepends=True):
        body = line.rstrip("\n")
        tail = line[len(body) :]
        if line.startswith(("--- ", "+++ ")):
            style = _STYLES["header"]
        elif line.startswith("@@"):
            style = _STYLES["hunk"]
        elif line.startswith("-"):
            style = _STYLES["del"]
        elif line.startswith("+"):
            style = _STYLES["add"]
        else:
            out.append(line)
            continue
        out.append(f"{style}{body}{_RESET}{tail}")
    return "".join(out)


def use_color(mode: ColorMode, *, isatty: bool, environ: Mapping[str, str]) -> bool:
    """``always``/``never`` as told; ``auto`` colours a terminal unless ``NO_COLOR`` is set
    or ``TERM=dumb`` (https://no-color.org)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if environ.get("NO_COLOR"):
        return False
    if environ.get("TERM") == "dumb":
        return False
    return isatty
