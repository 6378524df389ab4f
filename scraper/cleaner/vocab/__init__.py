"""The cleaner's vocabularies, kept as data: per ISO 639-1 code, ``<language>.txt`` and
``<language>.patterns``.

A ``.txt`` file holds whole lines of interface chrome ("share", "teilen", "シェア"), one a
line, in the form ``scraper.cleaner.linefilter`` compares a line in: the line's ``\\w+``
words, casefolded, joined by one space (a run of kana, han or hangul is one word).

A ``.patterns`` file holds regular expressions, one a line after its kind (``line``,
``notice``, ``disclosure``, ``teaser``: what each matches is said in ``en.patterns``), for
chrome that varies ("12 comments", "© 2024 Example. All rights reserved", "Read also: …").

Lines starting with ``#`` are comments. The files ship in the wheel and are read once,
when first needed; every language's vocabulary includes the English one.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import NamedTuple

from scraper.cleaner.language import primary_subtag

__all__ = [
    "PATTERN_KINDS",
    "VOCABULARY_LANGUAGES",
    "ChromePatterns",
    "chrome_lines",
    "chrome_patterns",
    "chrome_vocabulary",
]

PATTERN_KINDS = ("line", "notice", "disclosure", "teaser")


class ChromePatterns(NamedTuple):
    """A language's chrome patterns with the English ones, one expression a kind."""

    line: re.Pattern[str]  # the whole of a line's words
    notice: re.Pattern[str]  # the start of a line's words
    disclosure: re.Pattern[str]  # anywhere in a line's words
    teaser: re.Pattern[str]  # the start of the line as written, casefolded


# English labels appear on pages of every language, so every vocabulary includes them.
_ALWAYS = "en"
VOCABULARY_LANGUAGES = frozenset(
    {"en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "ja", "zh", "ko"}
)


def chrome_vocabulary(language: str | None) -> frozenset[str]:
    """The chrome lines of a page in ``language`` (a language tag, ``de`` or ``de-AT``): its
    own vocabulary and the English one; the English one alone for None or a language
    without a vocabulary."""
    code = primary_subtag(language)
    return _vocabulary(code if code in VOCABULARY_LANGUAGES and code != _ALWAYS else None)


def chrome_lines(language: str) -> frozenset[str]:
    """The lines of ``language``'s own file (a code of ``VOCABULARY_LANGUAGES``)."""
    if language not in VOCABULARY_LANGUAGES:
        raise ValueError(f"no chrome vocabulary for language {language!r}")
    return _read(language)


@cache
def _vocabulary(language: str | None) -> frozenset[str]:
    english = _read(_ALWAYS)
    return english if language is None else english | _read(language)


@cache
def _read(language: str) -> frozenset[str]:
    text = files(__name__).joinpath(f"{language}.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def chrome_patterns(language: str | None) -> ChromePatterns:
    """The chrome patterns of a page in ``language`` (as ``chrome_vocabulary``)."""
    code = primary_subtag(language)
    return _patterns(code if code in VOCABULARY_LANGUAGES and code != _ALWAYS else None)


@cache
def _patterns(language: str | None) -> ChromePatterns:
    found: dict[str, list[str]] = {kind: [] for kind in PATTERN_KINDS}
    for code in (_ALWAYS,) if language is None else (_ALWAYS, language):
        path = files(__name__).joinpath(f"{code}.patterns")
        if not path.is_file():
            continue
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            kind, sep, expression = line.partition(":")
            if not sep or kind not in found:
                raise ValueError(f"{code}.patterns line {number}: not 'kind: expression'")
            found[kind].append(expression.strip())
    return ChromePatterns(
        line=_compiled(found["line"], "^(?:{})$"),
        notice=_compiled(found["notice"], "^(?:{})"),
        disclosure=_compiled(found["disclosure"], "(?:{})"),
        teaser=_compiled(found["teaser"], r"^(?:{})\s*\w"),  # with a title after it
    )


def _compiled(expressions: list[str], frame: str) -> re.Pattern[str]:
    # an empty alternation would match every line: "(?!)" matches none
    return re.compile(frame.format("|".join(expressions) or "(?!)"))
