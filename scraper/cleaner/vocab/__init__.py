"""The cleaner's vocabularies, kept as data: one ``<language>.txt`` per ISO 639-1 code.

Each file holds whole lines of interface chrome ("share", "teilen", "シェア"), one a line,
in the form ``scraper.cleaner.linefilter`` compares a line in: the line's ``\\w+`` words,
casefolded, joined by one space (a run of kana, han or hangul is one word). Lines starting
with ``#`` are comments. The files ship in the wheel and are read once, when first needed.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from scraper.cleaner.language import primary_subtag

__all__ = ["VOCABULARY_LANGUAGES", "chrome_lines", "chrome_vocabulary"]

# English labels appear on pages of every language, so every vocabulary includes them.
_ALWAYS = "en"
VOCABULARY_LANGUAGES = frozenset({"en", "de", "fr", "es", "it", "pt", "nl", "ru", "ja", "zh", "ko"})


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
