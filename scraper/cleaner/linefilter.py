"""Drop lines that are interface chrome on any site: buttons, prompts, share links.

A line goes only when *all* of it is chrome: its words, casefolded and without
punctuation, are a line of the page language's chrome vocabulary or of the English one
(``scraper/cleaner/vocab/<language>.txt``), or match their patterns
(``vocab/<language>.patterns``: buttons, counts, shop and navigation labels), or it is a
short sign-up call or notice, an affiliate disclosure, or a "read also" label with
another story's title after it. A sentence that merely mentions sharing or subscribing
stays, and so does a line written with the characters of code or paths (``/login``,
``login()``, ``$ search``): the text of a code sample is not the page's interface.

Short label lines left at the very end of the text ("Tags", "Follow Example News")
go too: a heading with nothing after it introduces nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scraper.cleaner.vocab import ChromePatterns, chrome_patterns, chrome_vocabulary
from scraper.measures import ends_sentence, word_count

__all__ = ["CHROME_LINES", "chrome_free", "is_chrome_line"]

# The English vocabulary: English labels appear on pages of every language.
CHROME_LINES = chrome_vocabulary(None)

_NOTICE_WORDS = 20
_DISCLOSURE_WORDS = 50
_TEASER_WORDS = 25
# Bullets and arrows before a "read also" label: "» Lesen Sie auch: …"
_LEADING_MARKS = " \t>»›→▸▶•·*-–—+"
# Every rule reads at most 50 words: a longer line is prose, and not worth reading word
# by word (long paragraphs are most of a page's text).
_LONG_LINE = 1000
# A trailing label: a few words without sentence punctuation or figures.
_LABEL_WORDS = 4
_WORD = re.compile(r"\w+")
# a line of more than _DISCLOSURE_WORDS words (possessive: one pass, no backtracking)
_MORE_WORDS = re.compile(rf"\W*+(?:\w++\W++){{{_DISCLOSURE_WORDS}}}\w")
# Characters of code, paths and markup, never of a button's label ("$75" is a price).
_CODE = re.compile(r"[/\\=<>{}\[\];`@_()~]|\$(?!\d)|^\s*[.#]\w")


def is_chrome_line(line: str, language: str | None = None) -> bool:
    """Whether all of ``line`` is chrome on a page in ``language`` (an ISO 639-1 code; None
    or a language without a vocabulary: English alone)."""
    return _is_chrome(line, chrome_vocabulary(language), chrome_patterns(language))


def _is_chrome(line: str, vocabulary: frozenset[str], patterns: ChromePatterns) -> bool:
    if len(line) > _LONG_LINE:
        return False
    folded = line.casefold()
    # no rule reads a line of more words than a disclosure's: told without splitting all
    # of a paragraph's words (a line that short cannot hold that many)
    if len(folded) > 2 * _DISCLOSURE_WORDS and _MORE_WORDS.match(folded):
        return False
    words = " ".join(_WORD.findall(folded))
    if not words:
        return False
    count = words.count(" ") + 1
    # Sentences this specific are chrome even with a parenthesis or a URL in them.
    if count <= _DISCLOSURE_WORDS and patterns.disclosure.search(words):
        return True
    if count <= _TEASER_WORDS and patterns.teaser.match(folded.lstrip(_LEADING_MARKS)):
        return True
    if _CODE.search(line):
        return False
    if len(words) <= 60 and (words in vocabulary or patterns.line.match(words)):
        return True
    return count <= _NOTICE_WORDS and bool(patterns.notice.match(words))


def chrome_free(
    paragraphs: Sequence[str], verbatim: Sequence[bool] = (), language: str | None = None
) -> list[int]:
    """The indices of ``paragraphs`` that are not chrome: a paragraph goes when each of
    its lines is a chrome line on a page in ``language`` (see ``is_chrome_line``), and short
    labels left at the end go. ``verbatim`` paragraphs (code) are never chrome."""
    vocabulary, patterns = chrome_vocabulary(language), chrome_patterns(language)
    kept = []
    for index, paragraph in enumerate(paragraphs):
        code = index < len(verbatim) and verbatim[index]
        lines = paragraph.split("\n")
        if code or any(ln.strip() and not _is_chrome(ln, vocabulary, patterns) for ln in lines):
            kept.append(index)
    while len(kept) > 1 and not _verbatim(verbatim, kept[-1]) and _is_label(paragraphs[kept[-1]]):
        kept.pop()
    return kept


def _verbatim(verbatim: Sequence[bool], index: int) -> bool:
    return index < len(verbatim) and verbatim[index]


def _is_label(block: str) -> bool:
    block = block.strip()
    return (
        "\n" not in block
        and word_count(block) <= _LABEL_WORDS
        and not ends_sentence(block)
        and not any(c.isdigit() for c in block)
        and not _CODE.search(block)
    )
