"""The page's language, as an ISO 639-1 code, to choose the vocabularies the cleaner uses.

Declared first: ``<html lang>`` (or ``xml:lang``), then a Content-Language ``<meta>``, then
what the caller was told (the HTTP ``Content-Language`` header). Only the primary subtag
is kept (``de-AT`` → ``de``). Else a cheap guess from the start of the body's text: a script
written by one language here decides (kana → ja, hangul → ko, han → zh, cyrillic → ru),
else the jusText stoplist with the most hits among the Latin-script languages
(en, de, fr, es, it, pt, nl). No guess (None) on too little text.

The guess reads paragraphs (else the body's text nodes, without scripts and styles) a chunk
at a time, and stops as soon as the language is plain, or after ``_SAMPLE_CHARS``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["STOPLIST_LANGUAGES", "detect_language", "page_language", "primary_subtag"]

# The Latin-script languages told apart by their stopwords, with jusText's list names.
_STOPLISTS = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}
STOPLIST_LANGUAGES = frozenset(_STOPLISTS)

_PRIMARY = re.compile(r"[a-z]{2}")
# Codes seen in the wild for the ISO ones (a country code, or a withdrawn language code).
_ALIASES = {"jp": "ja", "cn": "zh", "kr": "ko", "iw": "he", "in": "id", "ji": "yi", "gr": "el"}

# About 2,000 words of Latin-script prose at most, read a chunk of ~300 words at a time.
_SAMPLE_CHARS = 12_000
_CHUNK_CHARS = 2_000
# Paragraphs shorter than this in all are a page without ``<p>`` prose: read the body.
_ENOUGH_PROSE = 500
_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "svg", "math"})

_CYRILLIC = "\u0400-\u04ff"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SCRIPTED = re.compile(f"[{_CYRILLIC}{_HANGUL}{_KANA}{_HAN}]+")
_SCRIPT_CHARS = {
    "ru": re.compile(f"[{_CYRILLIC}]"),
    "ko": re.compile(f"[{_HANGUL}]"),
    "ja": re.compile(f"[{_KANA}]"),
}
_WORD = re.compile(r"\w+")
# A script decides when it writes at least this share of the sample's letters (pages in
# these scripts carry Latin menus, names and figures too).
_SCRIPT_SHARE = 0.3
# Japanese mixes kana into its han; Chinese text has none, save a quoted name.
_KANA_SHARE = 0.1
# Evidence that ends the reading early: this many characters in a script, or this many
# stopword hits and this lead over the next language, with hardly any script seen.
_PLAIN_SCRIPT = 200
_PLAIN_HITS = 30
_PLAIN_LEAD = 3
_SCRIPT_NOISE = 0.05
# Fewer stopword hits than this, or than this share of the words, is no evidence of a
# language (a list of names, a shop) or of one of these (Polish hits a few German words).
_MIN_HITS = 5
_MIN_SHARE = 0.05


def page_language(tree: LexborHTMLParser, *, declared: str | None = None) -> str | None:
    """The page's language: ``<html lang>``, a Content-Language meta, ``declared`` (the HTTP
    header), else detected from the body's text; None when none of them tells."""
    root = tree.css_first("html")
    if root is not None:
        for attribute in ("lang", "xml:lang"):
            code = primary_subtag(root.attributes.get(attribute))
            if code:
                return code
    for meta in tree.css("meta[http-equiv]"):
        if (meta.attributes.get("http-equiv") or "").strip().casefold() == "content-language":
            code = primary_subtag(meta.attributes.get("content"))
            if code:
                return code
    code = primary_subtag(declared)
    if code:
        return code
    return _detect(_sample(tree))


def primary_subtag(value: str | None) -> str | None:
    """The ISO 639-1 code a language tag starts with (``de-AT``, ``en_US``, ``fr, en`` → the
    first); None for an empty tag or one without a two-letter code (``x-default``, ``mul``)."""
    if not value:
        return None
    first = re.split(r"[-_,;\s]", value.strip().casefold(), maxsplit=1)[0]
    if not _PRIMARY.fullmatch(first):
        return None
    return _ALIASES.get(first, first)


def detect_language(text: str) -> str | None:
    """A cheap guess of ``text``'s language (see the module's docstring); None when unsure."""
    return _detect(text[i : i + _CHUNK_CHARS] for i in range(0, len(text), _CHUNK_CHARS))


def _detect(pieces: Iterable[str]) -> str | None:
    """The language of the first ``_SAMPLE_CHARS`` of ``pieces``, read a chunk at a time:
    most pages are plain after the first chunk, and reading is most of the cost."""
    hits: Counter[str] = Counter()
    scripted: list[str] = []
    letters = words = 0
    chunk: list[str] = []
    chunk_size = 0
    for piece in _bounded(pieces):
        chunk.append(piece)
        chunk_size += len(piece)
        if chunk_size < _CHUNK_CHARS:
            continue
        read = _read(" ".join(chunk), hits, scripted)
        letters, words = letters + read[0], words + read[1]
        chunk, chunk_size = [], 0
        guess = _guess(hits, scripted, letters, words, final=False)
        if guess is not None:
            return guess
    if chunk:
        read = _read(" ".join(chunk), hits, scripted)
        letters, words = letters + read[0], words + read[1]
    return _guess(hits, scripted, letters, words, final=True)


def _bounded(pieces: Iterable[str]) -> Iterator[str]:
    size = 0
    for piece in pieces:
        if size + len(piece) >= _SAMPLE_CHARS:
            yield piece[: _SAMPLE_CHARS - size]
            return
        size += len(piece)
        yield piece


def _read(text: str, hits: Counter[str], scripted: list[str]) -> tuple[int, int]:
    """Count ``text``'s stopword hits into ``hits``, keep its runs of the scripts that name
    a language in ``scripted``; the number of its letters and of its words."""
    words = _WORD.findall(text.casefold())
    if not text.isascii():
        scripted.extend(_SCRIPTED.findall(text))
    table = _stopword_languages()
    for languages, count in Counter(map(table.get, words)).items():
        # A stopword of one language only is evidence; one shared by several is not.
        if languages is not None and len(languages) == 1:
            hits[languages[0]] += count
    return sum(map(len, words)), len(words)


def _guess(
    hits: Counter[str], scripted: list[str], letters: int, words: int, *, final: bool
) -> str | None:
    """The language the evidence so far shows; before the ``final`` chunk, only a plain one."""
    if not letters:
        return None
    in_script = sum(map(len, scripted))
    if in_script >= _SCRIPT_SHARE * letters and (final or in_script >= _PLAIN_SCRIPT):
        return _script_language("".join(scripted))
    if not final and in_script >= _SCRIPT_NOISE * letters:
        return None
    (best, count), (_, second) = [*hits.most_common(2), ("", 0), ("", 0)][:2]
    if count < _MIN_SHARE * words:
        return None
    if not final:
        return best if count >= _PLAIN_HITS and count >= _PLAIN_LEAD * second else None
    return best if count >= _MIN_HITS and count > second else None


def _script_language(scripted: str) -> str:
    counts = {code: len(chars.findall(scripted)) for code, chars in _SCRIPT_CHARS.items()}
    han = len(scripted) - sum(counts.values())
    if counts["ja"] and counts["ja"] >= _KANA_SHARE * (counts["ja"] + han):
        return "ja"
    best = max(counts["ru"], counts["ko"], han)
    if best == counts["ko"]:
        return "ko"
    return "ru" if best == counts["ru"] else "zh"


@cache
def _stopword_languages() -> dict[str, tuple[str, ...]]:
    """Each stopword of the languages in ``_STOPLISTS`` → the languages it is one of."""
    import justext  # trafilatura's dependency, imported when first needed

    table: dict[str, tuple[str, ...]] = {}
    for code, name in _STOPLISTS.items():
        for word in justext.get_stoplist(name):
            for token in _WORD.findall(word.casefold()):
                if code not in table.get(token, ()):
                    table[token] = (*table.get(token, ()), code)
    return table


def _sample(tree: LexborHTMLParser) -> Iterator[str]:
    """The page's prose: its paragraphs, else (too few) the text nodes of its body."""
    paragraphs = tree.css("p")
    texts: list[str] = []
    size = 0
    for paragraph in paragraphs:
        text = paragraph.text(separator=" ")
        texts.append(text)
        size += len(text)
        if size >= _ENOUGH_PROSE:
            yield from texts
            yield from (p.text(separator=" ") for p in paragraphs[len(texts) :])
            return
    if tree.body is not None:
        yield from _text_nodes(tree.body)


def _text_nodes(body: LexborNode) -> Iterator[str]:
    for node in body.traverse(include_text=True):
        if node.tag != "-text":
            continue
        parent = node.parent
        if parent is not None and parent.tag in _NOT_TEXT:
            continue
        text = node.text_content
        if text and not text.isspace():
            yield text
