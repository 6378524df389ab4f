"""Text measures shared by the cleaner's stages, for every script: word counts, sentence
ends, and letters-and-digits keys.

Words are counted by spaces, except in scripts written without them (Chinese, Japanese,
Thai, Lao, Khmer, Myanmar), where a run of letters counts one word per so many
characters, the script's average word length (``CHARS_PER_WORD``): a paragraph of
Japanese is forty words, not one. Sentence ends know the full stops of those scripts
(。！？) too.

Keys compare two renderings of one text (a reading's and the page's blocks'): the
extractors space, punctuate and decode a page's text slightly differently, so texts are
compared on their letters and digits only, casefolded.
"""

from __future__ import annotations

import re
from math import ceil

__all__ = ["CHARS_PER_WORD", "ends_sentence", "keys", "letters_and_digits", "word_count"]

# Average characters a word in scripts written without spaces: Han and kana ~1.7
# (Chinese words average 1.5-2 characters), Thai, Lao, Khmer and Myanmar ~4.
CHARS_PER_WORD = {"han": 2, "thai": 4}
_UNSPACED_LETTERS = {
    "han": r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u31f0-\u31ff]",
    "thai": r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]",
}
_UNSPACED = {script: re.compile(f"{letters}+") for script, letters in _UNSPACED_LETTERS.items()}
# one search for a character of any of them first: most non-ASCII text has none
_ANY_UNSPACED = re.compile("|".join(_UNSPACED_LETTERS.values()))
_WORD_CHAR = re.compile(r"\w")
# a sentence's last character, in every script (closing quotes and brackets included)
_SENTENCE_END = re.compile(r"[.!?:;\"”’»)\]。．！？；：…」』）】〕〉》]$")

# HTML parsers replace NUL and lxml refuses it: hardly any text holds it (``keys`` copes)
_SEP = "\x00"
_NOT_KEPT = re.compile(r"[^\w\x00]+")
_ASCII_NOT_KEPT = bytes(b for b in range(128) if not chr(b).isalnum() and chr(b) != _SEP)
_ASCII = bytes(range(128))
# past this many distinct characters beyond ASCII (a text of another script), the regular
# expression reads the text: removing each from the bytes would cost more
_FEW_CHARACTERS = 24


def word_count(text: str) -> int:
    """The words of ``text``: its space-separated tokens, where a run of a script written
    without spaces counts one word per ``CHARS_PER_WORD`` characters."""
    if text.isascii() or _ANY_UNSPACED.search(beyond_ascii(text)) is None:
        return len(text.split())
    unspaced = 0
    for script, pattern in _UNSPACED.items():
        runs = pattern.findall(text)
        if runs:
            unspaced += sum(ceil(len(run) / CHARS_PER_WORD[script]) for run in runs)
            text = pattern.sub(" ", text)
    if not unspaced:
        return len(text.split())
    # what is left between the runs: words of spaced scripts, and punctuation (no word)
    return unspaced + sum(1 for token in text.split() if _WORD_CHAR.search(token))


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends as a sentence does (a full stop of any script)."""
    return bool(_SENTENCE_END.search(text.rstrip()))


def keys(texts: list[str]) -> list[str]:
    """Each text's letters and digits, casefolded (one pass for all of them)."""
    out = letters_and_digits(_SEP.join(texts)).split(_SEP)
    if len(out) != len(texts):  # a text held the separator after all
        out = [letters_and_digits(text.replace(_SEP, "")) for text in texts]
    return out


def letters_and_digits(text: str) -> str:
    """``text``'s letters and digits, casefolded."""
    # ASCII spaces and punctuation go in one bytes pass, which is faster than a regular
    # expression (BENCHMARKS.md, step 14); the expression reads only non-ASCII leftovers.
    raw = text.casefold().encode("utf-8", "surrogatepass").translate(None, _ASCII_NOT_KEPT)
    if raw.isascii():
        return raw.decode("ascii")
    # the few characters beyond ASCII a text of a Latin script holds (quotes, dashes, accented
    # letters), each judged once: those that are no letter or digit go from the bytes
    distinct = set(raw.translate(None, _ASCII).decode("utf-8", "surrogatepass"))
    if len(distinct) > _FEW_CHARACTERS:
        return _NOT_KEPT.sub("", raw.decode("utf-8", "surrogatepass"))
    for char in distinct:
        if not _WORD_CHAR.match(char):
            raw = raw.replace(char.encode("utf-8", "surrogatepass"), b"")
    return raw.decode("utf-8", "surrogatepass")


def beyond_ascii(text: str) -> str:
    """``text``'s characters beyond ASCII, in order (fewer than all of its characters, for
    a search of characters of other scripts in text mostly in Latin letters)."""
    return (
        text.encode("utf-8", "surrogatepass")
        .translate(None, _ASCII)
        .decode("utf-8", "surrogatepass")
    )
