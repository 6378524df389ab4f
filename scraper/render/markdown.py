"""Markdown: CommonMark with GFM tables, ATX headings, fenced code and YAML front matter.

Text is escaped so that it stays text: every ASCII punctuation character that can open
markup is backslash-escaped, and a line that would start a heading, list, quote or
thematic break has its first character escaped. Links are kept only when asked for.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import yaml

from scraper.document import Code, Heading, ListBlock, Paragraph, Quote, Span, Table

if TYPE_CHECKING:
    from scraper.document import Block, Document

__all__ = ["escape", "inline", "render_blocks", "render_markdown"]

_ESCAPED = re.compile(r"([\\`*_\[\]<>&~|])")
# at a line's start: ATX heading, block quote, bullet, setext underline or thematic break
_LINE_START = re.compile(r"^(\s*)([#>+=-])")
_ORDERED_START = re.compile(r"^(\s*\d{1,9})([.)])")
_BACKTICKS = re.compile(r"`+")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


def render_markdown(doc: Document, *, links: bool = False, comments: bool = False) -> str:
    meta = {
        k: v
        for k, v in (
            ("title", doc.title),
            ("author", doc.author),
            ("date", doc.date),
            ("url", doc.url),
            ("site", doc.site),
        )
        if v
    }
    parts = []
    if meta:
        front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10_000)
        parts.append(f"---\n{front}---")
    if doc.title:
        parts.append("# " + escape(doc.title))
    body = render_blocks(doc.blocks, links=links)
    if body:
        parts.append(body)
    if comments and doc.comments:
        parts.append("## Comments")
        for c in doc.comments:
            who = " — ".join(x for x in (c.author, c.date) if x)
            paras = [escape(p) for p in c.text.split("\n\n") if p.strip()]
            text = "\n\n".join(([f"**{escape(who)}**"] if who else []) + paras)
            parts.append(_prefix(text, "> "))
    return "\n\n".join(parts) + "\n"


def render_blocks(blocks: tuple[Block, ...], *, links: bool = False) -> str:
    return "\n\n".join(r for r in (_block(b, links) for b in blocks) if r)


def _block(block: Block, links: bool) -> str:
    if isinstance(block, Heading):
        text = inline(block.spans, links=links).replace("\n", " ")
        return f"{'#' * block.level} {text}" if text else ""
    if isinstance(block, Paragraph):
        return inline(block.spans, links=links)
    if isinstance(block, ListBlock):
        return _list(block, links)
    if isinstance(block, Quote):
        inner = render_blocks(block.blocks, links=links)
        return _prefix(inner, "> ") if inner else ""
    if isinstance(block, Code):
        return _code(block)
    return _table(block, links)


def _list(block: ListBlock, links: bool) -> str:
    out = []
    for n, item in enumerate(block.items, start=block.start):
        marker = f"{n}. " if block.ordered else "- "
        pad = " " * len(marker)
        text = inline(item.spans, links=links)
        parts = [text] if text else []
        parts.extend(r for r in (_block(child, links) for child in item.children) if r)
        tight = all(isinstance(c, ListBlock) for c in item.children)
        body = "\n".join(parts) if tight else "\n\n".join(parts)
        lines = body.split("\n") if body else [""]
        first = marker + lines[0] if lines[0] else marker.rstrip()
        rest = [pad + line if line else "" for line in lines[1:]]
        out.append("\n".join([first, *rest]))
    return "\n".join(out)


def _code(block: Code) -> str:
    longest = max((len(m.group(1)) for m in _FENCE.finditer(block.text)), default=0)
    fence = "`" * max(3, longest + 1)
    language = (block.language or "").replace("`", "")
    return f"{fence}{language}\n{block.text}\n{fence}"


def _table(block: Table, links: bool) -> str:
    width = max((len(row) for row in block.rows), default=0)
    if not width:
        return ""

    def line(cells: list[str]) -> str:
        cells = cells + [""] * (width - len(cells))
        return "| " + " | ".join(cells) + " |"

    rows = [[inline(cell, links=links).replace("\n", " ") for cell in row] for row in block.rows]
    head, body = (rows[0], rows[1:]) if block.header else ([""] * width, rows)
    return "\n".join([line(head), line(["---"] * width), *(line(r) for r in body)])


def escape(text: str) -> str:
    """Plain text that markdown reads back as the same text."""
    text = _ESCAPED.sub(r"\\\1", text)
    return "\n".join(_escape_line_start(line) for line in text.split("\n"))


def _escape_line_start(line: str) -> str:
    line = _LINE_START.sub(r"\1\\\2", line, count=1)
    return _ORDERED_START.sub(r"\1\\\2", line, count=1)


def _merged(spans: tuple[Span, ...], links: bool) -> list[Span]:
    """Neighbouring spans with the same marks as one (``*a**b*`` would not read back)."""
    out: list[Span] = []
    for s in spans:
        href = s.href if links else None
        span = Span(s.text, href, s.emphasis, s.strong, s.code)
        last = out[-1] if out else None
        if (
            last is not None
            and not span.is_break
            and not last.is_break
            and (last.href, last.emphasis, last.strong, last.code)
            == (span.href, span.emphasis, span.strong, span.code)
        ):
            out[-1] = Span(last.text + span.text, href, span.emphasis, span.strong, span.code)
        else:
            out.append(span)
    return out


def inline(spans: tuple[Span, ...], *, links: bool = False) -> str:
    """Inline markdown for ``spans``: escaped text, code spans, emphasis, links, breaks.

    Emphasis is written only where CommonMark reads it back (its delimiters flanking the
    text); elsewhere the words stay, unmarked."""
    pieces: list[tuple[str, str, str, str]] = []  # (lead, marker, core, trail)
    for span in _merged(spans, links):
        if span.is_break:
            pieces.append(("", "", "\\\n", ""))
            continue
        if span.code:
            text = _code_span(" ".join(span.text.split()))
        else:
            text = escape_inline(" ".join(span.text.split("\n")))
        lead, core, trail = _edges(text)
        if span.href and core:
            core = f"[{core}]({_destination(span.href)})"
        marker = "" if span.code else ("**" if span.strong else "") + ("*" if span.emphasis else "")
        pieces.append((lead, marker if core else "", core, trail))
    out: list[str] = []
    for n, (lead, marker, core, trail) in enumerate(pieces):
        if marker and not lead and out and out[-1].endswith("*") and not out[-1].endswith("\\*"):
            marker = ""  # right after another emphasis: the two runs of * would merge
        if marker:
            before = ("".join(out) + lead)[-1:] or " "
            after = (trail or _first_char(pieces[n + 1 :]))[:1] or " "
            if not (_opens(before, core[0]) and _closes(core[-1], after)):
                marker = ""
        out.append(f"{lead}{marker}{core}{marker[::-1]}{trail}")
    # spaces collapsed, no break at either end, and line starts escaped after the breaks
    lines = [" ".join(line.split()) for line in "".join(out).split("\\\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\\\n".join(_escape_line_start(line) for line in lines)


def _first_char(pieces: list[tuple[str, str, str, str]]) -> str:
    for lead, marker, core, trail in pieces:
        text = lead + marker + core + trail
        if text:
            return text[0]
    return ""


def _punctuation(char: str) -> bool:
    return not char.isalnum() and not char.isspace()


def _opens(before: str, first: str) -> bool:
    """A ``*`` run between ``before`` and ``first`` is left-flanking (CommonMark 6.2)."""
    return not first.isspace() and (
        not _punctuation(first) or before.isspace() or _punctuation(before)
    )


def _closes(last: str, after: str) -> bool:
    """A ``*`` run between ``last`` and ``after`` is right-flanking."""
    return not last.isspace() and (not _punctuation(last) or after.isspace() or _punctuation(after))


def escape_inline(text: str) -> str:
    return _ESCAPED.sub(r"\\\1", text)


def _edges(text: str) -> tuple[str, str, str]:
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core[0])
    return text[:start], core, text[start + len(core) :]


def _code_span(text: str) -> str:
    if not text:
        return ""
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _destination(href: str) -> str:
    href = href.replace(" ", "%20")
    if any(c in href for c in "()<>"):
        return "<" + href.replace("<", "%3C").replace(">", "%3E") + ">"
    return href


def _prefix(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else prefix.rstrip() for line in text.split("\n"))
