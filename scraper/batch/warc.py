"""Read the HTML pages archived in a WARC (or WARC.gz) file, with warcio.

Every ``response`` record with a 2xx HTTP status and an HTML Content-Type (or none, when the
body starts like HTML) is a page: its URL is the record's ``WARC-Target-URI``, its charset the
HTTP ``Content-Type``'s, its body the payload with transfer and content encodings undone.
Redirects, errors, requests, metadata and non-HTML responses are skipped.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from scraper.errors import ContentError, InputError

__all__ = ["WARC_SUFFIXES", "WarcPage", "is_warc", "read_warc"]

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_WARC_START = b"WARC/"
_ARC_START = b"filedesc://"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_START = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|!--)", re.I)


@dataclass(frozen=True)
class WarcPage:
    """One archived page. ``source`` is ``<file>#<byte offset of the record>``.

    ``error`` is set (and ``body`` empty) when the record holds a page we refuse (over the
    size cap, an unreadable payload)."""

    source: str
    url: str
    charset: str | None
    body: bytes = field(repr=False)
    error: ContentError | None = None


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def read_warc(path: Path, *, max_bytes: int) -> Iterator[WarcPage]:
    """The HTML pages of the WARC file at ``path``, in archive order.

    Raises ``InputError`` when the file cannot be opened or is not a WARC (or is cut short);
    pages read before that are yielded first.
    """
    try:
        stream: BinaryIO = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}", path=str(path)) from None
    with stream:
        _check_signature(stream, path)
        records = ArchiveIterator(stream)
        try:
            for record in records:
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = record.http_headers.get_statuscode()
                if not (status.isdigit() and 200 <= int(status) < 300):
                    continue
                content_type = record.http_headers.get_header("Content-Type") or ""
                mime = content_type.split(";", 1)[0].strip().lower()
                if mime and mime not in _HTML_TYPES:
                    continue
                body = record.content_stream().read(max_bytes + 1)
                # (asked after the read: warcio computes the offset by reading to the end)
                source = f"{path}#{records.get_record_offset()}"
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if not mime and not _HTML_START.match(body[:1024]):
                    continue
                if len(body) > max_bytes:
                    error = ContentError(
                        f"{source}: {url}: body larger than fetch.max_bytes ({max_bytes} bytes)",
                        url=url,
                        path=str(path),
                    )
                    yield WarcPage(source, url, None, b"", error)
                    continue
                yield WarcPage(source, url, _charset(content_type), body)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            message = f"{path}: not a readable WARC file ({detail})"
            raise InputError(message, path=str(path)) from None


def _check_signature(stream: BinaryIO, path: Path) -> None:
    """``InputError`` unless the file starts like a WARC or ARC file (gzipped or not):
    warcio reads any other bytes as one ARC record, and would find no page in them."""
    head = stream.read(2)
    stream.seek(0)
    if head == b"\x1f\x8b":
        try:
            with gzip.open(stream) as unzipped:
                head = unzipped.read(len(_ARC_START))
        except (OSError, EOFError, zlib.error):
            head = b""
        stream.seek(0)
    else:
        head = stream.read(len(_ARC_START))
        stream.seek(0)
    if not head.startswith((_WARC_START, _ARC_START)):
        raise InputError(f"{path}: not a WARC file", path=str(path))


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None
