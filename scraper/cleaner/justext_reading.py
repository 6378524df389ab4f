"""jusText's reading of a page: its paragraphs that are not boilerplate.

jusText's classifier is used as published (``classify_paragraphs`` and
``revise_paragraph_classification``, with trafilatura's settings for its own jusText
fallback). Only the paragraph objects are lighter: jusText's own recompute their
whitespace-normalised text on every read (six reads a paragraph when classifying),
format an XPath that nothing here reads, and join the whole element path for each new
paragraph. Caching the text, skipping the XPath and keeping the dotted path as elements
open and close gives the same paragraphs and classes in two fifths of the time
(BENCHMARKS.md, step 12; ``tests/test_paragraphs.py`` checks them against jusText's
own maker).
"""

from __future__ import annotations

import functools
from typing import Any, cast

from justext.core import ParagraphMaker, classify_paragraphs, revise_paragraph_classification
from justext.paragraph import Paragraph
from justext.utils import get_stoplist, get_stoplists, normalize_whitespace
from lxml.etree import XPath
from lxml.html import HtmlElement

__all__ = ["justext_text", "make_paragraphs"]

# Reader comment sections by their usual names (WordPress, Disqus and most themes).
_COMMENT_SECTIONS = XPath(
    "//*[contains(translate(@class, 'COMENT', 'coment'), 'comment')"
    " or contains(translate(@id, 'COMENT', 'coment'), 'comment')"
    " or contains(@id, 'disqus') or @id = 'respond']"
)


def justext_text(tree: HtmlElement | None, *, drop_comments: bool) -> str:
    """jusText's reading of ``tree``: its non-boilerplate paragraphs.

    ``tree`` is consumed: its head, scripts and styles (and comment sections) are cut in
    place, sparing a copy of the page; pass a copy to keep it.

    The settings are trafilatura's for its own jusText fallback, with every language's
    stopwords, since the page's language is not known. jusText keeps reader comments
    (they are prose), so with ``drop_comments`` comment sections are cut first; on some
    pages they are the content (a forum thread).
    """
    if tree is None:
        return ""
    for node in cast(list[HtmlElement], tree.xpath("//head|//script|//style")):
        parent = node.getparent()  # (JSON-LD is kept for metadata)
        if parent is not None:
            parent.remove(node)
    if drop_comments:
        for node in cast(list[HtmlElement], _COMMENT_SECTIONS(tree)):
            parent = node.getparent()
            if parent is not None and node.tag != "body":
                parent.remove(node)
    paragraphs = make_paragraphs(tree)
    classify_paragraphs(
        paragraphs,
        _stopwords(),
        length_low=50,
        length_high=150,
        stopwords_low=0.1,
        stopwords_high=0.2,
        max_link_density=0.25,
        no_headings=True,
    )
    revise_paragraph_classification(paragraphs, max_heading_distance=150)
    texts = (_paragraph_text(p) for p in paragraphs if not p.is_boilerplate)
    return "\n\n".join(t for t in texts if t)


def _paragraph_text(paragraph: Paragraph) -> str:
    """A paragraph on one line: jusText keeps the HTML source's line breaks, which are not
    the text's (a paragraph hard-wrapped in the source would read as several lines); only
    a ``pre`` keeps its lines."""
    text = str(paragraph.text)
    if str(paragraph.dom_path).rpartition(".")[2] == "pre":
        return text.strip()
    return " ".join(text.split())


def make_paragraphs(tree: HtmlElement) -> list[Paragraph]:
    """jusText's paragraphs of ``tree``, as ``ParagraphMaker.make_paragraphs`` makes them."""
    return cast(list[Paragraph], _LightParagraphMaker.make_paragraphs(tree))


class _LightParagraph(Paragraph):  # type: ignore[misc]  # (jusText has no type hints)
    """A jusText paragraph that keeps its text once computed and has no XPath."""

    def __init__(self, dom_path: str) -> None:
        # jusText's __init__ builds the dotted tag path and an XPath from the whole
        # element path; classification reads only the first (``'select' in dom_path``),
        # which the maker keeps up to date as elements open and close.
        self.dom_path = dom_path
        self.xpath = ""
        self.text_nodes: list[str] = []
        self.chars_count_in_links = 0
        self.tags_count = 0
        self.class_type = ""
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = normalize_whitespace("".join(self.text_nodes).strip())
        return self._text

    def append_text(self, text: str) -> str:
        self._text = None
        return str(super().append_text(text))


class _LightParagraphMaker(ParagraphMaker):  # type: ignore[misc]  # (no type hints either)
    """jusText's maker, with the dotted tag path kept as elements open and close."""

    paragraph: Any  # set by jusText's __init__
    paragraphs: list[Paragraph]

    def __init__(self) -> None:
        self._doms = [""]
        super().__init__()

    def startElementNS(self, name: tuple[str | None, str], qname: str, attrs: object) -> None:
        dom = self._doms[-1]
        self._doms.append(f"{dom}.{name[1]}" if dom else name[1])
        super().startElementNS(name, qname, attrs)

    def endElementNS(self, name: tuple[str | None, str], qname: str) -> None:
        self._doms.pop()
        super().endElementNS(name, qname)

    def _start_new_pragraph(self) -> None:  # jusText's spelling
        if self.paragraph and self.paragraph.contains_text():
            self.paragraphs.append(self.paragraph)
        self.paragraph = _LightParagraph(self._doms[-1])


@functools.cache
def _stopwords() -> frozenset[str]:
    """The stopwords of every language jusText knows (read once per process)."""
    return frozenset(word for language in get_stoplists() for word in get_stoplist(language))
