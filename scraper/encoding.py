"""Turn the bytes of an HTML page into text, choosing the encoding the way a browser would.

Order of evidence: byte-order mark, the HTTP ``charset``, a ``<meta>`` (or XML) declaration in
the first few KB, BOM-less UTF-16, strict UTF-8, charset_normalizer's guess, and finally
windows-1252 with replacement characters. Labels are mapped like the WHATWG Encoding
Standard does, because pages are written for browsers, not for Python's codec names.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

__all__ = ["decode_html", "looks_binary"]

# Browsers read these labels as a superset encoding; pages labelled latin-1 are almost always
# really windows-1252 (curly quotes in 0x80-0x9F), and so on.
_ALIASES = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "windows-1252": "cp1252",
    "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "csshiftjis": "cp932",
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "chinese": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "korean": "cp949",
    "windows-949": "cp949",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    # UTF-7 is refused by browsers (an XSS vector); treat it as UTF-8.
    "utf-7": "utf-8",
}

# A <meta> label of UTF-16 is a lie (the meta itself was readable as ASCII), so browsers use UTF-8.
_META_UTF16 = {"utf-16", "utf-16le", "utf-16be", "utf-16-le", "utf-16-be", "utf16"}

_BOMS = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_PRESCAN_BYTES = 4096
_SNIFF_BYTES = 8192
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_.:+-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*\bencoding\s*=\s*["']([a-z0-9_.:+-]+)""", re.I)
# C0 controls that never appear in text; tab, LF, FF, CR and ESC (ISO-2022-JP) are allowed.
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
_CONTROL_SHARE = 0.05


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """Decode an HTML page; never raises, undecodable bytes become U+FFFD."""
    bom = _bom(body)
    if bom is not None:
        codec, size = bom
        return body[size:].decode(codec, errors="replace")

    codec = _codec(header_charset)
    if codec is None:
        codec = _declared(body[:_PRESCAN_BYTES])
    if codec is None:
        codec = _utf16_without_bom(body[:_SNIFF_BYTES])
    if codec is not None:
        return body.decode(codec, errors="replace")

    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass

    best = from_bytes(body).best()
    if best is not None and best.encoding:
        guessed = _codec(best.encoding) or best.encoding
        try:
            return body.decode(guessed, errors="replace")
        except LookupError:
            pass
    return body.decode("cp1252", errors="replace")


def looks_binary(body: bytes) -> bool:
    """True when ``body`` is not text at all: NUL bytes or many control bytes near the start."""
    if _bom(body) is not None:
        return False
    sample = body[:_SNIFF_BYTES]
    if not sample or _utf16_without_bom(sample) is not None:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte in _CONTROL)
    return controls / len(sample) > _CONTROL_SHARE


def _bom(body: bytes) -> tuple[str, int] | None:
    for mark, codec in _BOMS:
        if body.startswith(mark):
            return codec, len(mark)
    return None


def _codec(label: str | None) -> str | None:
    """Python codec for an encoding label, or None when the label names no text encoding."""
    if not label:
        return None
    name = label.strip().strip("\"'").strip().lower()
    name = _ALIASES.get(name, name)
    try:
        # bytes.decode refuses unknown and non-text codecs (base64, rot13, zlib) with
        # LookupError; an empty input would skip that check, so decode one byte.
        b" ".decode(name, errors="ignore")
    except LookupError:
        return None
    return codecs.lookup(name).name


def _declared(head: bytes) -> str | None:
    """The encoding a ``<meta>`` or XML declaration names, mapped like a browser would."""
    for pattern in (_XML_ENCODING, _META_CHARSET):
        match = pattern.search(head)
        if match:
            label = match.group(1).decode("ascii", errors="replace").lower()
            if label in _META_UTF16:
                return "utf-8"
            codec = _codec(label)
            if codec is not None:
                return codec
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text without a BOM: mostly-ASCII markup leaves NULs on every other byte."""
    even, odd = sample[0:200:2], sample[1:200:2]
    if len(odd) < 8:
        return None
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None
