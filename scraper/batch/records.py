"""One JSON record per cleaned page (or failure): what a pipeline reads from ``scraper clean``.

A page: ``source`` (the path, URL, ``-`` or ``file.warc.gz#offset`` it came from), ``url``,
``canonical_url``, ``title``, ``author``, ``date`` (ISO 8601), ``language``, ``description``,
``sitename``, ``site`` (the site rule that applied, else the host), ``image``, ``tags``,
``kind`` (article, product, forum or page), ``word_count``, ``text``, ``blocks`` (the
document model, as ``--format json`` gives it) and, when asked for, ``comments`` (and, with
``--templates``, ``cleaned_with`` and ``template_note``). A
failure: ``source`` and ``error`` (its one-line message).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from scraper.config import Config
from scraper.document import Document

__all__ = ["RECORD_FIELDS", "error_record", "page_record", "to_json_line", "wants_comments"]

RECORD_FIELDS = (
    "source",
    "url",
    "canonical_url",
    "title",
    "author",
    "date",
    "language",
    "description",
    "sitename",
    "site",
    "image",
    "tags",
    "kind",
    "word_count",
    "text",
    "blocks",
)


def page_record(
    source: str, doc: Document, *, comments: bool = False, template: bool = False
) -> dict[str, Any]:
    """The page's record; ``template``: with how it was cleaned (``cleaned_with``, and
    ``template_note``: why not with its site's template)."""
    data = {"source": source, **doc.to_dict()}
    record = {name: data[name] for name in RECORD_FIELDS}
    if template:
        record["cleaned_with"] = data["cleaned_with"]
        record["template_note"] = data["template_note"]
    if comments:
        record["comments"] = data["comments"]
    return record


def wants_comments(doc: Document, config: Config, *, asked: bool = False) -> bool:
    """Whether the page's reader comments are rendered: ``asked`` (``--comments``), else
    the config's ``clean.comments`` or the page's site rule."""
    host = urlsplit(doc.url).hostname if doc.url else None
    return asked or config.comments_for(host)


def error_record(source: str, error: str) -> dict[str, Any]:
    return {"source": source, "error": error}


def to_json_line(record: dict[str, Any]) -> str:
    """One line of JSON Lines (UTF-8 text, not escaped), ending in a newline."""
    return json.dumps(record, ensure_ascii=False) + "\n"
