"""Turn the bytes of an HTML page into text, choosing the encoding the way a browser would.

w3lib (a maintained library, the one Scrapy uses) reads the evidence: a byte-order mark, the
HTTP ``charset``, a ``<meta>`` or XML declaration, labels mapped as the WHATWG Encoding
Standard maps them (``latin1`` is windows-1252, ``gb2312`` is gb18030…). A page that declares
nothing is sniffed: BOM-less UTF-16 (markup whose ``<`` and ``>`` read right in one byte
order), strict UTF-8, then the legacy encoding a browser of the page's own language
(``<html lang>``) would use by default, when charset_normalizer finds it plausible, else
windows-1252 when it is plausible (most undeclared legacy pages are Western; charset_normalizer
alone read them as Baltic cp1257), else charset_normalizer's best guess. Measured in
BENCHMARKS.md ("Decoding pages without a declared charset").
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
    to_unicode,
)

__all__ = ["decode_html", "detect_encoding", "looks_binary"]

_SNIFF_BYTES = 8192
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# charset_normalizer reads this much: its guess on a page's first 64 KB is as good.
_DETECT_BYTES = 65536
# C0 controls that never appear in text; tab, LF, FF, CR and ESC (ISO-2022-JP) are allowed.
_CONTROL = bytes(sorted(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}))
_CONTROL_SHARE = 0.05
# A candidate this much more chaotic than charset_normalizer's best is still plausible.
_CHAOS_TOLERANCE = 0.1
# The default encoding of a browser in the page's language (WHATWG Encoding Standard, §4.3
# "locale"), for pages that declare none. Languages not listed default to windows-1252.
_LOCALE_DEFAULTS = {
    "ar": "cp1256",
    "ba": "cp1251",
    "be": "cp1251",
    "bg": "cp1251",
    "cs": "cp1250",
    "el": "cp1253",
    "et": "cp1257",
    "fa": "cp1256",
    "he": "cp1255",
    "hr": "cp1250",
    "hu": "iso8859-2",
    "ja": "cp932",
    "kk": "cp1251",
    "ko": "cp949",
    "ku": "cp1254",
    "ky": "cp1251",
    "lt": "cp1257",
    "lv": "cp1257",
    "mk": "cp1251",
    "pl": "iso8859-2",
    "ru": "cp1251",
    "sah": "cp1251",
    "sk": "cp1250",
    "sl": "iso8859-2",
    "sr": "cp1251",
    "tg": "cp1251",
    "th": "cp874",
    "tr": "cp1254",
    "tt": "cp1251",
    "uk": "cp1251",
    "vi": "cp1258",
    "zh-cn": "gb18030",
    "zh-tw": "big5hkscs",
    "zh": "gb18030",
}
_WESTERN = "cp1252"


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """Decode an HTML page; never raises, undecodable bytes become U+FFFD."""
    return to_unicode(body_without_bom(body), detect_encoding(body, header_charset))


def body_without_bom(body: bytes) -> bytes:
    _, bom = read_bom(body)
    return body[len(bom) :] if bom else body


def detect_encoding(body: bytes, header_charset: str | None = None) -> str:
    """The Python codec for ``body``: BOM, HTTP charset, declaration, then sniffing."""
    bom_codec, _ = read_bom(body)
    if bom_codec is not None:
        return bom_codec
    if header_charset:
        codec = _text_codec(http_content_type_encoding(f"text/html; charset={header_charset}"))
        if codec is not None:
            return _whole_utf16(codec)
    declared = _text_codec(html_body_declared_encoding(body))
    if declared is not None:
        # A declaration read as ASCII cannot be UTF-16 or UTF-32: browsers use UTF-8.
        return "utf-8" if declared.startswith(("utf-16", "utf-32")) else declared
    return _sniff(body)


def looks_binary(body: bytes) -> bool:
    """True when ``body`` is not text at all: NUL bytes or many control bytes near the start
    (UTF-16 text, with or without a BOM, is text)."""
    sample = body[:_SNIFF_BYTES]
    if not sample or read_bom(sample)[0] is not None or _utf16_without_bom(sample):
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls / len(sample) > _CONTROL_SHARE


def _text_codec(codec: str | None) -> str | None:
    """``codec`` when it decodes bytes to text (not base64, rot13, zlib), else None."""
    if codec is None:
        return None
    try:
        b" ".decode(codec, errors="ignore")
    except LookupError:
        return None
    return codec


def _whole_utf16(codec: str) -> str:
    # A bare "utf-16" label without a BOM is big-endian (RFC 2781); Python would guess.
    return codec + "-be" if codec in ("utf-16", "utf-32") else codec


def _sniff(body: bytes) -> str:
    utf16 = _utf16_without_bom(body[:_SNIFF_BYTES])
    if utf16 is not None:
        return utf16
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a page cut in the middle of a character is still UTF-8
        if exc.start < len(body) - 3:
            return _legacy(body)
    return "utf-8"


def _legacy(body: bytes) -> str:
    """A legacy single- or double-byte encoding for a page that is not UTF-8."""
    # read from the first non-ASCII byte: markup before it is no evidence
    first = _NON_ASCII.search(body)
    start = max(0, first.start() - 256) if first else 0
    matches = from_bytes(body[start : start + _DETECT_BYTES])
    best = matches.best()
    if best is None:
        return _locale_default(body) or _WESTERN
    plausible = {
        codecs.lookup(name).name
        for match in matches
        if match.chaos <= best.chaos + _CHAOS_TOLERANCE
        for name in match.could_be_from_charset
    }
    for preferred in (_locale_default(body), _WESTERN):
        if preferred is not None and codecs.lookup(preferred).name in plausible:
            return preferred
    return resolve_encoding(best.encoding) or best.encoding


def _locale_default(body: bytes) -> str | None:
    """The default encoding of a browser set to the language of ``<html lang>``."""
    head = body[:_SNIFF_BYTES].decode("latin-1").lower()
    at = head.find("<html")
    if at < 0:
        return None
    tag = head[at : head.find(">", at) + 1 or None]
    marker = tag.find(" lang=")
    if marker < 0:
        return None
    value = tag[marker + 6 :].lstrip("\"' ")
    lang = value[: next((i for i, c in enumerate(value) if c in "\"' >/"), len(value))]
    lang = lang.replace("_", "-")
    return _LOCALE_DEFAULTS.get(lang) or _LOCALE_DEFAULTS.get(lang.split("-")[0])


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 markup without a BOM: in the right byte order its ``<`` and ``>`` read as
    such (in the wrong one they become CJK letters), whatever script the text is in."""
    if b"\x00" not in sample[:1024]:
        return None
    sample = sample[: len(sample) & ~1]
    for codec in ("utf-16-le", "utf-16-be"):
        text = sample.decode(codec, errors="replace")
        if text.count("<") >= 2 and text.count(">") >= 2 and text.count("\ufffd") <= 2:
            return codec
    return None
