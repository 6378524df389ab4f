"""Paragraphs of an article's reading that are links to other pages: teasers.

A paragraph whose text is almost all (``TEASER_LINK_SHARE``) link text to another page
points elsewhere ("Read more: the other story", a related headline, a "more from"
list's items); the article's own sentences hold a link now and then, not only links.
Links within the page (a contents list) and a link whose text is an address (a
reference) do not count; a link that spans blocks (a card: its headline and its summary,
or "« Previous" and the title under it) makes each of them link text; a heading is never
a teaser (a roundup's linked item titles), nor is a line of links in a block of its own
text (an entry's linked name, its address on the lines under it: BENCHMARKS.md, this
session). The share comes from the page's blocks
(``scraper.cleaner.pageblocks``), matched to the paragraphs by their letters and digits.

Used on articles only, declared or shaped like one (``readings.reads_as_article``):
on a listing or a collection the links are the content (BENCHMARKS.md, round nine).
"""

from __future__ import annotations

from collections.abc import Sequence

from scraper.cleaner.pageblocks import Block
from scraper.measures import keys, word_count

__all__ = ["MAX_DROPPED", "TEASER_LINK_SHARE", "without_link_paragraphs"]

TEASER_LINK_SHARE = 0.8
# Links making a third of the reading or more are its content (a list of links, a
# roundup), not teasers beside it.
MAX_DROPPED = 0.34


def without_link_paragraphs(reading: str, blocks: Sequence[Block]) -> str:
    """``reading`` (paragraphs separated by blank lines) without the paragraphs that are
    one block of the page made of links, unless they are a third of it or more."""
    # a line of links in a block of its own text (a name linked at the head of an entry,
    # its details on the lines after it) is the block's, not a teaser
    own = {b.path for b in blocks if b.card_share < TEASER_LINK_SHARE and b.path}
    linked = [
        b.text
        for b in blocks
        if b.card_share >= TEASER_LINK_SHARE and not b.heading and b.path not in own
    ]
    if not linked:
        return reading
    teasers = set(keys(linked))
    teasers.discard("")
    paragraphs = reading.split("\n\n")
    kept, dropped = [], 0
    for paragraph, key in zip(paragraphs, keys(paragraphs), strict=True):
        if key in teasers:
            dropped += word_count(paragraph)
        else:
            kept.append(paragraph)
    if not kept or dropped > MAX_DROPPED * word_count(reading):
        return reading  # a list of links is the page's content
    return "\n\n".join(kept)
