"""Put back the prose an extractor skipped in the middle of what it kept.

trafilatura and jusText keep an article's text but often drop whole stretches of it:
a section under its own container, a list of steps, a product's description beside
its specifications. The page's blocks (``scraper.cleaner.pageblocks``) still hold them. A block
is put back when it lies between two blocks the reading kept (so inside the article,
never before or after it), is not in the reading already, is a paragraph
(``GAP_MIN_WORDS`` words or more), is mostly not link text (a related-stories box
is), is not repeated on the page (a post's template heading is), is not in a reader
comment section (the reading leaves comments out), is not a figure's caption or
credit (the readings leave images out, and their captions with them: BENCHMARKS.md,
round nine) and is not preformatted (the block reading loses its layout). Tuned on
the even-numbered pages of WCXB-dev, checked on the odd ones (BENCHMARKS.md, step 14).

When the reading kept less than ``FRAGMENTED_COVERAGE`` of the words of those blocks
inside its span, it read the page as fragments (a service page's sections, a listing's
items, a product's feature list): shorter blocks are put back too, down to
``FRAGMENTED_MIN_WORDS`` (BENCHMARKS.md, step 15).

Blocks and reading are compared on their letters and digits only: the extractors and
the block reading space, punctuate and decode a page's text slightly differently.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate

from scraper.cleaner.pageblocks import Block
from scraper.measures import keys, word_count

__all__ = [
    "ANCHOR_MIN_WORDS",
    "FRAGMENTED_COVERAGE",
    "FRAGMENTED_MIN_WORDS",
    "GAP_MAX_LINK_SHARE",
    "GAP_MIN_WORDS",
    "fill_gaps",
]

# A kept block this long is surely the reading's own, not a phrase it happens to hold.
ANCHOR_MIN_WORDS = 3
# Put back only paragraphs, not the labels and calls to action between them.
GAP_MIN_WORDS = 12
GAP_MAX_LINK_SHARE = 0.5
# Below this share of the span's words kept, the reading skipped most of the content.
FRAGMENTED_COVERAGE = 0.7
FRAGMENTED_MIN_WORDS = 3

_KEY_CHARS = 200


def fill_gaps(reading: str, blocks: Sequence[Block]) -> str:
    """``reading`` (paragraphs separated by blank lines) with the skipped blocks put back,
    each after the paragraph that holds the kept block before it."""
    paragraphs = reading.split("\n\n")
    para_keys = keys(paragraphs)
    whole = "".join(para_keys)
    if not whole:
        return reading
    ends = list(accumulate(map(len, para_keys)))  # where each paragraph ends in ``whole``

    # (paragraph it follows, the gap's blocks as (text, words))
    gaps: list[tuple[int, list[tuple[str, int]]]] = []
    cursor = 0  # kept blocks are matched in reading order: a later quote is not one
    after: int | None = None  # paragraph holding the last kept block
    pending: list[tuple[str, int]] = []
    kept_words = skipped_words = pending_words = 0
    texts = [block.text for block in blocks]
    repeated = {text for text, count in Counter(texts).items() if count > 1}
    # a block's opening is enough to tell whether the reading holds it
    for block, key in zip(blocks, keys([text[:_KEY_CHARS] for text in texts]), strict=True):
        if not key:
            continue
        words = word_count(block.text)
        found = whole.find(key, cursor)
        if found >= 0 and words >= ANCHOR_MIN_WORDS:
            if after is not None and pending:
                gaps.append((after, pending))
                skipped_words += pending_words
            pending, pending_words = [], 0
            kept_words += words
            cursor = found + len(key)
            after = bisect_right(ends, cursor - 1)  # the paragraph holding its end
        elif (
            after is not None
            and block.link_share <= GAP_MAX_LINK_SHARE
            and not block.preformatted
            and not block.in_comments
            and not block.in_figure
            and block.text not in repeated
            and key not in whole
        ):
            pending.append((block.text, words))
            pending_words += words
    fragmented = kept_words < FRAGMENTED_COVERAGE * (kept_words + skipped_words)
    min_words = FRAGMENTED_MIN_WORDS if fragmented else GAP_MIN_WORDS
    inserts: dict[int, list[str]] = {}
    for index, gap in gaps:
        filled = [text for text, words in gap if words >= min_words]
        if filled:
            inserts.setdefault(index, []).extend(filled)
    if not inserts:
        return reading
    out = []
    for index, paragraph in enumerate(paragraphs):
        out.append(paragraph)
        out.extend(inserts.get(index, ()))
    return "\n\n".join(out)
