"""What ``scraper clean`` was given, turned into pages to clean.

A source is a local file (an HTML page, a text dump, either gzipped), a directory (searched
recursively for those and for WARC files), a WARC file (its HTML responses), a URL, or ``-``
for standard input; ``-i FILE`` lists URLs, one a line. Local bytes are read only up to the
size cap (``fetch.max_bytes``) plus one byte, so that a huge file is refused without being
loaded. Every refusal names its file or URL.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from scraper.batch.warc import is_warc, read_warc
from scraper.errors import ContentError, InputError, ScraperError
from scraper.page.encoding import looks_binary

__all__ = [
    "PAGE_SUFFIXES",
    "Job",
    "check_url",
    "expand_sources",
    "is_url",
    "read_capped_file",
    "read_capped_stream",
    "read_url_list",
]

# Files a directory is searched for: pages and text dumps, plain or gzipped (WARC files too).
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".txt")
# Looks like a host name and path typed without its scheme: www.example.com/a
_SCHEMELESS = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]|$)", re.I)


@dataclass(frozen=True)
class Job:
    """One page to clean. ``source`` names it for the user (a path, a URL, ``-``,
    ``file.warc.gz#offset``). Local files carry their ``path`` and are read by the worker
    that cleans them; other pages carry their ``body``. ``error`` is a page that failed
    before cleaning (a fetch, a WARC record over the cap)."""

    source: str
    url: str | None = None
    path: Path | None = None
    body: bytes | None = field(default=None, repr=False)
    charset: str | None = None
    error: ScraperError | None = None


def is_url(source: str) -> bool:
    """A source is a URL when it has a scheme and no file of that name exists."""
    return "://" in source and not Path(source).exists()


def check_url(url: str, *, option: str | None = None) -> str:
    """``url`` when it is an absolute http(s) URL with a host; else ``InputError``.

    ``option`` names the command-line option the URL came from, for the message.
    """
    where = f"{option} {url}" if option else url
    shown = where if where.isprintable() else repr(where)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (parsing the port is what raises for a bad one)
        parsed = httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise InputError(f"{shown}: not a valid URL ({exc})", url=url) from None
    if parts.scheme.lower() not in ("http", "https"):
        if not parts.scheme:
            hint = f"; did you mean https://{url}?" if _SCHEMELESS.match(url) else ""
            raise InputError(f"{shown}: not a URL (no http:// or https://){hint}", url=url)
        raise InputError(
            f"{shown}: unsupported scheme {parts.scheme!r} (use http or https)", url=url
        )
    if not parsed.host:
        raise InputError(f"{shown}: URL has no host", url=url)
    return url


class Readable(Protocol):
    """A binary stream: a file, standard input's buffer, a ``GzipFile``."""

    def read(self, size: int = -1, /) -> bytes: ...


def read_capped_stream(stream: Readable, *, name: str, max_bytes: int) -> bytes:
    """At most ``max_bytes`` of ``stream``; ``ContentError`` naming ``name`` when it holds more,
    is empty or is binary."""
    body = stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise ContentError(
            f"{name}: larger than fetch.max_bytes ({max_bytes} bytes): not cleaned", path=name
        )
    if not body.strip():
        raise ContentError(f"{name}: empty input", path=name)
    if looks_binary(body):
        raise ContentError(f"{name}: binary data, not an HTML page or text", path=name)
    return body


def read_capped_file(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a local page (gunzipped when its name ends ``.gz``), capped like
    ``read_capped_stream``; ``InputError`` when it cannot be read."""
    name = str(path)
    try:
        with path.open("rb") as raw:
            if path.suffix.lower() == ".gz":
                with gzip.open(raw) as unzipped:
                    return read_capped_stream(unzipped, name=name, max_bytes=max_bytes)
            return read_capped_stream(raw, name=name, max_bytes=max_bytes)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file{_did_you_mean(name)}", path=name) from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a page", path=name) from None
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise ContentError(f"{name}: not a readable gzip file ({exc})", path=name) from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror}", path=name) from None


def read_url_list(stream: Iterable[str]) -> Iterator[str]:
    """The URLs of a ``-i`` file: one a line; blank lines and ``#`` comments skipped."""
    for line in stream:
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def expand_sources(sources: Iterable[str], *, max_bytes: int) -> Iterator[Job]:
    """Local sources as jobs, in the order given (a directory's files sorted by path).

    URLs and ``-`` are left to the caller (they need a fetcher or standard input); a source
    that is neither comes back as a job with its ``error``.
    """
    for source in sources:
        path = Path(source)
        if path.is_dir():
            yield from _directory(path, max_bytes=max_bytes)
        elif path.is_file() and is_warc(path):
            yield from _warc(path, max_bytes=max_bytes)
        elif path.exists():
            yield Job(source=source, path=path)
        else:
            error = InputError(f"{source}: no such file{_did_you_mean(source)}", path=source)
            yield Job(source=source, error=error)


def _directory(root: Path, *, max_bytes: int) -> Iterator[Job]:
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    for path in files:
        name = path.name.lower().removesuffix(".gz")
        if is_warc(path):
            yield from _warc(path, max_bytes=max_bytes)
        elif name.endswith(PAGE_SUFFIXES):
            yield Job(source=str(path), path=path)


def _warc(path: Path, *, max_bytes: int) -> Iterator[Job]:
    try:
        for page in read_warc(path, max_bytes=max_bytes):
            yield Job(
                source=page.source,
                url=page.url or None,
                body=page.body,
                charset=page.charset,
                error=page.error,
            )
    except InputError as exc:
        yield Job(source=str(path), error=exc)


def _did_you_mean(source: str) -> str:
    """A hint for a URL typed without its scheme."""
    return f"; did you mean https://{source}?" if _SCHEMELESS.match(source) else ""
