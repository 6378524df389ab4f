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

from scraper.measures import ends_sentence, word_count

__all__ = ["DumpResult", "clean_text_dump", "looks_like_html"]

_WORD = re.compile(r"\w+", re.UNICODE)
# Any element of HTML's own, not only a document's frame: a page can open with a <style>
# block or a server's warning in <b> before its <html> (a text dump has no tags at all).
_HTML_HINT = re.compile(
    r"<\s*/?\s*(!doctype|html|head|body|div|p|article|main|span|a|meta|title|link|style"
    r"|script|noscript|template|header|footer|nav|aside|section|h[1-6]|ul|ol|li|table|tr|td"
    r"|form|iframe|img|svg|br|hr|b|i|em|strong|pre|code|blockquote|figure)\b",
    re.I,
)
# Lines that are chrome on any site, whatever their length.
_HARD = re.compile(r"^(?:©|\(c\)\s|copyright\b)|\ball rights reserved\b", re.I)
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
_SPACES = re.compile(r"\s+")
# Line kinds.
_CONTENT, _SHORT, _SKIP, _BREAK = range(4)


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


def _is_content(line: str) -> bool:
    if _CHROME.search(line):
        return False
    if word_count(line) < 12:
        return False
    words = _WORD.findall(line.lower())
    stop = sum(w in _stopwords() for w in words) / len(words)
    # Texts in languages without spaces or outside the stoplists score on length alone.
    return stop >= 0.2 or len(line) >= 200 or word_count(line) >= 40


def clean_text_dump(text: str, drop_lines: Iterable[re.Pattern[str]] = ()) -> DumpResult:
    drop = list(drop_lines)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    kinds = [_kind(line, drop) for line in lines]

    # The body is the run of content lines with the most words. Inside a run, up to two
    # short lines in a row may stand between content lines (subheadings, an "Advertisement"
    # slot); dropped lines are invisible; a copyright line or a long non-content line ends it.
    best: tuple[int, list[str], int] | None = None  # (words, body, first line index)
    i = 0
    while i < len(lines):
        if kinds[i] != _CONTENT:
            i += 1
            continue
        body, pending, j = [lines[i]], list[str](), i + 1
        last = i
        while j < len(lines) and kinds[j] != _BREAK:
            if kinds[j] == _CONTENT:
                body += [line for line in pending if not _CHROME.search(line)]
                body.append(lines[j])
                pending, last = [], j
            elif kinds[j] == _SHORT:
                pending.append(lines[j])
                if len(pending) > 2:
                    break
            j += 1
        words = sum(len(_WORD.findall(line)) for line in body)
        if best is None or words > best[0]:
            best = (words, body, i)
        i = last + 1

    if best is None:
        return DumpResult(text="", title=None, author=None)
    _, body, first = best
    # Bylines are often in drop_lines; they still name the author.
    title, author = _heading(lines[:first])
    return DumpResult(text="\n\n".join(body), title=title, author=author)


def _kind(line: str, drop: list[re.Pattern[str]]) -> int:
    if _HARD.search(line):
        return _BREAK
    if any(p.search(line) for p in drop):
        return _SKIP
    if _is_content(line):
        return _CONTENT
    return _SHORT if len(line) < 120 else _BREAK


def _heading(before: list[str]) -> tuple[str | None, str | None]:
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
            and not ends_sentence(line)
            and not _CHROME.search(line)
        ):
            title = line
    return title, author
