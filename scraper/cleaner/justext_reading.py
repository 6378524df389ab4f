"""jusText's reading of a page: its paragraphs that are not boilerplate.

jusText's classifier is used as published (``classify_paragraphs``, with trafilatura's
settings for its own jusText fallback); its context revision is jusText's
``revise_paragraph_classification`` walked once each way instead of once per short
paragraph (``revise_classes``). The paragraphs are made in a lighter way: jusText's own
recompute their whitespace-normalised text on every read (six reads a paragraph when
classifying), format an XPath that nothing here reads, join the whole element path for
each new paragraph, and come from SAX events that ``lxml.sax`` makes of the tree. Caching the
text, skipping the XPath and walking the tree directly gives the same paragraphs and
classes in about a third of the time (BENCHMARKS.md, step 12 and round ten;
``tests/test_paragraphs.py`` checks them against jusText's own maker).
"""

from __future__ import annotations

import functools
import re
from typing import cast

from justext.core import GOOD_OR_BAD, PARAGRAPH_TAGS, classify_paragraphs
from justext.paragraph import Paragraph
from justext.utils import get_stoplist, get_stoplists
from lxml.etree import XPath
from lxml.html import HtmlElement

__all__ = ["justext_text", "make_paragraphs", "revise_classes"]

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
    revise_classes(paragraphs, max_heading_distance=150)
    texts = (_paragraph_text(p) for p in paragraphs if not p.is_boilerplate)
    return "\n\n".join(t for t in texts if t)


def revise_classes(paragraphs: list[Paragraph], *, max_heading_distance: int) -> None:
    """jusText's ``revise_paragraph_classification``, in time linear in the paragraphs.

    jusText looks for each short or near-good paragraph's nearest good or bad neighbours
    by walking out from it, which is quadratic in a long run of short paragraphs (a
    page of link lines: 5 ms of a 15 ms page). Here each direction is walked once; the
    classes are the same (``tests/test_paragraphs.py`` compares them with jusText's).
    """
    for index, paragraph in enumerate(paragraphs):
        paragraph.class_type = paragraph.cf_class
        # (jusText copies the classes in this same walk: those after ``index`` are not yet)
        heading = paragraph.heading and paragraph.class_type == "short"
        if heading and _good_within(paragraphs, index, max_heading_distance):
            paragraph.class_type = "neargood"
    # short paragraphs take their class from their neighbours (the document's edges: bad)
    before, before_any = _nearest(paragraphs, range(len(paragraphs)))
    after, after_any = _nearest(paragraphs, range(len(paragraphs) - 1, -1, -1))
    new_classes = {}
    for index, paragraph in enumerate(paragraphs):
        if paragraph.class_type != "short":
            continue
        prev, next_ = before[index], after[index]
        if prev == next_:  # both good, or both bad
            new_classes[index] = prev
        elif (prev == "bad" and before_any[index] == "neargood") or (
            next_ == "bad" and after_any[index] == "neargood"
        ):
            new_classes[index] = "good"
        else:
            new_classes[index] = "bad"
    for index, value in new_classes.items():
        paragraphs[index].class_type = value
    # near-good paragraphs: bad between two bad ones, else good; those before are revised
    after, _ = _nearest(paragraphs, range(len(paragraphs) - 1, -1, -1))
    prev = "bad"
    for index, paragraph in enumerate(paragraphs):
        if paragraph.class_type == "neargood":
            paragraph.class_type = "bad" if (prev, after[index]) == ("bad", "bad") else "good"
        if paragraph.class_type in GOOD_OR_BAD:
            prev = paragraph.class_type
    for index, paragraph in enumerate(paragraphs):
        heading = paragraph.heading and paragraph.class_type == "bad" != paragraph.cf_class
        if heading and _good_within(paragraphs, index, max_heading_distance):
            paragraph.class_type = "good"


def _nearest(paragraphs: list[Paragraph], order: range) -> tuple[list[str], list[str]]:
    """For each paragraph, walking ``order``: the class of the nearest good or bad one
    before it, and of the nearest good, bad or near-good one ("bad" at the edge)."""
    decided = [""] * len(paragraphs)
    any_class = [""] * len(paragraphs)
    last = last_any = "bad"
    for index in order:
        decided[index], any_class[index] = last, last_any
        value = paragraphs[index].class_type
        if value in GOOD_OR_BAD:
            last = last_any = value
        elif value == "neargood":
            last_any = value
    return decided, any_class


def _good_within(paragraphs: list[Paragraph], index: int, distance: int) -> bool:
    """Whether a good paragraph follows ``index`` within ``distance`` characters (jusText's
    test for a heading before good text)."""
    walked = 0
    for paragraph in paragraphs[index + 1 :]:
        if walked > distance:
            return False
        if paragraph.class_type == "good":
            return True
        walked += len(paragraph.text)
    return False


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
    return _Walk(tree).paragraphs


class _LightParagraph(Paragraph):  # type: ignore[misc]  # (jusText has no type hints)
    """A jusText paragraph that keeps its text once computed and has no XPath."""

    def __init__(self, dom_path: str) -> None:
        # jusText's __init__ builds the dotted tag path and an XPath from the whole
        # element path; classification reads only the first (``'select' in dom_path``),
        # which the walk keeps up to date as elements open and close.
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

    def stopwords_density(self, stopwords: frozenset[str]) -> float:
        # jusText's count, lower-casing and splitting the text once instead of word by word
        words = self.text.lower().split()
        return sum(map(stopwords.__contains__, words)) / len(words) if words else 0

    def append_text(self, text: str) -> str:
        text = normalize_whitespace(text)
        self.text_nodes.append(text)
        self._text = None
        return text


class _Walk:
    """jusText's ``ParagraphMaker`` as a walk of the tree: the events its SAX handler
    receives from ``lxml.sax.saxify``, in the same order, without the SAX layer."""

    def __init__(self, root: HtmlElement) -> None:
        self.paragraphs: list[Paragraph] = []
        self.paragraph = _LightParagraph("")
        self.link = False
        self.br = False
        self._element(root, "")
        self._new_paragraph("")

    def _new_paragraph(self, dom: str) -> None:
        # jusText's test: a paragraph is false when its text is empty once stripped
        if self.paragraph.text_nodes and self.paragraph.text:
            self.paragraphs.append(self.paragraph)
        self.paragraph = _LightParagraph(dom)

    def _characters(self, content: str) -> None:
        if content.isspace():
            return
        text = self.paragraph.append_text(content)
        if self.link:
            self.paragraph.chars_count_in_links += len(text)
        self.br = False

    def _element(self, element: HtmlElement, parent_dom: str) -> None:
        tag = element.tag
        if not isinstance(tag, str):  # a comment or processing instruction: its tail only
            if element.tail:
                self._characters(element.tail)
            return
        name = tag.rpartition("}")[2]
        dom = f"{parent_dom}.{name}" if parent_dom else name
        if name in PARAGRAPH_TAGS or (name == "br" and self.br):
            if name == "br":  # <br><br> separates paragraphs and is no tag of one
                self.paragraph.tags_count -= 1
            self._new_paragraph(dom)
        else:
            self.br = name == "br"
            if self.br:
                self.paragraph.append_text(" ")
            elif name == "a":
                self.link = True
            self.paragraph.tags_count += 1
        if element.text:
            self._characters(element.text)
        for child in element:
            self._element(child, dom)
        if name in PARAGRAPH_TAGS:
            self._new_paragraph(parent_dom)
        if name == "a":
            self.link = False
        if element.tail:
            self._characters(element.tail)


_SPACE_RUN = re.compile(r"\s+")
_SPACE_RUN_WITHOUT_BREAK = re.compile(r"[^\S\n\r]+")
_BREAK_RUN = re.compile(r" ?[\n\r][ \n\r]*")  # once the other runs are one space each


def normalize_whitespace(text: str) -> str:
    """jusText's ``normalize_whitespace``: a run of white space that holds a line break is
    one "\\n", any other run one space. jusText decides each run in a Python callback;
    plain replacements give the same text faster (``tests/test_paragraphs.py``), in time
    linear in the text (no pattern here backtracks over a long run)."""
    if "\n" in text or "\r" in text:
        return _BREAK_RUN.sub("\n", _SPACE_RUN_WITHOUT_BREAK.sub(" ", text))
    return _SPACE_RUN.sub(" ", text)


@functools.cache
def _stopwords() -> frozenset[str]:
    """The stopwords of every language jusText knows (read once per process)."""
    return frozenset(word for language in get_stoplists() for word in get_stoplist(language))
