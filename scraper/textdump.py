"""Clean a plain-text dump of a page (its text in reading order, chrome included).

Each line is scored as content or chrome from its length, link- and navigation-like
shape, stopword density and known chrome patterns; the article body is the largest
run of content lines, with short lines kept only where they sit inside that run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["DumpResult", "clean_text_dump", "looks_like_html"]

_WORD = re.compile(r"\w+", re.UNICODE)
_HTML_HINT = re.compile(
    r"<\s*(!doctype|html|head|body|div|p|article|main|span|a|meta|title)\b", re.I
)
# Lines that are chrome on any site, whatever their length.
_CHROME = re.compile(
    r"""^(?:
        ©|\(c\)\s|copyright\b|all\ rights\ reserved
      | (?:\d+\s+)?comments?$|no\ comments?$|(?:leave|post|add)\ a\ comment
      | log\ ?in\b|sign\ ?(?:in|up)\b|register\b|subscribe\b|newsletter\b
      | forgot\ (?:your\ )?password
      | user\ registration|share\ (?:this|on)\b|follow\ us\b|read\ more$|advertisement$
      | click\ here|related\ (?:articles|stories|posts)|you\ may\ also\ like
      | cookies?\b.*\b(?:accept|consent|use)\b
    )""",
    re.I | re.X,
)
_BYLINE = re.compile(r"^by\s+(?P<name>[\w.'’ -]{3,60})$", re.I)
_SENTENCE_END = re.compile(r"[.!?…。！？\"”’)]$")


@dataclass(frozen=True)
class DumpResult:
    text: str
    title: str | None
    author: str | None


def looks_like_html(text: str) -> bool:
    """True when ``text`` has HTML markup near its start (else it is a text dump)."""
    return bool(_HTML_HINT.search(text[:4096]))


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    import justext  # a dependency of trafilatura; imported late, it is only needed here

    words: set[str] = set()
    for language in ("English", "French", "German", "Spanish", "Portuguese", "Italian", "Dutch"):
        words |= {w.lower() for w in justext.get_stoplist(language)}
    return frozenset(words)


def _is_content(line: str, drop: Iterable[re.Pattern[str]]) -> bool:
    if _CHROME.search(line) or any(p.search(line) for p in drop):
        return False
    words = _WORD.findall(line.lower())
    if len(words) < 12:
        return False
    stop = sum(w in _stopwords() for w in words) / len(words)
    # Texts in languages without spaces or outside the stoplists score on length alone.
    return stop >= 0.2 or len(line) >= 200


def clean_text_dump(text: str, drop_lines: Iterable[re.Pattern[str]] = ()) -> DumpResult:
    drop = list(drop_lines)
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    content = [_is_content(line, drop) for line in lines]

    # Runs of content lines; up to two short, non-chrome lines may sit inside a run
    # (subheadings), but only when content follows them.
    best: tuple[int, int, int] | None = None  # (words, start, end)
    i = 0
    while i < len(lines):
        if not content[i]:
            i += 1
            continue
        start = end = i
        j = i + 1
        while j < len(lines):
            if content[j]:
                end = j
                j += 1
                continue
            gap = j
            while (
                gap < len(lines)
                and gap - j < 2
                and not content[gap]
                and _is_inner(lines[gap], drop)
            ):
                gap += 1
            if gap < len(lines) and content[gap] and gap > j:
                j = gap
                continue
            break
        words = sum(len(_WORD.findall(lines[k])) for k in range(start, end + 1))
        if best is None or words > best[0]:
            best = (words, start, end)
        i = end + 1

    if best is None:
        return DumpResult(text="", title=None, author=None)
    _, start, end = best
    body = [lines[k] for k in range(start, end + 1) if not any(p.search(lines[k]) for p in drop)]
    title, author = _heading(lines[:start], drop)
    return DumpResult(text="\n\n".join(body), title=title, author=author)


def _is_inner(line: str, drop: list[re.Pattern[str]]) -> bool:
    """A short line that may belong inside the body: a subheading, not chrome."""
    return not (_CHROME.search(line) or any(p.search(line) for p in drop)) and len(line) < 120


def _heading(before: list[str], drop: list[re.Pattern[str]]) -> tuple[str | None, str | None]:
    """Title and author from the lines just above the body."""
    title = author = None
    for line in reversed(before[-8:]):
        byline = _BYLINE.match(line)
        if byline and author is None:
            author = byline.group("name").strip()
            continue
        words = _WORD.findall(line)
        if (
            title is None
            and 4 <= len(words) <= 25
            and not _SENTENCE_END.search(line)
            and not _CHROME.search(line)
            and not any(p.search(line) for p in drop)
        ):
            title = line
    return title, author
