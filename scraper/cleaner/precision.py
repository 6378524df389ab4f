"""The kept text held to the article's, whichever reading kept it.

A reading (trafilatura's, jusText's or the page's own blocks) can keep, around the
article, blocks that are no article text on any page: the site's navigation lists, a
run of link lines, the footer's rows. Each paragraph of the reading is matched to its
block of the page (``scraper.cleaner.pageblocks``, by letters and digits) and weighed: a
prose paragraph (``PROSE_WORDS`` words or more, mostly not link text) counts its words for
the main text, a navigation block (``is_navigation``: ``NAV_LINK_SHARE`` of it link text,
most of its links to the site's section pages, ``scraper.cleaner.links``) counts its words
against. The main text is the run of paragraphs that weighs most (``main_span``). Outside
it, and outside the block elements that hold its prose (position in the page, not only in
the reading), navigation goes when it is a block of several links or a run of link lines
(a lone link line between other lines is an item of a list or a table), and so do short
paragraphs with a copyright sign (a footer's line): all of it before the main text, and
after it unless it is ``MAX_DROPPED`` of what is left or more (a directory's or a category
page's links are its content). Inside the main text nothing goes here: a roundup's links
and a story's own link lines are its content. A reading without a prose paragraph has no
main text and is left as it is.

All of it is judged by shape (link density, where the links point, prose measures that
know every script, position against the main text), never by a language's words.
"""

from __future__ import annotations

from collections.abc import Sequence

from scraper.cleaner.pageblocks import Block
from scraper.measures import keys, word_count

__all__ = [
    "FOOTER_WORDS",
    "MAX_DROPPED",
    "NAV_LINK_SHARE",
    "PROSE_WORDS",
    "article_only",
    "is_navigation",
    "main_span",
]

PROSE_WORDS = 12
NAV_LINK_SHARE = 0.6
# A footer's copyright line is short; a paragraph this long that names a copyright is prose.
FOOTER_WORDS = 30
# Navigation making this share of the reading's words or more is its content (a
# directory, a category page's list), not chrome around an article.
MAX_DROPPED = 0.5
_COPYRIGHT = "\u00a9"


def is_navigation(block: Block) -> bool:
    """Whether ``block`` navigates: ``NAV_LINK_SHARE`` of it link text to other pages, and
    most of its links navigating (``scraper.cleaner.links.is_nav_link``)."""
    return block.away_share >= NAV_LINK_SHARE and 2 * block.nav_links >= block.links > 0


def main_span(weights: Sequence[int]) -> tuple[int, int] | None:
    """The run of consecutive ``weights`` with the largest sum, as (first, last) indices;
    None when no weight is positive."""
    best, best_span = 0, None
    total, start = 0, 0
    for index, weight in enumerate(weights):
        if total <= 0:
            total, start = 0, index
        total += weight
        if total > best:
            best, best_span = total, (start, index)
    return best_span


def article_only(reading: str, blocks: Sequence[Block]) -> str:
    """``reading`` (paragraphs separated by blank lines) without the navigation blocks
    and footer lines before and after its main text (see the module docstring)."""
    paragraphs = reading.split("\n\n")
    if len(paragraphs) < 2 or (
        _COPYRIGHT not in reading and not any(is_navigation(b) for b in blocks)
    ):
        return reading  # most pages: nothing to take away
    found: dict[str, Block] = {}
    for page_block, key in zip(blocks, keys([b.text for b in blocks]), strict=True):
        found.setdefault(key, page_block)
    weights: list[int] = []
    chrome: list[bool] = []
    navs: list[bool] = []
    matched: list[Block | None] = []
    for paragraph, key in zip(paragraphs, keys(paragraphs), strict=True):
        block = found.get(key)
        matched.append(block)
        words = word_count(paragraph)
        linked = block is not None and block.away_share >= NAV_LINK_SHARE
        nav = block is not None and is_navigation(block)
        if nav:
            weights.append(-words)
        elif not linked and words >= PROSE_WORDS:
            weights.append(words)
        else:
            weights.append(0)
        chrome.append(_COPYRIGHT in paragraph and words <= FOOTER_WORDS)
        navs.append(nav)
    # a navigation line alone between other lines is an item of a list or a table (a
    # ranking's product names): navigation is a block of links or a run of link lines
    for index, nav in enumerate(navs):
        block = matched[index]
        run = (index > 0 and navs[index - 1]) or (index + 1 < len(navs) and navs[index + 1])
        if nav and (run or (block is not None and block.links > 1)):
            chrome[index] = True
    span = main_span(weights)
    if span is None:
        return reading
    first, last = span
    core = zip(matched[first : last + 1], weights[first : last + 1], strict=True)
    box = _container([block.path for block, weight in core if block and weight > 0])
    before, main, after, dropped = [], [], [], 0
    for index, (paragraph, block) in enumerate(zip(paragraphs, matched, strict=True)):
        outside = block is not None and block.path[: len(box)] != box and chrome[index]
        if index < first:
            if not outside:  # navigation ahead of the main text is never its content
                before.append(paragraph)
        elif index <= last:
            main.append(paragraph)
        elif outside:
            dropped += word_count(paragraph)
        else:
            after.append(paragraph)
    rest = word_count("\n\n".join([*before, *main, *after]))
    if dropped > MAX_DROPPED * (rest + dropped):
        after = paragraphs[last + 1 :]  # links making half of the rest are its content
    return "\n\n".join([*before, *main, *after])


def _container(paths: list[tuple[int, ...]]) -> tuple[int, ...]:
    """The block elements that hold all of ``paths`` (the main text's prose blocks): their
    common start, or a lone block's parents."""
    if not paths:
        return ()
    if len(paths) == 1:
        return paths[0][:-1]
    common = paths[0]
    for path in paths[1:]:
        size = 0
        for a, b in zip(common, path, strict=False):
            if a != b:
                break
            size += 1
        common = common[:size]
    return common
