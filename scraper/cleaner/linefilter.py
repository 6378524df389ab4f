"""Drop lines that are interface chrome on any site: buttons, prompts, share links.

A line goes only when *all* of it is chrome: its words, casefolded and without
punctuation, are a line of the page language's chrome vocabulary or of the English one
(``scraper/cleaner/vocab/<language>.txt``), or match ``_CHROME_PATTERNS`` (English buttons,
shop and navigation labels), or it is a short sign-up call or notice (``_NOTICE``) or an affiliate
disclosure (``_DISCLOSURE``). A sentence that merely mentions sharing or subscribing
stays, and so does a line written with the characters of code or paths (``/login``,
``login()``, ``$ search``): the text of a code sample is not the page's interface.

Short label lines left at the very end of the text ("Tags", "Follow Example News")
go too: a heading with nothing after it introduces nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scraper.cleaner.measures import ends_sentence, word_count
from scraper.cleaner.vocab import chrome_vocabulary

__all__ = ["CHROME_LINES", "chrome_free", "is_chrome_line"]

# The English vocabulary: English labels appear on pages of every language.
CHROME_LINES = chrome_vocabulary(None)

_CHROME_PATTERNS = re.compile(
    r"^(?:"
    r"(?:share|follow us) on \w+(?: \w+)?"
    r"|(?:copyright )?(?:\d{4} )?(?:[\w&]+ ){0,6}all rights reserved"
    r"|\d+ comments?"
    r"|(?:\d+ )?min(?:ute)?s? read"
    # navigation between posts and back to the index
    r"|(?:next|previous|prev|older|newer) (?:article|post|story|entry|posts|articles|stories"
    r"|entries)\b.*"
    r"|tags?|categories|back to (?:blog|news|top|articles|all \w+)|blog index|contact us"
    r"|pin (?:it )?for later|print this (?:article|page|post)"
    # skip links ("Skip to main", "Skip navigation")
    r"|skip (?:to (?:the )?(?:main|content|navigation|search|footer)|navigation)(?: \w+)?"
    # shop and app widgets
    r"|free (?:fast )?(?:shipping|delivery|returns)(?: on (?:all )?orders? over \S+)?"
    r"|customer reviews?|reviews?|write a review|regular price|sale price|unit price|price"
    r"|notify me(?: when (?:back in stock|available))?|shop (?:now|all)|buy now"
    r"|pick up in store|in stock|out of stock|sold out|est(?:imated)? delivery"
    r"|(?:sort|filter)(?: (?:and )?(?:sort|filter))?|sort options|view options|(?:sort|filter) by"
    r"|showing \d+(?: \d+)? (?:of|to) \d+(?: \w+)?|\d+ (?:products|results|items)"
    r"|(?:sign in|log in|login|register|sign up|join) now|register a new account"
    r"|create an account or sign in to comment"
    r"|get started|contact sales|start building|open app|download the app|learn more"
    r"|(?:view|see|show) all(?: \w+)?|shop the look"
    # feedback prompts and closed threads
    r"|(?:was|is) this (?:page |article |answer |post )?(?:helpful|useful)"
    r"|did you find this helpful"
    r")$"
)
# "Subscribe to get the latest posts sent to your email", "Sign up for our newsletter".
# ..., and "This topic was automatically closed after 30 days. New replies are ...".
_NOTICE = re.compile(
    r"^(?:subscribe|sign up|join|get)\b.{0,100}"
    r"\b(?:newsletters?|email|inbox|updates|latest posts)\b"
    r"|^this (?:topic|thread) (?:was|has been) (?:automatically )?closed\b"
    # a byline line left in the text: "Written by Jane Doe", "Posted by David at May 1, 2025"
    r"|^(?:written|posted|published|reviewed|edited|fact checked|medically reviewed) by"
    r"(?: \w+){1,4}(?: (?:at|on) .{0,40})?$"
)
_NOTICE_WORDS = 20
# "Purchases made through our links may earn us a commission."
_DISCLOSURE = re.compile(
    r"\b(?:may|might|will|could) (?:\w+ ){0,3}(?:earn|receive|get) (?:\w+ ){0,4}"
    r"(?:commission|compensation|share of (?:the )?sales?)\b"
)
_DISCLOSURE_WORDS = 50
# Every rule reads at most 50 words: a longer line is prose, and not worth reading word
# by word (long paragraphs are most of a page's text).
_LONG_LINE = 1000
# A trailing label: a few words without sentence punctuation or figures.
_LABEL_WORDS = 4
_WORD = re.compile(r"\w+")
# Characters of code, paths and markup, never of a button's label ("$75" is a price).
_CODE = re.compile(r"[/\\=<>{}\[\];`@_()~]|\$(?!\d)|^\s*[.#]\w")


def is_chrome_line(line: str, language: str | None = None) -> bool:
    """Whether all of ``line`` is chrome on a page in ``language`` (an ISO 639-1 code; None
    or a language without a vocabulary: English alone)."""
    if len(line) > _LONG_LINE:
        return False
    words = " ".join(_WORD.findall(line.casefold()))
    if not words:
        return False
    count = words.count(" ") + 1
    # Sentences this specific are chrome even with a parenthesis or a URL in them.
    if count <= _DISCLOSURE_WORDS and _DISCLOSURE.search(words):
        return True
    if _CODE.search(line):
        return False
    if len(words) <= 60 and (words in chrome_vocabulary(language) or _CHROME_PATTERNS.match(words)):
        return True
    return count <= _NOTICE_WORDS and bool(_NOTICE.match(words))


def chrome_free(
    paragraphs: Sequence[str], verbatim: Sequence[bool] = (), language: str | None = None
) -> list[int]:
    """The indices of ``paragraphs`` that are not chrome: a paragraph goes when each of
    its lines is a chrome line on a page in ``language`` (see ``is_chrome_line``), and short
    labels left at the end go. ``verbatim`` paragraphs (code) are never chrome."""
    kept = []
    for index, paragraph in enumerate(paragraphs):
        code = index < len(verbatim) and verbatim[index]
        lines = paragraph.split("\n")
        if code or any(ln.strip() and not is_chrome_line(ln, language) for ln in lines):
            kept.append(index)
    while len(kept) > 1 and not _verbatim(verbatim, kept[-1]) and _is_label(paragraphs[kept[-1]]):
        kept.pop()
    return kept


def _verbatim(verbatim: Sequence[bool], index: int) -> bool:
    return index < len(verbatim) and verbatim[index]


def _is_label(block: str) -> bool:
    block = block.strip()
    return (
        "\n" not in block
        and word_count(block) <= _LABEL_WORDS
        and not ends_sentence(block)
        and not any(c.isdigit() for c in block)
        and not _CODE.search(block)
    )
