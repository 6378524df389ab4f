"""Reader comments, read apart from the article.

A comment section is found by its usual names (``comment`` in a class or id, Disqus,
WordPress's ``#respond``), as ``pageblocks`` and ``justext_reading`` find it. Inside it,
one comment is one of the repeated elements: the children of the list that holds the
most children of one shape (tag and class), and, for replies, the same inside each of
them. A comment's author is the first short text marked as one (``author``, ``fn``,
``itemprop=author``, ``cite``), its date the first ``time`` (its ``datetime``), its text
the paragraphs left once the author line, the date, the reply buttons and the replies
are set aside.
"""

from __future__ import annotations

import re
from collections import Counter

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.document import Comment
from scraper.measures import word_count

__all__ = ["COMMENT_SECTIONS", "STORY_WORDS", "read_comments", "story_before_comments"]

COMMENT_SECTIONS = "[class*=comment i], [id*=comment i], [id*=disqus i], #respond"
_AUTHOR = "[class*=author i], [itemprop=author], .fn, cite, [class*=user i], [class*=name i]"
_META = "[class*=meta i], [class*=reply i], [class*=action i], [class*=footer i], form, button"
_MAX_AUTHOR = 60
_MAX_COMMENTS = 500
# words of a comment with neither author nor date: fewer is a count or a prompt
_MIN_WORDS = 12
_SPACE = re.compile(r"\s+")
# An article's own container, by its markup (HTML, ARIA, schema.org), in no language.
_STORY = "article, [role=article i], [itemprop=articleBody i], [itemtype*=Article]"
# A story this long, outside the comment sections, is an article however short it is.
STORY_WORDS = 20


def read_comments(tree: LexborHTMLParser) -> tuple[Comment, ...]:
    """The page's reader comments, in page order (``tree`` is not changed)."""
    out: list[Comment] = []
    seen: set[int] = set()
    for section in tree.css(COMMENT_SECTIONS):
        if _inside(section, seen) or section.tag in ("body", "html", "main", "article"):
            continue
        seen.add(section.mem_id)
        for item in _items(section):
            comment = _comment(item)
            if comment is not None:
                out.append(comment)
            if len(out) >= _MAX_COMMENTS:
                return tuple(out)
    return tuple(out)


def _inside(node: LexborNode, seen: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in seen:
            return True
        parent = parent.parent
    return False


def _shape(node: LexborNode) -> tuple[str, str]:
    return node.tag or "", " ".join(sorted((node.attributes.get("class") or "").split()[:1]))


def _items(section: LexborNode) -> list[LexborNode]:
    """The comments in ``section``: the children of its largest list of same-shaped
    elements, each followed by the replies inside it."""
    best: list[LexborNode] = []
    for parent in [section, *section.css("*")]:
        children = [c for c in parent.iter() if c.tag and not c.tag.startswith("-")]
        if len(children) < 2 or len(children) <= len(best):
            continue
        shape, count = Counter(_shape(c) for c in children).most_common(1)[0]
        if count >= 2 and count > len(best):
            best = [c for c in children if _shape(c) == shape]
    if not best and section.text(strip=True):
        best = [section]
    out = []
    for item in best:
        out.append(item)
        for reply_list in item.css("ul, ol, [class*=children i], [class*=replies i]"):
            shapes = Counter(_shape(c) for c in reply_list.iter() if c.tag and c.tag[0] != "-")
            if shapes and shapes.most_common(1)[0][1] >= 1:
                shape = shapes.most_common(1)[0][0]
                for reply in reply_list.iter():
                    if _shape(reply) == shape and reply.css_first("p") is not None:
                        out.append(reply)
            break
    return out


def _comment(item: LexborNode) -> Comment | None:
    author_node, author = None, None
    for node in item.css(_AUTHOR):
        text = _SPACE.sub(" ", node.text(separator=" ")).strip().rstrip(":").strip()
        if 0 < len(text) <= _MAX_AUTHOR and not _under(node, _replies(item), item):
            author_node, author = node, text
            break
    time = item.css_first("time")
    date = None
    if time is not None:
        date = (time.attributes.get("datetime") or time.text(strip=True) or None) or None
    skip = _replies(item) | {n.mem_id for n in item.css(_META)}
    if author_node is not None:
        skip.add(author_node.mem_id)
    paragraphs = [
        _SPACE.sub(" ", p.text(separator=" ")).strip()
        for p in item.css("p")
        if not _under(p, skip, item)
    ]
    text = "\n\n".join(p for p in paragraphs if p)
    if not text:
        whole = _SPACE.sub(" ", item.text(separator=" ")).strip()
        for part in (author, time.text(strip=True) if time is not None else None):
            if part:
                whole = whole.replace(part, "", 1).strip()
        text = whole
    # a count ("12 Comments"), a login prompt: no author, no date, a few words
    if not text or (author is None and date is None and word_count(text) < _MIN_WORDS):
        return None
    return Comment(text=text, author=author, date=date)


def _replies(item: LexborNode) -> set[int]:
    return {n.mem_id for n in item.css("ul, ol, [class*=children i], [class*=replies i]")}


def _under(node: LexborNode, skip: set[int], stop: LexborNode) -> bool:
    parent: LexborNode | None = node
    while parent is not None and parent.mem_id != stop.mem_id:
        if parent.mem_id in skip:
            return True
        parent = parent.parent
    return False


def story_before_comments(tree: LexborHTMLParser) -> bool:
    """Whether the page holds a story of its own above its comment sections: an article
    container (``article``, ``role=article``, schema.org's ``articleBody`` or ``Article``)
    outside the comment sections, ahead of the first of them or holding it, with
    ``STORY_WORDS`` words of its own, and not one of a run of containers alike (a thread's
    posts, a listing's cards). Such a page is an article with comments, however short the
    story and however long the thread below it; a thread's first post is one of its posts."""
    sections: set[int] = set()
    story = False
    for node in tree.css(f"{_STORY}, {COMMENT_SECTIONS}"):  # in page order
        if _inside(node, sections):
            continue
        if node.css_matches(_STORY):
            story = story or (_own_words(node) >= STORY_WORDS and not _one_of_alike(node))
        elif node.tag not in ("body", "html", "main"):
            return story  # the first comment section
    return False  # no comment section: nothing to tell apart


def _own_words(node: LexborNode) -> int:
    """The words of ``node`` outside the comment sections inside it."""
    words = word_count(node.text(separator=" "))
    inner: set[int] = set()
    for section in node.css(COMMENT_SECTIONS):  # (which matches ``node`` itself too)
        if section.mem_id != node.mem_id and not _inside(section, inner):
            inner.add(section.mem_id)
            words -= word_count(section.text(separator=" "))
    return max(words, 0)


def _one_of_alike(node: LexborNode) -> bool:
    """Whether ``node``'s parent holds another element of its shape (tag and first class)."""
    parent = node.parent
    if parent is None:
        return False
    shape = _shape(node)
    return sum(1 for child in parent.iter() if _shape(child) == shape) > 1
