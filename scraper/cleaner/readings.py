"""The readings of a pruned page, and the choice among them.

Two kinds of reading are made. The precise one comes from trafilatura (fast mode, no
comments); the complete one is the page's own blocks (``scraper.cleaner.pageblocks``).
When trafilatura keeps less than ``RETRY_RATIO`` of the words the page shows in its main
area, jusText's paragraph classifier reads the page too, and its reading is kept when it
is clearly longer: ``ESCALATION_ACCEPT_RATIO``, 1.5 times the words, the margin
trafilatura asks of its own recall retry (BENCHMARKS.md, round eleven). trafilatura's
own slow fallback run, readability then jusText, measured no better at about twice the
cost (BENCHMARKS.md, step 8). trafilatura's recall-mode retry is decided here, from the
block reading, and only for pages that declare one article or product (others have the
block fallback): its own decision measured the whole page again on every short reading
(BENCHMARKS.md, step 13). When even that keeps less than ``FALLBACK_RATIO`` of the
words, the extractors have missed the page's content (a forum thread, a listing, a
service page) and the block reading is used instead, unless the page declares itself one
article or one product, or the reading holds ``ARTICLE_PARAGRAPHS`` long paragraphs (an
article beside a huge tag archive).
The lxml tree the extractors read is parsed once, for every reading and the metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura
from lxml.etree import strip_elements
from lxml.html import HtmlElement
from selectolax.lexbor import LexborHTMLParser
from trafilatura.core import ESCALATION_ACCEPT_RATIO, ESCALATION_MAX_LENGTH
from trafilatura.settings import Extractor
from trafilatura.utils import load_html

from scraper.cleaner.justext_reading import justext_text
from scraper.cleaner.pageblocks import Block
from scraper.cleaner.precision import is_navigation
from scraper.measures import word_count

__all__ = [
    "FALLBACK_RATIO",
    "READINGS",
    "RETRY_RATIO",
    "Choice",
    "choose_reading",
    "lxml_tree",
    "reads_as_article",
]

# Tuned on the even-numbered pages of WCXB-dev, checked on the odd ones (BENCHMARKS.md).
FALLBACK_RATIO = 0.2
# Below this share of the main area's words, jusText reads the page too
# (tuned on even pages, checked on odd ones: BENCHMARKS.md).
RETRY_RATIO = 0.4
# A page with fewer paragraphs this long outside its comment sections is a thread of
# posts, whose "comments" are its content; with more, an article and its readers' comments.
THREAD_PARAGRAPHS = 2
THREAD_PARAGRAPH_WORDS = 20
# Pages that declare themselves one article or one product keep trafilatura's reading.
NO_FALLBACK_KINDS: frozenset[str | None] = frozenset({"article", "product"})
# A reading with this many paragraphs this long found an article, however much else the
# page holds (tag clouds, archives): the block reading would bring all of that back.
ARTICLE_PARAGRAPHS = 5
ARTICLE_PARAGRAPH_WORDS = 30
# trafilatura 2.3.1 retries a short reading in recall mode only when its focus is exactly
# "balanced", after measuring the whole page's text once more. ``choose_reading`` makes that
# decision itself, from the block reading it has anyway; any other focus name than
# "precision" or "recall" runs the balanced rules (tests/test_extract.py checks both).
_BALANCED_WITHOUT_RETRY = "balanced, retried by scraper"
# Read by no extractor once the metadata is known: trafilatura strips or deletes them
# first thing, but only after copying the tree; removed before, they cost nothing.
_MEDIA_AND_HEAD_LINKS = ("meta", "link", "img", "picture", "source")

_WORD = re.compile(r"\w+")
# The readings a choice can win with: trafilatura's balanced rules, its recall rules,
# jusText's classifier, the page's own blocks.
READINGS = ("trafilatura", "trafilatura-recall", "justext", "blocks", "template")


@dataclass(frozen=True)
class Choice:
    """The reading chosen: its text, and whether it is the page's own blocks (which need
    no gap filling) rather than an extractor's."""

    text: str  # paragraphs separated by one blank line
    from_blocks: bool = False
    thread: bool = False  # the page is a thread of posts: what it calls comments is content
    reading: str = "trafilatura"  # which reading won: one of ``READINGS``


def lxml_tree(tree: LexborHTMLParser) -> HtmlElement | None:
    """The pruned page as lxml, which trafilatura and jusText read (lexbor's tree is the
    one everything else reads; they need their own)."""
    return load_html(tree.html or "")


def choose_reading(
    parsed: HtmlElement | None,
    blocks: list[Block],
    kind: str | None,
    url: str | None,
    *,
    story: bool = False,
) -> Choice:
    """Read ``parsed`` (consumed) with trafilatura, jusText when trafilatura kept little,
    and choose among them and the page's ``blocks`` (see the module docstring). ``story``:
    the page has a story of its own above its comment sections
    (``comments.story_before_comments``), so it is no thread, however short the story.

    An empty ``text`` means no article was found.
    """
    if parsed is not None:
        strip_elements(parsed, *_MEDIA_AND_HEAD_LINKS, with_tail=False)
    precise = _trafilatura_text(parsed, url)
    thread = kind == "forum" or (not story and _comments_are_the_page(blocks))
    if not thread:  # no reading is the longer for a page's reader comments
        blocks = [block for block in blocks if not block.in_comments]
    complete = "\n\n".join(block.text for block in blocks)
    complete_words = len(_WORD.findall(complete))
    precise_words = len(_WORD.findall(precise))
    name = "trafilatura"
    if precise_words < RETRY_RATIO * complete_words:
        # trafilatura's own retry, on its terms but measured against the block reading
        if (
            kind in NO_FALLBACK_KINDS
            and precise_words < FALLBACK_RATIO * complete_words
            and len(precise) < ESCALATION_MAX_LENGTH
        ):
            recall = _trafilatura_text(parsed, url, recall=True)
            recall_words = len(_WORD.findall(recall))
            if recall_words > ESCALATION_ACCEPT_RATIO * precise_words:
                precise, precise_words, name = recall, recall_words, "trafilatura-recall"
        # the last reading of ``parsed``: jusText may consume it
        second = justext_text(parsed, drop_comments=not thread)
        second_words = len(_WORD.findall(second))
        # a second reading must be clearly longer, as trafilatura asks of its own retry
        if second_words > ESCALATION_ACCEPT_RATIO * precise_words:
            precise, precise_words, name = second, second_words, "justext"
    use_blocks = (
        kind not in NO_FALLBACK_KINDS
        and precise_words < FALLBACK_RATIO * complete_words  # the cheap test first
        and precise_words < FALLBACK_RATIO * _own_words(blocks)
        and not reads_as_article(precise)
    )
    if use_blocks:
        return Choice(complete, from_blocks=True, thread=thread, reading="blocks")
    return Choice(precise, thread=thread, reading=name)


def _own_words(blocks: list[Block]) -> int:
    """The words of the page's blocks without its navigation (``precision.is_navigation``):
    what the block reading would add to an extractor's is its own text, not the site's
    menus."""
    return sum(len(_WORD.findall(b.text)) for b in blocks if not is_navigation(b))


def _comments_are_the_page(blocks: list[Block]) -> bool:
    """Whether the page is a thread whose posts its markup calls comments: outside its
    comment sections it holds no article, not even ``THREAD_PARAGRAPHS`` paragraphs of
    ``THREAD_PARAGRAPH_WORDS`` words (a thread's title and tabs, not a story)."""
    if not any(block.in_comments for block in blocks):
        return False
    paragraphs = 0
    for block in blocks:
        if not block.in_comments and word_count(block.text) >= THREAD_PARAGRAPH_WORDS:
            paragraphs += 1
            if paragraphs >= THREAD_PARAGRAPHS:
                return False
    return True


def reads_as_article(text: str) -> bool:
    """Whether ``text`` is shaped like an article: ``ARTICLE_PARAGRAPHS`` paragraphs of
    ``ARTICLE_PARAGRAPH_WORDS`` words or more."""
    long_paragraphs = 0
    for paragraph in text.split("\n\n"):
        if word_count(paragraph) >= ARTICLE_PARAGRAPH_WORDS:
            long_paragraphs += 1
            if long_paragraphs >= ARTICLE_PARAGRAPHS:
                return True
    return False


def _trafilatura_text(tree: HtmlElement | None, url: str | None, *, recall: bool = False) -> str:
    """trafilatura's fast-mode text of ``tree`` (which it copies, so the tree can be reused):
    balanced rules without its recall retry, or with ``recall`` its recall rules."""
    if tree is None:
        return ""
    options = Extractor(fast=True, comments=False, recall=recall, output_format="python", url=url)
    if not recall:
        options.focus = _BALANCED_WITHOUT_RETRY
    result = trafilatura.bare_extraction(tree, options=options)
    if result is None:
        return ""
    text = result.get("text") if isinstance(result, dict) else result.text
    lines = [line.strip() for line in (text or "").splitlines()]
    return "\n\n".join(line for line in lines if line)
