"""Turn one page (HTML or a text dump) into a ``Document``.

Pipeline: decode → parse (``scraper.htmlparse``) → site rules with selectolax
(``remove`` selectors, then the ``content`` container) → generic chrome pruning (on a
page that declares itself a product, its customer reviews too) → extraction
(``scraper.extract``) → ``drop_lines``.
Plain-text input skips the HTML stages and goes through ``textdump``.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.config import Config, SiteRule
from scraper.document import Document
from scraper.encoding import decode_html, looks_binary
from scraper.errors import ContentError, ExtractionError
from scraper.extract import extract_tree
from scraper.htmlparse import parse_html
from scraper.metadata import PageInfo, declared_kind, read_page_info
from scraper.prune import prune_chrome
from scraper.textdump import clean_text_dump, looks_like_html

__all__ = ["apply_site_rule", "clean"]

_SPACE = re.compile(r"[ \t\u00a0]+")
# The title is looked for among the first blocks; lines above it this short are chrome.
TITLE_SEARCH_BLOCKS = 10
ABOVE_TITLE_MAX_WORDS = 12
# A paragraph this long said twice word for word is one said once (a promotion banner
# shown at the top and bottom, a tab's text in its desktop and mobile copies).
REPEAT_MIN_WORDS = 15
_WORD = re.compile(r"\w+")


def clean(
    html: str | bytes,
    url: str | None = None,
    *,
    config: Config | None = None,
    charset: str | None = None,
) -> Document:
    """Clean one page. ``url`` picks the site rule from ``config`` (built-in defaults if None);
    ``charset`` is the HTTP header's, for bytes (it outranks the page's own declaration).

    Raises ``ContentError`` for binary or empty input and ``ExtractionError`` when no
    article text is found.
    """
    where = url or "<input>"
    config = config or Config()
    if isinstance(html, bytes):
        if not html.strip():
            raise ContentError(f"{where}: empty input", url=url)
        if looks_binary(html):
            raise ContentError(f"{where}: binary data, not an HTML page or text", url=url)
        html = decode_html(html, charset)
    if not html.strip():
        raise ContentError(f"{where}: empty input", url=url)

    host = urlsplit(url).hostname if url else None
    match = config.site_for(host)
    site_name, rule = match if match else (None, None)
    drop = [re.compile(p) for p in rule.drop_lines] if rule else []

    info = PageInfo()
    if looks_like_html(html):
        tree = parse_html(html)
        info = read_page_info(tree)
        if rule is not None:
            tree = apply_site_rule(tree, rule)
        tree = prune_chrome(tree, product=declared_kind(tree) == "product")
        extracted = extract_tree(tree, url)
        text, title, author, date = (
            extracted.text,
            extracted.title,
            extracted.author,
            extracted.date,
        )
    else:
        dump = clean_text_dump(html, drop)
        text, title, author, date = dump.text, dump.title, dump.author, None

    title, author = _one_line(title), _one_line(author)
    text = _tidy(text, drop, title, author)
    if not text:
        raise ExtractionError(f"{where}: no article text found")
    return Document(
        text=text,
        title=title,
        author=author,
        date=date,
        url=url,
        site=site_name or host,
        canonical_url=_absolute(info.canonical_url, url),
        language=info.language,
        description=info.description,
        sitename=info.sitename,
        image=_absolute(info.image, url),
        tags=info.tags,
    )


def apply_site_rule(tree: LexborHTMLParser, rule: SiteRule) -> LexborHTMLParser:
    """Drop the rule's ``remove`` selectors, then keep only its ``content`` container.

    The head is kept so that metadata (title, date, JSON-LD) survives the cut. When
    the container is absent (a template change), the whole page is used.
    """
    for selector in rule.remove:
        for node in tree.css(selector):
            node.decompose()
    if rule.content:
        nodes = tree.css(rule.content)
        if nodes:
            head = tree.head.html if tree.head is not None else ""
            body = "".join(node.html or "" for node in nodes)
            tree = LexborHTMLParser(f"<html>{head}<body>{body}</body></html>")
    return tree


def _absolute(link: str | None, base: str | None) -> str | None:
    """``link`` resolved against the page's address; None when it cannot be made absolute."""
    if link and base:
        link = urljoin(base, link)
    return link if link and "://" in link else None


def _one_line(value: str | None) -> str | None:
    """Metadata on one line, without icon-font glyphs or heading anchors (¶, #) at its end."""
    if not value:
        return None
    value = "".join(c for c in value if unicodedata.category(c) != "Co")
    return " ".join(value.split()).rstrip(" ¶#§") or None


def _words(text: str) -> str:
    """Text reduced to its words, so that "Quickstart ¶" and "Quickstart¶" compare equal."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def _tidy(text: str, drop: list[re.Pattern[str]], title: str | None, author: str | None) -> str:
    """One paragraph per block; drop the site's ``drop_lines``, the short lines above the
    title, a repeated title or byline (unless they are all the text there is), and the
    second time a long paragraph is said word for word."""
    heading = {_words(s) for s in (title, author, f"by {author}" if author else None) if s}
    heading.discard("")
    # a repeated title or byline is a short block: longer ones are not read word by word
    longest = 4 * max(map(len, heading), default=0) + 40
    blocks = [_SPACE.sub(" ", block).strip() for block in text.split("\n\n")]
    blocks = [block for block in blocks if block]
    kept = [b for b in blocks[_title_index(blocks, title, longest) :] if not _dropped(b, drop)]
    out = [b for b in kept if len(b) > longest or _words(b) not in heading]
    # a link post or a photo page shows only its title: that is its text, not a repeat
    return "\n\n".join(_first_of_repeats(out or kept))


def _first_of_repeats(blocks: list[str]) -> list[str]:
    """Each long paragraph once, except in a quotation: the paragraphs after a short line
    ending in a colon ("Allan wrote:", "Let's say it again:") until the next short line."""
    seen: set[str] = set()
    out = []
    quoting = False
    for block in blocks:
        if block.count(" ") + 1 < REPEAT_MIN_WORDS:
            quoting = block.endswith(":")
        elif block in seen and not quoting:
            continue
        else:
            seen.add(block)
        out.append(block)
    return out


def _dropped(block: str, drop: list[re.Pattern[str]]) -> bool:
    return any(p.search(block) for p in drop)


def _title_index(blocks: list[str], title: str | None, longest: int) -> int:
    """Where the article starts: at its title, when the title is among the first blocks
    and only short lines come before it (breadcrumbs, a sale banner, skip links,
    "9 min read"); otherwise at the first block (BENCHMARKS.md, step 15)."""
    wanted = _words(title) if title else ""
    if not wanted:
        return 0
    for index, block in enumerate(blocks[: TITLE_SEARCH_BLOCKS + 1]):
        if len(block) <= longest and _words(block) == wanted:
            above = blocks[:index]
            return index if all(b.count(" ") < ABOVE_TITLE_MAX_WORDS for b in above) else 0
    return 0
