"""Turn one page (HTML or a text dump) into a ``Document``: every stage, in order.

decode → Unicode NFC → parse once (lexbor) → JSON-LD, read once, what the page says of
itself and its language (``language``: declared, else detected) → site rule (``remove``,
``content``) → headings marked by their ARIA role (``aria``) → reader comments
(``comments``, kept apart from the text) → prune chrome → metadata → the page's structure
(``structure.page_units``) → whether a story stands above the comments → the page's blocks
and the lxml tree → readings and the choice among them → gap fill → navigation and footer
lines around the main text (``precision``) → an article's teasers (``linkdense``) → the
kept paragraphs laid over the page's structure (``structure.align``) → chrome lines (the
page language's vocabulary and English: ``vocab/``), the site's ``drop_lines``, repeats
(``linefilter``, ``tidy``) → the document's blocks. Plain-text input skips the HTML stages
and goes through ``textdump``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from selectolax.lexbor import LexborHTMLParser
from trafilatura.utils import load_html

from scraper.cleaner.aria import headings_by_role
from scraper.cleaner.comments import read_comments, story_before_comments
from scraper.cleaner.gapfill import fill_gaps
from scraper.cleaner.language import detect_language, page_language
from scraper.cleaner.linefilter import chrome_free
from scraper.cleaner.linkdense import without_link_paragraphs
from scraper.cleaner.pageblocks import content_root, page_blocks
from scraper.cleaner.pagekind import page_kind
from scraper.cleaner.precision import article_only
from scraper.cleaner.prune import drop_bylines, drop_captions, prune_chrome
from scraper.cleaner.readings import Choice, choose_reading, lxml_tree
from scraper.cleaner.structure import Unit, align, base_url, compose, page_units
from scraper.cleaner.textdump import clean_text_dump, looks_like_html
from scraper.cleaner.tidy import one_line, tidy
from scraper.config import Config, SiteRule
from scraper.document import Block, Document
from scraper.errors import ContentError, ExtractionError
from scraper.page.encoding import decode_html, looks_binary
from scraper.page.metadata import (
    TEXT_HEAD_CHARS,
    Metadata,
    complete_metadata,
    declared_kind,
    read_json_ld,
    read_metadata,
    read_page_info,
    written_date,
)
from scraper.page.parse import drop_code, parse_html
from scraper.page.urls import join_url, url_host
from scraper.site.template import SiteTemplate

__all__ = ["apply_site_rule", "clean"]

# the built-in defaults, for a call given no config: frozen, so one serves every call
# (building one, with its validation, costs about a sixtieth of a template page's cleaning)
_DEFAULTS = Config()


def clean(
    html: str | bytes,
    url: str | None = None,
    *,
    config: Config | None = None,
    charset: str | None = None,
    template: SiteTemplate | None = None,
) -> Document:
    """Clean one page. ``url`` picks the site rule from ``config`` (built-in defaults if None);
    ``charset`` is the HTTP header's, for bytes (it outranks the page's own declaration).
    ``template`` is the site's (``scraper.learn_template``): its chrome goes and its
    container is read, when the page fits it (``Document.cleaned_with`` says which); a
    page that declares itself a product is cleaned generically (no fit is tried).

    Raises ``ContentError`` for binary or empty input and ``ExtractionError`` when no
    article text is found.
    """
    try:
        return _clean(html, url, config=config, charset=charset, template=template)
    except ExtractionError:
        if template is None:
            raise
    # the page fitted the template, but its container held no text past its chrome (a page
    # of another kind with the same frame): the generic cleaner reads the page, and says so
    document = _clean(html, url, config=config, charset=charset, template=None)
    return replace(document, template_note="the template's container held no article text")


def _clean(
    html: str | bytes,
    url: str | None,
    *,
    config: Config | None,
    charset: str | None,
    template: SiteTemplate | None,
) -> Document:
    where = url or "<input>"
    config = config or _DEFAULTS
    if isinstance(html, bytes):
        if not html or html.isspace():  # (not a stripped copy of the whole page)
            raise ContentError(f"{where}: empty input", url=url)
        if looks_binary(html):
            raise ContentError(f"{where}: binary data, not an HTML page or text", url=url)
        html = decode_html(html, charset)
    if not html or html.isspace():
        raise ContentError(f"{where}: empty input", url=url)
    # One spelling of each character, as trafilatura writes its text and as text is compared
    # and searched: "é" written as e and a combining accent is the same word as "é".
    html = unicodedata.normalize("NFC", html)

    host = url_host(url)
    match = config.site_for(host)
    site_name, rule = match if match else (None, None)
    drop = [re.compile(p) for p in rule.drop_lines] if rule else []

    if not looks_like_html(html):
        dump = clean_text_dump(html, drop)
        title, author = one_line(dump.title), one_line(dump.author)
        language = detect_language(dump.text)
        paragraphs = _paragraphs(dump.text, where)
        blocks = _blocks(paragraphs, [], drop, title, author, where, "", language=language)
        return Document(blocks, title=title, author=author, url=url, site=site_name or host)

    tree = parse_html(html)
    ld = read_json_ld(tree)
    info = read_page_info(tree, ld)  # before the site rule's cut, which drops <html lang>
    language = page_language(tree, declared=info.language)
    cleaned_with, template_note, whole = "generic", None, None
    product = declared_kind(tree, ld) == "product"
    if product:
        # a template's reading is an article's: a page that says it is a product (its
        # specifications, its offers, its reviews) is read as the generic cleaner reads one
        template = None
    if template is not None:
        # what the page says of itself, read before the cut: its byline, date and title may
        # lie outside the container, or in the template's chrome (a date line is a slot)
        drop_code(tree)
        whole = read_metadata(tree, ld)
        if whole.date is None and whole.kind != "product" and tree.body is not None:
            # a date written at the start of the page's text, as the generic cleaner looks
            opening = tree.body.text(separator=" ")[:TEXT_HEAD_CHARS]
            whole = replace(whole, date=written_date(opening))
        tree, fit = template.apply(tree)
        if fit.fits:
            cleaned_with = "template"
            whole = _template_metadata(whole, tree, fit.slot_html, url)
            if template.containers:  # read whole: what the general readings leave out
                drop_bylines(tree)
                drop_captions(tree)
        else:
            template_note = fit.reason
    if rule is not None:
        tree = apply_site_rule(tree, rule)
    tree = headings_by_role(tree)  # role=heading: a heading for every stage after
    comments = read_comments(tree)  # before pruning, which takes their bylines for chrome
    tree = prune_chrome(tree, product=product)
    if cleaned_with == "template" and whole is not None:
        meta = whole  # read and completed before the cut
        # only a template without a container reads the page as the generic cleaner does
        parsed = lxml_tree(tree) if template is not None and not template.containers else None
    else:
        meta = read_metadata(tree, ld)
        parsed = lxml_tree(tree)
        if parsed is not None:
            meta = complete_metadata(meta, parsed, url)
    structure, base = page_units(tree), base_url(tree, url)
    in_container = cleaned_with == "template" and template is not None and bool(template.containers)
    # (before page_blocks marks the tree's text; only a general reading looks for it)
    story = not in_container and story_before_comments(tree)
    root = content_root(tree)
    page = page_blocks(root, url) if root is not None else []
    if in_container:
        # the site's own container, its chrome gone: its blocks are the article (no
        # general reading needs to guess it), less any reader comments
        choice = Choice("\n\n".join(b.text for b in page if not b.in_comments), reading="template")
    else:
        choice = choose_reading(parsed, page, meta.kind, url, story=story)
    kind = page_kind(meta.kind, choice)
    # a reading of every block has no gap to fill (the comments it leaves out stay out)
    whole_blocks = choice.from_blocks or choice.reading == "template"
    text = choice.text if whole_blocks else fill_gaps(choice.text, page)
    text = article_only(text, page)  # whichever reading: no navigation around the article
    if kind == "article" or choice.reading == "template":
        # an article's teasers; a template's container was learned as where its pages'
        # own text lies, outside links, whatever the page's kind
        text = without_link_paragraphs(text, page)
    if cleaned_with == "template" and template is not None:
        # the site's chrome lines, in whatever block of the article they sat
        text = "\n\n".join(template.without_lines(text.split("\n\n")))
    title, author = one_line(meta.title), one_line(meta.author)
    paragraphs = _paragraphs(text, where)
    blocks = _blocks(
        paragraphs,
        structure,
        drop,
        title,
        author,
        where,
        base,
        language=language,
        bylines=choice.reading == "template",
    )
    return Document(
        blocks,
        title=title,
        author=author,
        date=meta.date,
        url=url,
        site=site_name or host,
        comments=() if choice.thread else comments,
        canonical_url=_absolute(info.canonical_url, url),
        language=info.language or language,  # as declared, else as detected
        description=info.description,
        sitename=info.sitename,
        image=_absolute(info.image, url),
        tags=info.tags,
        kind=kind,
        cleaned_with=cleaned_with,
        template_note=template_note,
        reading=choice.reading,
    )


def _template_metadata(
    whole: Metadata, tree: LexborHTMLParser, slots: str, url: str | None
) -> Metadata:
    """``whole`` (read from the whole page, with a date written at the start of its text)
    with a missing date looked for as ``complete_metadata`` does: in the template's slot
    lines alone (``slots``: a date line is chrome to the article, yet the date), then in
    them and the page cut to its container (``tree``): a fraction of the whole page for
    lxml and htmldate to read."""
    if whole.date is not None or whole.kind == "product":
        return whole
    head = tree.head.html if tree.head is not None else ""
    if slots:  # the date line, alone: a search of a few lines, not of the article
        lines = load_html(f"<html>{head}<body>{slots}</body></html>")
        found = complete_metadata(whole, lines, url) if lines is not None else whole
        if found.date is not None:
            return found
    body = tree.body.inner_html if tree.body is not None else ""
    small = load_html(f"<html>{head}<body>{slots}{body}</body></html>")
    return complete_metadata(whole, small, url) if small is not None else whole


def _absolute(link: str | None, base: str | None) -> str | None:
    """``link`` resolved against the page's address; None when it cannot be made absolute."""
    if link and base:
        link = join_url(base, link)
    return link if link and "://" in link else None


def _paragraphs(text: str, where: str) -> list[str]:
    if not text.strip():
        raise ExtractionError(f"{where}: no article text found")
    return text.split("\n\n")


def _blocks(
    paragraphs: list[str],
    structure: list[Unit],
    drop: list[re.Pattern[str]],
    title: str | None,
    author: str | None,
    where: str,
    base: str,
    *,
    language: str | None = None,
    bylines: bool = False,
) -> tuple[Block, ...]:
    """The kept paragraphs laid over the page's structure, less chrome lines, the site's
    ``drop_lines``, title and byline repeats and repeated paragraphs (code is judged by
    ``drop_lines`` alone), as the document's blocks. ``bylines``: short lines naming the
    author near the top go too (a reading no extractor judged: a template's container,
    read whole; on extractors' readings it loses on WCXB-dev and trafilatura-eval)."""
    runs = align(paragraphs, structure)
    verbatim = [False] * len(paragraphs)
    for run in runs:
        if run.verbatim:
            verbatim[run.first : run.last + 1] = [True] * (run.last + 1 - run.first)
    index = chrome_free(paragraphs, verbatim, language)
    keep = tidy(
        [paragraphs[i] for i in index],
        drop=drop,
        title=title,
        author=author,
        verbatim=[verbatim[i] for i in index],
        bylines=bylines,
    )
    blocks = compose(paragraphs, runs, {index[k] for k in keep}, base)
    if not blocks:
        raise ExtractionError(f"{where}: no article text found")
    return blocks


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
