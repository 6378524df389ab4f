"""Output of a run: one file per new or changed document, one JSONL file per run, optional WARC.

    <output_dir>/<host>/<slug>.txt|.md|.json     the document, rewritten when it changes
    <output_dir>/_runs/<site>-<run id>.jsonl      one line per new or changed document
    <output_dir>/_warc/<site>-<run id>.warc.gz    raw responses (``warc: true``)

Files are written whole and renamed into place, so a killed run never leaves half a file. A
resumed run appends to its run's JSONL file and never writes the same URL twice into it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from scraper.document import Document, Format
from scraper.errors import StateError
from scraper.render import render

__all__ = ["RunOutput", "doc_path", "host_dir", "slug"]

_EXT = {"text": ".txt", "markdown": ".md", "json": ".json"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# One path segment that is a safe file name as it stands (``index`` is the name of ``/``).
_PLAIN = re.compile(r"^/(?!index$)[A-Za-z0-9_][A-Za-z0-9._-]{0,99}\Z")
_PAGE_EXT = re.compile(r"\.(?:html?|php|aspx?|jsp)$", re.IGNORECASE)
# Hop-by-hop and encoding headers that no longer describe the decoded body we archive.
_DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection"}


def host_dir(url: str) -> str:
    """``example.com``, or ``127.0.0.1_8080`` when the URL has a port."""
    parts = urlsplit(url)
    host = (parts.hostname or "unknown").lower()
    return f"{host}_{parts.port}" if parts.port else host


def slug(url: str) -> str:
    """A stable file name for ``url``, never shared with another URL of the host.

    A path of one plain segment is its own name (``/story`` → ``story``). Any other path
    (nested, with a page extension, a trailing slash, a query, unsafe characters or over 100
    characters) is made safe and readable, then given a hash of the whole URL: flattening
    ``/news/a/b`` and ``/news/a-b`` to one name, or ``story.html`` and ``story/`` to
    ``story``, would lose a document.
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    if _PLAIN.match(path) and not parts.query and not _PAGE_EXT.search(path):
        return path[1:]
    base = _PAGE_EXT.sub("", path.strip("/"))
    base = _UNSAFE.sub("-", base.replace("/", "-")).strip("-.")[:100]
    if not base:
        if path == "/" and not parts.query:
            return "index"
        base = "index"
    return base + "-" + hashlib.sha1(url.encode()).hexdigest()[:10]


def doc_path(output_dir: Path, url: str, fmt: Format) -> Path:
    return output_dir / host_dir(url) / (slug(url) + _EXT[fmt])


class RunOutput:
    """Writes one run's documents, its JSONL file and (optionally) its WARC file."""

    def __init__(self, output_dir: Path, site: str, run_id: int, fmt: Format, warc: bool) -> None:
        self.output_dir = output_dir
        self.fmt = fmt
        name = f"{_UNSAFE.sub('-', site)}-{run_id}"
        self.jsonl_path = output_dir / "_runs" / f"{name}.jsonl"
        self.warc_path = output_dir / "_warc" / f"{name}.warc.gz" if warc else None
        try:
            self.jsonl_path.parent.mkdir(parents=True, exist_ok=True)
            self._written = self._urls_in_jsonl()
            self._jsonl: IO[str] = open(self.jsonl_path, "a", encoding="utf-8")  # noqa: SIM115
            self._warc_file: IO[bytes] | None = None
            self._warc: Any = None
            if self.warc_path is not None:
                from warcio.warcwriter import WARCWriter

                self.warc_path.parent.mkdir(parents=True, exist_ok=True)
                self._warc_file = open(self.warc_path, "ab")  # noqa: SIM115
                self._warc = WARCWriter(self._warc_file, gzip=True)
        except OSError as exc:
            raise StateError(f"{output_dir}: cannot write crawl output: {exc}") from None

    def _urls_in_jsonl(self) -> set[str]:
        """URLs already in this run's JSONL (a resumed run); a torn last line is cut off."""
        if not self.jsonl_path.exists():
            return set()
        raw = self.jsonl_path.read_bytes()
        if raw and not raw.endswith(b"\n"):
            raw = raw[: raw.rfind(b"\n") + 1]
            with open(self.jsonl_path, "r+b") as handle:
                handle.truncate(len(raw))
        urls = set()
        for line in raw.decode("utf-8", "replace").splitlines():
            try:
                urls.add(json.loads(line)["key"])
            except (ValueError, KeyError, TypeError):
                continue
        return urls

    def write(self, key: str, doc: Document, meta: Mapping[str, Any]) -> Path:
        """The document's file (rewritten whole) and its JSONL line; returns the file's path."""
        path = doc_path(self.output_dir, key, self.fmt)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(render(doc, self.fmt), encoding="utf-8")
            os.replace(tmp, path)
            if key not in self._written:
                line = {**doc.to_dict(), **meta, "key": key, "path": str(path)}
                if isinstance(line.get("fetched_at"), int | float):  # ISO 8601, UTC
                    line["fetched_at"] = datetime.fromtimestamp(line["fetched_at"], UTC).isoformat()
                # One write call per line: a kill leaves whole lines (or a torn last one).
                self._jsonl.write(json.dumps(line, ensure_ascii=False) + "\n")
                self._jsonl.flush()
                self._written.add(key)
        except OSError as exc:
            raise StateError(f"{path}: cannot write document: {exc}") from None
        return path

    def archive(self, url: str, status: int, headers: Mapping[str, str], body: bytes) -> None:
        """A WARC response record for one fetched page (the body as decoded by the client)."""
        if self._warc is None:
            return
        from warcio.statusandheaders import StatusAndHeaders

        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        kept = [(k, v) for k, v in headers.items() if k.lower() not in _DROP_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {reason}", kept, protocol="HTTP/1.1")
        record = self._warc.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http_headers
        )
        self._warc.write_record(record)
        assert self._warc_file is not None
        self._warc_file.flush()

    def close(self) -> None:
        self._jsonl.close()
        if self._warc_file is not None:
            self._warc_file.close()
