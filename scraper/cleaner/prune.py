"""Generic pruning of plain page chrome with selectolax, before extraction.

Two kinds of chrome go, in place:

* elements that never hold article text (scripts, styles, SVG, form controls, modal
  dialogs — a ``dialog`` or ``aria-modal="true"``, often a terms or sign-up overlay
  whose own heading and length would otherwise pass it for the article —, links with
  an ``accesskey``, the keyboard shortcuts to a site's own functions: "Log in", "Recent
  changes", "Skip to content", "next", …);
* page furniture, recognised by tag (``nav``, ``footer``, ``aside``, a page-level
  ``header``, a small ``form`` with a field to fill in), by ARIA role, or by a class/id
  *word* from a generic vocabulary (``cookie``, ``newsletter``, ``share``, ``breadcrumb``,
  ``related``, …).
  Class and id values are split into words at spaces, ``-``, ``_`` and camelCase, and a
  word must match whole: ``share`` matches ``post-share-bar`` but not ``shareholders``.
  A layout word (``no``, ``has``, ``with``, ``without``, ``hide``) and the rest of its
  class name describe a layout, not furniture: ``no-sidebar``, ``hide-read-more-ad``.
  A heading (``h1``–``h6``) is never furniture by its class or id: its id is often a
  slug of its own words ("nav_nur_die_folie", "share-prices").

On a page that declares itself a product, its customer reviews are furniture too (the
``reviews`` class/id word): the description is the content, as an article's reader
comments are not the article. Left alone elsewhere: a roundup's sections can be called
"reviews" (BENCHMARKS.md, step 15).

Hidden elements are kept: they are often tab panels, a product's specifications
(BENCHMARKS.md, step 3c).

Furniture is kept when it holds the page's heading (``h1``), its ``main``/``article``,
or a large share of the page's text: a wrapper called ``content-with-sidebar`` is not
chrome. An element named like furniture by a class/id word (not by its tag or role)
is kept, too, when it holds most of the page's prose, the text of its paragraphs of
``_PROSE_WORDS`` words or more: that is the article under a misleading name ("entry
themeform share", "article-content sticky-sidebar"), however much chrome around it
keeps its share of all the text small (BENCHMARKS.md, round nine); or when the
sections of its class together hold most of it, each with two prose paragraphs or more
(an article split into ``content-nav-section`` boxes; a teaser card holds one). Not on
products, whose reviews are prose.

Marked elements are dropped outermost first, so no node is touched after its parent
is gone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.cleaner.structure import HEADING_LEVELS
from scraper.measures import word_count

__all__ = [
    "BYLINE_WORDS",
    "CHROME_ROLES",
    "CHROME_WORDS",
    "PRODUCT_CHROME_WORDS",
    "drop_bylines",
    "drop_captions",
    "prune_chrome",
]

# Never article text, on any site.
_ALWAYS_CHROME = (
    'script:not([type="application/ld+json"]), style, noscript, template, svg, iframe, '
    "object, embed, canvas, video, audio, button, select, input, textarea, dialog, "
    '[aria-modal="true" i], a[accesskey]'
)
_FURNITURE_TAGS = "nav, footer, aside, form, header"
_CONTROLS = 'input:not([type="hidden" i]), textarea, select, button'

CHROME_ROLES = frozenset(
    {
        "navigation",
        "banner",
        "contentinfo",
        "complementary",
        "search",
        "dialog",
        "alertdialog",
        "menu",
        "menubar",
        "toolbar",
    }
)

# Class/id words that name page furniture on any site (generic vocabulary only).
CHROME_WORDS = frozenset(
    {
        # consent and sign-up boxes
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "newsletter",
        "subscribe",
        "subscription",
        "signup",
        "optin",
        "paywall",
        # sharing and social
        "share",
        "sharing",
        "sharebar",
        "social",
        "socials",
        # navigation
        "breadcrumb",
        "breadcrumbs",
        "navbar",
        "nav",
        "navigation",
        "menu",
        "submenu",
        "megamenu",
        # not "skip": it names jump targets too ("skip-item" sections, a product grid
        # with id "skip-to-products"); skip links go as lines (scraper.cleaner.linefilter)
        "skiplink",
        "pagination",
        "pager",
        "masthead",
        "topbar",
        "footer",
        # related and promoted
        "related",
        "recommended",
        "recommendations",
        "sidebar",
        "advert",
        "advertisement",
        "ads",
        "ad",
        "adslot",
        "sponsored",
        "promo",
        "popup",
        "modal",
        "overlay",
        "toast",
    }
)

# Furniture on a product page only: its customer reviews.
PRODUCT_CHROME_WORDS = CHROME_WORDS | {"reviews"}

# Class/id words that name a byline or a dateline: who wrote the article, where and when.
BYLINE_WORDS = frozenset({"byline", "bylines", "dateline"})
# A byline is a line or two ("By Ann Lee, BBC News, Delhi · Published 5 March"); a block
# this long under such a name is the text's own (an author's note, a whole column).
BYLINE_MAX_WORDS = 30
_BYLINE_NAMED = (
    'body [class*="byline" i], body [id*="byline" i], '
    'body [class*="dateline" i], body [id*="dateline" i]'
)

# Words that also name furniture as the head of a run-together word: "relatedposts",
# "newsletterform", "socialicons" (a prefix of these is never an ordinary word's start).
CHROME_PREFIXES = (
    "related",
    "newsletter",
    "cookie",
    "breadcrumb",
    "social",
    "subscribe",
    "consent",
    "advert",
    "recommend",
)

# Furniture named by two words, written apart or together ("message-userDetails",
# "userinfo"): a forum poster's badge box (rank, join date, post count), not the post.
CHROME_COMPOUNDS = frozenset(
    {
        ("user", "details"),
        ("user", "extras"),
        ("user", "banner"),
        ("user", "info"),
        ("user", "stats"),
        ("member", "info"),
        ("poster", "info"),
        ("post", "profile"),
    }
)
_COMPOUND_WORDS = frozenset(a + b for a, b in CHROME_COMPOUNDS)

# CSS-module class names end in a 5-character hash ("mdx-table_root__adKqa"): random
# letters that can spell "ad" or "nav". A BEM element ("post__share") is lower-case words.
_CSS_MODULE_HASH = re.compile(r"__(?=[\w-]{0,4}[A-Z0-9])[\w-]{5}(?=\s|$)")
_LAYOUT_WORDS = frozenset({"no", "has", "with", "without", "hide"})
_WORD_SPLIT = re.compile(r"[\s\-_:./]+|(?<=[a-z])(?=[A-Z])")


_PrefixTree = dict[str, "_PrefixTree"]


def _found_anywhere(words: Iterable[str]) -> re.Pattern[str]:
    """An expression that finds any of ``words`` in a text, written as their prefix tree
    ("s(?:har(?:e|ing)|idebar)"): Python's ``re`` tries the branches of a flat alternation
    one by one at every position, a tree's only along one path (three times faster on
    class values). A word that extends another ("cookies" after "cookie") is found anyway."""
    tree: _PrefixTree = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: _PrefixTree) -> str:
        if "" in node:
            return ""
        parts = [re.escape(char) + branch(node[char]) for char in sorted(node)]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return re.compile(branch(tree))


# A cheap first test that every value naming furniture passes (and few others): a long
# word or prefix anywhere; a short one ("ad", "nav") only where a word can start and end
# (not inside "header" or "thread"); a compound's two words one after the other (not every
# "post-123" of a blog). Read on the value as written, before its CSS-module hash goes.
_SHORT_WORDS = frozenset(w for w in PRODUCT_CHROME_WORDS if len(w) <= 3)
_LONG_CHROME = _found_anywhere((PRODUCT_CHROME_WORDS - _SHORT_WORDS) | set(CHROME_PREFIXES))
_SHORT_CHROME = re.compile(
    r"(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))(?i:{})(?=[\s\-_:./A-Z]|$)".format(
        "|".join(sorted(_SHORT_WORDS, key=len, reverse=True))
    )
)
_COMPOUND_CHROME = re.compile(
    r"(?:{})[\s\-_:./]*(?:{})".format(
        "|".join(sorted({a for a, _ in CHROME_COMPOUNDS}, key=len, reverse=True)),
        "|".join(sorted({b for _, b in CHROME_COMPOUNDS}, key=len, reverse=True)),
    )
)
_MARK = "data-scraper-prune"
_NOSCRIPT_TAG = re.compile(r"</?noscript\b[^>]*>", re.IGNORECASE)
# Furniture holding more than this share of the page's text is a wrapper, not chrome.
_MAX_SHARE = 0.4
# Furniture holding most of the page's prose (its paragraphs' text) is the article under
# a misleading name ("entry share", "article-content sticky-sidebar"), however much
# chrome around it makes its share of all the text small.
_PROSE_SHARE = 0.5
# Paragraphs this long are prose, not a label or a link line; a page with less prose
# than ``_PROSE_MIN`` characters of them has no article to protect.
_PROSE_WORDS = 12
_PROSE_MIN = 500
# A section of an article holds this many prose paragraphs; a teaser card holds one.
_SECTION_PARAGRAPHS = 2
_SECTION_CHARS = _SECTION_PARAGRAPHS * _PROSE_WORDS * 2  # 2 characters a word: Chinese


def prune_chrome(tree: LexborHTMLParser, *, product: bool = False) -> LexborHTMLParser:
    """Drop chrome (see the module docstring) from ``tree``, in place, and return it.
    ``product``: the page declares itself a product (its reviews go too).

    A page that shows its text only without scripts (everything in ``noscript``) is
    re-read with its ``noscript`` content unwrapped first; the new tree is returned.
    """
    tree = _unwrap_noscript_only_page(tree)
    # read before the controls go with the rest of the always-chrome
    fillable = {n.mem_id for n in tree.css("form") if n.css_first(_CONTROLS) is not None}
    _mark_all(tree.css(_ALWAYS_CHROME))
    _drop_marked(tree)
    body = tree.body
    if body is None:
        return tree
    total = len(body.text(deep=True, strip=True)) or 1
    candidates = [n for n in tree.css(_FURNITURE_TAGS) if _is_furniture_tag(n, fillable)]
    candidates += [n for n in tree.css("[role]") if _role(n) in CHROME_ROLES]
    by_tag = {n.mem_id for n in candidates}
    words = PRODUCT_CHROME_WORDS if product else CHROME_WORDS
    candidates += _named_chrome(tree, words)
    # a product's reviews are its prose: the prose rule is for articles under a chrome name
    prose = 0 if product else -1  # -1: not measured yet
    named = candidates[len(by_tag) :]
    groups: dict[str, list[LexborNode]] = {}  # class value → the candidates of that class
    sections: dict[str, int] = {}  # class value → the prose of its sections
    holders = _holders(tree)
    for node in candidates:
        if node.mem_id in holders:
            continue
        length = len(node.text(deep=True, strip=True))
        if length > _MAX_SHARE * total:
            continue
        # the cheap tests first: a section of two prose paragraphs has this many characters
        if prose and length >= _SECTION_CHARS and node.mem_id not in by_tag:
            if prose < 0:
                prose = _prose_length(body)
            if prose >= _PROSE_MIN and _holds_prose(node, length, prose, named, groups, sections):
                continue
        node.attrs[_MARK] = ""
    _drop_marked(tree)
    return tree


def drop_bylines(tree: LexborHTMLParser) -> int:
    """Drop, in place, the short blocks whose class or id word names a byline
    (``BYLINE_WORDS``: "wp-byline", "byline-name"); returns how many. For a text read whole
    from a site template's container: the general readings leave bylines out (trafilatura
    by these same names), and the page's author and date are read before the cut."""
    dropped = 0
    for node in tree.css(_BYLINE_NAMED):
        if node.tag in HEADING_LEVELS or not _names_byline(node):
            continue
        if word_count(node.text(deep=True, separator=" ")) <= BYLINE_MAX_WORDS:
            node.attrs[_MARK] = ""
            dropped += 1
    _drop_marked(tree)
    return dropped


def drop_captions(tree: LexborHTMLParser) -> int:
    """Drop, in place, the figures' captions (``figcaption``); returns how many. For a text
    read whole from a site template's container: the general readings leave images out and
    their captions with them, as most answers do (WCXB-dev's gold holds 90 of the 1,105
    captions of three words or more on its article pages)."""
    captions = tree.css("figcaption")
    for node in captions:
        node.attrs[_MARK] = ""
    _drop_marked(tree)
    return len(captions)


def _names_byline(node: LexborNode) -> bool:
    attrs = node.attributes
    value = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return not BYLINE_WORDS.isdisjoint(_split(value))


def _prose_length(node: LexborNode) -> int:
    """The length of the text of the prose paragraphs under ``node``."""
    return _prose(node)[0]


def _prose(node: LexborNode) -> tuple[int, int]:
    """The length of the text of the prose paragraphs under ``node``, and their number."""
    texts = (p.text(deep=True, strip=True) for p in node.css("p"))
    lengths = [len(text) for text in texts if word_count(text) >= _PROSE_WORDS]
    return sum(lengths), len(lengths)


def _holds_prose(
    node: LexborNode,
    length: int,
    prose: int,
    named: list[LexborNode],
    groups: dict[str, list[LexborNode]],
    sections: dict[str, int],
) -> bool:
    """Whether ``node`` (named like furniture by a class/id word) holds most of the page's
    ``prose``, alone or with the other sections of its class (an article split into
    ``content-nav-section`` boxes: each of them a section of two prose paragraphs or more)."""
    value = node.attributes.get("class") or ""
    counted: tuple[int, int] | None = None
    if length > _PROSE_SHARE * prose:  # long enough to hold most of the prose alone
        counted = _prose(node)
        if counted[0] > _PROSE_SHARE * prose:
            return True
    if not value:
        return False
    if not groups:  # the candidates' classes, read once a page
        for other in named:
            key = other.attributes.get("class") or ""
            groups.setdefault(key, []).append(other)
    members = groups.get(value, ())
    if len(members) < 2 or (counted or _prose(node))[1] < _SECTION_PARAGRAPHS:
        return False
    if value not in sections:
        found = (_prose(n) for n in members)
        sections[value] = sum(size for size, count in found if count >= _SECTION_PARAGRAPHS)
    return sections[value] > _PROSE_SHARE * prose


def _unwrap_noscript_only_page(tree: LexborHTMLParser) -> LexborHTMLParser:
    body = tree.body
    noscripts = tree.css("body noscript")
    if body is None or not noscripts:
        return tree
    hidden = sum(len(n.text(deep=True)) for n in noscripts)
    if hidden < 2000:
        return tree
    # script data (a JSON state of the whole thread) is not text the page shows
    data = sum(len(n.text(deep=True)) for n in tree.css("body script, body style"))
    if hidden < 0.6 * (len(body.text(deep=True)) - data):
        return tree
    html = _NOSCRIPT_TAG.sub("", tree.html or "")
    return LexborHTMLParser(html)


def _mark_all(nodes: list[LexborNode]) -> None:
    for node in nodes:
        node.attrs[_MARK] = ""


def _drop_marked(tree: LexborHTMLParser) -> None:
    for node in tree.css(f"[{_MARK}]:not([{_MARK}] [{_MARK}])"):
        node.decompose()


def _is_furniture_tag(node: LexborNode, fillable: set[int]) -> bool:
    """``header`` only at page level (an article's own header holds its title and date);
    ``form`` only with something to fill in (a comment rendered in a form is text)."""
    if node.tag == "form":
        return node.mem_id in fillable
    if node.tag != "header":
        return True
    parent = node.parent
    while parent is not None:
        if parent.tag in ("article", "main") or _role(parent) == "main":
            return False
        parent = parent.parent
    return True


def _role(node: LexborNode) -> str:
    return (node.attributes.get("role") or "").strip().lower()


def _named_chrome(tree: LexborHTMLParser, words: frozenset[str]) -> list[LexborNode]:
    """The elements a class/id word names as furniture. A heading is the text's own,
    whatever its id ("nav_nur_die_folie", a slug)."""
    seen: dict[str, bool] = {}  # class/id values repeat across a page: split each once
    named = []
    for node in tree.css("body [class], body [id]"):
        attrs = node.attributes
        value = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        found = seen.get(value)
        if found is None:
            found = seen[value] = _names_chrome(value, words)
        if found and node.tag not in HEADING_LEVELS:
            named.append(node)
    return named


def _holders(tree: LexborHTMLParser) -> set[int]:
    """The elements (``mem_id``) that are or hold the page's heading (``h1``), its
    ``main`` or an ``article``, and the page's ``body``: never furniture."""
    holders: set[int] = set()
    for node in tree.css("h1, main, article, [role=main]"):
        current: LexborNode | None = node
        while current is not None and current.mem_id not in holders:
            holders.add(current.mem_id)
            current = current.parent
    body = tree.body
    while body is not None:  # and ``html``
        holders.add(body.mem_id)
        body = body.parent
    return holders


def _may_name_chrome(value: str) -> bool:
    if "__" in value:  # a CSS-module hash can stand between a compound's two words
        value = _CSS_MODULE_HASH.sub("", value)
    lower = value.lower()
    if _LONG_CHROME.search(lower) is not None:
        return True
    if any(w in lower for w in _SHORT_WORDS) and _SHORT_CHROME.search(value) is not None:
        return True
    return _COMPOUND_CHROME.search(lower) is not None


def _split(value: str) -> list[str]:
    """The words of a class/id value, lower-cased."""
    # split before lower-casing (camelCase marks words), lower-case all of it at once
    parts = _WORD_SPLIT.split(_CSS_MODULE_HASH.sub("", value))
    return [w for w in "\0".join(parts).lower().split("\0") if w]


# Class and id values repeat across the pages of a site and of a CMS: each is split once.
# A site's class vocabulary is a few thousand values; a larger cache only keeps values of
# other sites alive, which made Python's full garbage collections more frequent (round ten).
@lru_cache(maxsize=1 << 12)
def _names_chrome(value: str, chrome_words: frozenset[str] = CHROME_WORDS) -> bool:
    """Whether a class/id value names furniture (the module docstring's word rules)."""
    if not _may_name_chrome(value):  # most values: no furniture word at all
        return False
    # each class name's words (a layout word governs the rest of its own class name only)
    names = [_split(name) for name in value.split()]
    words = [word for name in names for word in name]
    if _COMPOUND_WORDS.intersection(words) or not CHROME_COMPOUNDS.isdisjoint(pairwise(words)):
        return True
    if _LAYOUT_WORDS.isdisjoint(words):
        named = words
    else:  # "no-sidebar", "with-share-bar", "hide-read-more-ad" describe a layout, not furniture
        named = []
        for name in names:
            for word in name:
                if word in _LAYOUT_WORDS:
                    break  # the rest of this class name is what the layout has or hides
                named.append(word)
    return not chrome_words.isdisjoint(named) or any(w.startswith(CHROME_PREFIXES) for w in named)
