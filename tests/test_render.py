"""The document model and its renderings (``scraper.document``, ``scraper.render``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from scraper import clean
from scraper.document import (
    Code,
    Document,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Quote,
    Span,
    Table,
    plain,
)
from scraper.measures import letters_and_digits
from scraper.render import render, text_paragraphs
from scraper.review.snapshots import Corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Corpus.load(ROOT)
FLASK = next(p for p in CORPUS.pages if p.host == "flask.palletsprojects.com")
_MD = MarkdownIt("commonmark").enable("table")


def _doc(page):
    return CORPUS.clean(page, _config())


def _config():
    from scraper.config import load_config

    return load_config(ROOT / "config.yaml")


# --- markdown read back ------------------------------------------------------------------


def _shape(tokens) -> list[tuple]:
    """The block shape markdown-it reads: (kind, level or language, text); a list item's
    first paragraph is the item's own text."""
    out: list[tuple] = []
    item_open = False
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            out.append(("heading", int(tok.tag[1]), _inline_text(tokens[i + 1])))
        elif tok.type == "paragraph_open":
            text = _inline_text(tokens[i + 1])
            if item_open:
                out[-1] = ("item", None, text)
            else:
                out.append(("paragraph", None, text))
        elif tok.type == "list_item_open":
            out.append(("item", None, ""))
        elif tok.type == "fence":
            out.append(("code", tok.info or None, tok.content.removesuffix("\n")))
        elif tok.type == "table_open":
            out.append(("table", None, ""))
        elif tok.type == "blockquote_open":
            out.append(("quote", None, ""))
        if tok.type != "inline":
            item_open = tok.type == "list_item_open"
    return out


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _model_shape(doc: Document) -> list[tuple]:
    out: list[tuple] = []
    skip: set[int] = set()
    for block in doc.walk():
        if id(block) in skip:
            continue
        if isinstance(block, Heading):
            out.append(("heading", block.level, plain(block.spans)))
        elif isinstance(block, Paragraph):
            out.append(("paragraph", None, plain(block.spans)))
        elif isinstance(block, ListItem):
            text = plain(block.spans)
            if not block.spans and block.children and isinstance(block.children[0], Paragraph):
                text = plain(block.children[0].spans)
                skip.add(id(block.children[0]))
            out.append(("item", None, text))
        elif isinstance(block, Code):
            out.append(("code", block.language, block.text))
        elif isinstance(block, Table):
            out.append(("table", None, ""))
        elif isinstance(block, Quote):
            out.append(("quote", None, ""))
    return out


def _body(markdown: str, title: str | None) -> str:
    """The markdown without its front matter and title."""
    assert markdown.startswith("---\n")
    body = markdown.split("\n---\n", 1)[1].lstrip("\n")
    return body.split("\n", 1)[1] if title else body


@pytest.mark.parametrize("page", CORPUS.pages, ids=lambda p: p.key)
def test_markdown_reads_back_as_the_same_blocks(page) -> None:
    doc = _doc(page)
    markdown = render(doc, "markdown")
    front = yaml.safe_load(markdown.split("---\n")[1])
    assert front.get("title") == doc.title
    tokens = _MD.parse(_body(markdown, doc.title))
    assert _shape(tokens) == _model_shape(doc)


@pytest.mark.parametrize("page", CORPUS.pages, ids=lambda p: p.key)
def test_every_renderer_on_the_stored_pages(page) -> None:
    doc = _doc(page)
    for fmt in ("text", "markdown", "json", "html"):
        out = render(doc, fmt)
        assert out.endswith("\n") and not out.endswith("\n\n"), fmt
        assert out == render(doc, fmt)  # deterministic
    data = json.loads(render(doc, "json"))
    assert data["text"] == doc.text and len(data["blocks"]) == len(doc.blocks)
    html = LexborHTMLParser(render(doc, "html"))
    assert html.body is not None
    words = letters_and_digits(f"{doc.title or ''} {doc.text}")
    assert letters_and_digits(html.body.text(separator="")) == words


# --- the Flask quickstart: code, inline code, lists ---------------------------------------


def test_code_blocks_are_byte_exact_against_the_source_pre() -> None:
    doc = _doc(FLASK)
    source = LexborHTMLParser(CORPUS.page_file(FLASK).read_bytes().decode("utf-8"))
    pres = {
        n.text(deep=True, separator="", strip=False).strip("\n").rstrip() for n in source.css("pre")
    }
    codes = [b for b in doc.walk() if isinstance(b, Code)]
    assert len(codes) >= 10
    assert all(c.text in pres for c in codes)
    first = codes[0]
    assert first.language == "python"
    assert '    return "<p>Hello, World!</p>"' in first.text.split("\n")
    fenced = f"```python\n{first.text}\n```"
    assert fenced in render(doc, "markdown")


def test_a_paragraph_with_inline_code_and_a_source_line_break_stays_one() -> None:
    doc = _doc(FLASK)
    para = next(p for p in doc.paragraphs if p.startswith("Save it as"))
    assert para.endswith("because this would conflict with Flask itself.")
    assert "Save it as `hello.py` or something similar." in render(doc, "markdown")


def test_an_ordered_list_keeps_its_items() -> None:
    doc = _doc(FLASK)
    lists = [b for b in doc.blocks if isinstance(b, ListBlock) and b.ordered]
    assert lists and len(lists[0].items) == 4
    assert "\n2. Next we create an instance" in render(doc, "markdown")


# --- the renderers on small documents -------------------------------------------------------


def _md_text(markdown: str) -> str:
    tokens = _MD.parse(markdown)
    return "\n".join(_inline_text(t) for t in tokens if t.type == "inline")


@pytest.mark.parametrize(
    "text",
    [
        "# show the user profile",
        "__name__ and __init__",
        "* not a bullet",
        "1. not a list",
        "2) nor this",
        "> not a quote",
        "- no dash list",
        "+ plus",
        "a_b*c*d [link](x) <b>tag</b> `tick` & &amp; | pipe ~~strike~~ \\ back",
        "===",
        "---",
    ],
)
def test_text_that_looks_like_markup_stays_text(text: str) -> None:
    doc = Document((Paragraph((Span(text),)),))
    markdown = render(doc, "markdown")
    tokens = _MD.parse(markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], markdown
    assert _md_text(markdown) == text


def test_nested_list_and_table() -> None:
    inner = ListBlock(False, (ListItem((Span("inner one"),)), ListItem((Span("inner two"),))))
    outer = ListBlock(
        True,
        (ListItem((Span("first"),), (inner,)), ListItem((Span("second"),))),
        start=3,
    )
    table = Table(
        (
            ((Span("Name"),), (Span("Age"),)),
            ((Span("Ann | Bo"),), (Span("32"),)),
        ),
        header=True,
    )
    doc = Document((outer, table), title="T")
    markdown = render(doc, "markdown")
    assert "3. first\n   - inner one\n   - inner two\n4. second" in markdown
    assert "| Name | Age |\n| --- | --- |\n| Ann \\| Bo | 32 |" in markdown
    tokens = _MD.parse(markdown.split("# T\n\n", 1)[1])
    types = [t.type for t in tokens if t.type.endswith("_open")]
    assert types.count("list_item_open") == 4 and types.count("ordered_list_open") == 1
    assert types.count("bullet_list_open") == 1 and "table_open" in types
    cells = [t.content for t in tokens if t.type == "inline"][-4:]
    assert cells == ["Name", "Age", "Ann | Bo", "32"]
    assert text_paragraphs(doc.blocks) == [
        "first", "inner one", "inner two", "second", "Name | Age", "Ann | Bo | 32"
    ]
    html = render(doc, "html")
    assert '<ol start="3"><li>first<ul><li>inner one</li>' in html
    assert "<th>Name</th>" in html


def test_links_emphasis_and_code_spans() -> None:
    spans = (
        Span("See "),
        Span("the docs", href="https://example.com/a b"),
        Span(", "),
        Span("really", emphasis=True),
        Span(" and "),
        Span("x = `y`", code=True),
        Span("\n"),
        Span("next line", strong=True),
    )
    doc = Document((Paragraph(spans),))
    assert render(doc, "markdown") == (
        "See the docs, *really* and `` x = `y` ``\\\n**next line**\n"
    )
    assert "[the docs](https://example.com/a%20b)" in render(doc, "markdown", links=True)
    assert doc.text == "See the docs, really and x = `y`\n\nnext line"


def test_the_cleaner_resolves_links_and_keeps_them_only_when_asked() -> None:
    page = (
        "<html><body><article><h1>A title here</h1>"
        + "<p>The council met on Tuesday and agreed the new budget for the town, "
        'as <a href="/minutes">the minutes</a> show in full detail for everyone.</p>' * 3
        + "<h2>What comes next</h2><ul><li>First the roads get mended this year.</li>"
        "<li>Then the bridges get painted next spring.</li></ul>"
        "<pre><code class=\"language-sh\">$ make\n  done</code></pre></article></body></html>"
    )
    doc = clean(page, "https://example.com/news/budget")
    kinds = [type(b).__name__ for b in doc.blocks]
    assert "Heading" in kinds and "ListBlock" in kinds and "Code" in kinds, kinds
    linked = render(doc, "markdown", links=True)
    assert "[the minutes](https://example.com/minutes)" in linked
    assert "](https://" not in render(doc, "markdown")
    assert "## What comes next" in render(doc, "markdown")
    assert "```sh\n$ make\n  done\n```" in render(doc, "markdown")


def test_spans_written_together_that_the_reading_reads_apart_stay_apart() -> None:
    """``<span>2026</span><span>1h 54m</span>`` is shown apart by a style sheet and read
    apart by the reading; a drop cap's ``<span>T</span>he`` is one word in both."""
    from scraper.cleaner.structure import align, compose, page_units
    from scraper.document import Document

    html = (
        "<html><body><div><span>2026</span><span>1h 54m</span><span>R</span></div>"
        "<p><span>T</span>he story goes on, <a href='/x'>with</a>out a break.</p></body></html>"
    )
    paragraphs = ["2026", "1h 54m", "R", "The story goes on, without a break."]
    runs = align(paragraphs, page_units(LexborHTMLParser(html)))
    assert all(run.units for run in runs)  # the page's own units, not plain paragraphs
    text = Document(compose(paragraphs, runs, set(range(len(paragraphs))))).text
    words = ["2026", "1h", "54m", "R", "The", "story", "goes", "on,", "without", "a", "break."]
    assert text.split() == words
