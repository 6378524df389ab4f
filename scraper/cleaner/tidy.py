"""The last pass over the kept paragraphs: where the article starts, the site's
``drop_lines``, repeats of the title or byline, and long paragraphs said twice.

It works on the paragraphs' texts and answers which to keep, so that the document's
blocks (``scraper.cleaner.structure``) stay whole: a code block is never cut by it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from scraper.measures import word_count

__all__ = ["ABOVE_TITLE_MAX_WORDS", "REPEAT_MIN_WORDS", "TITLE_SEARCH_BLOCKS", "one_line", "tidy"]

_SPACE = re.compile(r"[ \t\u00a0]+")
_WORD = re.compile(r"\w+")
# The title is looked for among the first blocks; lines above it this short are chrome.
TITLE_SEARCH_BLOCKS = 10
ABOVE_TITLE_MAX_WORDS = 12
# A paragraph this long said twice word for word is one said once (a promotion banner
# shown at the top and bottom, a tab's text in its desktop and mobile copies).
REPEAT_MIN_WORDS = 15


def one_line(value: str | None) -> str | None:
    """Metadata on one line, without icon-font glyphs or heading anchors (¶, #) at its end."""
    if not value:
        return None
    value = "".join(c for c in value if unicodedata.category(c) != "Co")
    return " ".join(value.split()).rstrip(" ¶#§") or None


def tidy(
    paragraphs: Sequence[str],
    *,
    drop: Sequence[re.Pattern[str]] = (),
    title: str | None = None,
    author: str | None = None,
    verbatim: Sequence[bool] = (),
    bylines: bool = False,
) -> list[int]:
    """The indices of ``paragraphs`` to keep: from the title on, when only short lines
    come before it; without the site's ``drop_lines``, a repeated title or byline (with
    ``bylines``, also a short line naming the author among the first blocks; unless they
    are all the text there is), and the second time a long paragraph is said word for
    word. ``verbatim`` paragraphs (code) are never taken for a repeat or a title."""
    heading = {_words(s) for s in (title, author, f"by {author}" if author else None) if s}
    heading.discard("")
    # a repeated title or byline is a short block: longer ones are not read word by word
    longest = 4 * max(map(len, heading), default=0) + 40
    texts = [_one_spaced(p) for p in paragraphs]
    code = [bool(verbatim[i]) if i < len(verbatim) else False for i in range(len(texts))]
    present = [i for i, t in enumerate(texts) if t]
    start = _title_index([texts[i] for i in present], title, longest)
    kept = [i for i in present[start:] if not any(p.search(texts[i]) for p in drop)]
    name = _words(author) if author and bylines else ""
    head = set(present[start : start + TITLE_SEARCH_BLOCKS])
    out = [
        i
        for i in kept
        if code[i]
        or not (
            (len(texts[i]) <= longest and _words(texts[i]) in heading)
            or (i in head and _byline(texts[i], name))
        )
    ]
    # a link post or a photo page shows only its title: that is its text, not a repeat
    return _first_of_repeats(out or kept, texts, code)


def _byline(text: str, author: str) -> bool:
    """Whether ``text`` is a byline: a short line that names the page's author (with a
    role, a place or a date: "By Ann Lee, BBC News, Delhi")."""
    if not author or word_count(text) > ABOVE_TITLE_MAX_WORDS:
        return False
    words = _words(text)
    at = words.find(author)
    while at >= 0:
        end = at + len(author)
        if _edge(words[at - 1 : at], author[0]) and _edge(words[end : end + 1], author[-1]):
            return True
        at = words.find(author, at + 1)
    return False


def _edge(neighbour: str, inner: str) -> bool:
    """Whether a name may end between ``inner`` (its last or first letter) and the
    ``neighbour`` character: at a space or the line's end, or between two letters of a
    script written without spaces ("山田太郎記者")."""
    return not neighbour or neighbour == " " or (_unspaced(neighbour) and _unspaced(inner))


def _unspaced(char: str) -> bool:
    # wide (Chinese, Japanese, Korean) and Thai, Lao, Khmer, Myanmar letters
    return (
        unicodedata.east_asian_width(char) in "WF"
        or "\u0e00" <= char <= "\u109f"
        or ("\u1780" <= char <= "\u17ff")
    )


def _one_spaced(text: str) -> str:
    """``text`` stripped, each run of spaces, tabs and no-break spaces one space."""
    if "  " in text or "\t" in text or "\u00a0" in text:  # most paragraphs: none to collapse
        text = _SPACE.sub(" ", text)
    return text.strip()


def _words(text: str) -> str:
    """Text reduced to its words, so that "Quickstart ¶" and "Quickstart¶" compare equal."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def _first_of_repeats(indices: list[int], texts: list[str], code: list[bool]) -> list[int]:
    """Each long paragraph once, except in a quotation: the paragraphs after a short line
    ending in a colon ("Allan wrote:", "Let's say it again:") until the next short line."""
    seen: set[str] = set()
    out = []
    quoting = False
    for i in indices:
        block = texts[i]
        if code[i]:
            pass
        elif word_count(block) < REPEAT_MIN_WORDS:
            quoting = block.endswith(":")
        elif block in seen and not quoting:
            continue
        else:
            seen.add(block)
        out.append(i)
    return out


def _title_index(blocks: list[str], title: str | None, longest: int) -> int:
    """Where the article starts: at its title, when the title is among the first blocks
    and only short lines come before it (breadcrumbs, a sale banner, skip links,
    "9 min read"); otherwise at the first block (BENCHMARKS.md, step 15)."""
    wanted = _words(title) if title else ""
    if not wanted:
        return 0
    for index, block in enumerate(blocks[: TITLE_SEARCH_BLOCKS + 1]):
        if len(block) <= longest and _words(block) == wanted:
            above = blocks[:index]
            return index if all(word_count(b) <= ABOVE_TITLE_MAX_WORDS for b in above) else 0
    return 0
