"""Drop lines that are interface chrome on any site: buttons, prompts, share links.

A line goes only when *all* of it is chrome: its words, casefolded and without
punctuation, are one of ``CHROME_LINES`` or match ``_CHROME_PATTERNS``. A sentence that
merely mentions sharing or subscribing stays, and so does a line written with the
characters of code or paths (``/login``, ``login()``, ``$ search``): the text of a code
sample is not the page's interface.
"""

from __future__ import annotations

import re

__all__ = ["CHROME_LINES", "drop_chrome_lines", "is_chrome_line"]

CHROME_LINES = frozenset(
    {
        "share",
        "share this",
        "share this article",
        "share this post",
        "share this page",
        "share on facebook",
        "share on twitter",
        "share on linkedin",
        "tweet",
        "pin it",
        "email",
        "print",
        "copy link",
        "copied",
        "facebook",
        "twitter",
        "linkedin",
        "pinterest",
        "whatsapp",
        "reddit",
        "instagram",
        "youtube",
        "menu",
        "close",
        "search",
        "skip to content",
        "skip to main content",
        "back to top",
        "read more",
        "show more",
        "load more",
        "see more",
        "view more",
        "show less",
        "advertisement",
        "sponsored",
        "sign in",
        "log in",
        "login",
        "register",
        "sign up",
        "subscribe",
        "subscribe now",
        "register login",
        "log in register",
        "sign in register",
        "reply",
        "quote",
        "report",
        "like",
        "add to cart",
        "add to bag",
        "add to basket",
        "add to wishlist",
        "add to wish list",
        "add to compare",
        "compare",
        "filter",
        "filters",
        "sort by",
        "previous",
        "next",
        "previous post",
        "next post",
        "related posts",
        "related articles",
        "you may also like",
        "you might also like",
        "leave a comment",
        "leave a reply",
        "post a comment",
        "accept",
        "accept all",
        "reject all",
        "cookie settings",
        "manage cookies",
    }
)

_CHROME_PATTERNS = re.compile(
    r"^(?:"
    r"(?:share|follow us) on \w+(?: \w+)?"
    r"|(?:copyright )?(?:\d{4} )?(?:[\w&]+ ){0,6}all rights reserved"
    r"|\d+ comments?"
    r"|(?:\d+ )?min(?:ute)?s? read"
    r")$"
)
_WORD = re.compile(r"\w+")
# Characters of code, paths and markup, never of a button's label.
_CODE = re.compile(r"[/\\=<>{}\[\];$`@_()~]|^\s*[.#]\w")


def is_chrome_line(line: str) -> bool:
    words = " ".join(_WORD.findall(line.casefold()))
    if not words or len(words) > 60 or _CODE.search(line):
        return False
    return words in CHROME_LINES or bool(_CHROME_PATTERNS.match(words))


def drop_chrome_lines(text: str) -> str:
    """``text`` (paragraphs split by a blank line) without chrome lines."""
    blocks = []
    for block in text.split("\n\n"):
        lines = [ln for ln in block.split("\n") if not is_chrome_line(ln)]
        if any(ln.strip() for ln in lines):
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
