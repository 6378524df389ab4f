"""Decoding accuracy on pages that declare no charset: ``python -m scraper.bench decode``.

Each Readability test page (``source.html``) is read in the encoding it declares (else
UTF-8), its charset declarations (``<meta charset>``, ``http-equiv`` Content-Type, XML
``encoding``) are removed, and it is written again as: UTF-8; the legacy encoding a browser
of its language would use (windows-1252 for Western pages, windows-1251 for Russian,
Shift_JIS for Japanese…; characters that encoding lacks become character references); the
same legacy bytes with the ``lang`` attribute removed too (no hint left but the bytes); and
UTF-16LE without a BOM. A page counts as right when the decoded text is exactly the text
that was written. The old decoder is the ``scraper/page/encoding.py`` of a git revision.

A second set, not used while writing the new decoder: the pages of trafilatura's evaluation
corpus that declare a legacy charset in their markup and decode strictly in it; their
declarations removed, the original bytes must decode to the same text as with the
declaration ("eval-legacy").
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from w3lib.encoding import html_body_declared_encoding

from scraper.bench.section import write_section
from scraper.page.encoding import decode_html

__all__ = ["Variant", "main", "strip_declarations", "variants"]

Decoder = Callable[[bytes], str]

_META_CHARSET = re.compile(rb"<meta\b[^>]*?\scharset\s*=\s*[\"']?[\w.:-]+[\"']?[^>]*>", re.I)
_CONTENT_CHARSET = re.compile(rb";?\s*charset\s*=\s*[\w.:-]+", re.I)
_HTTP_EQUIV = re.compile(rb"<meta[^>]+http-equiv\s*=\s*[\"']?content-type[^>]*>", re.I)
_XML_ENCODING = re.compile(rb"(<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][\w.:-]+[\"']", re.I)
_LANG = re.compile(r"(<html\b[^>]*?)\s(?:xml:)?lang\s*=\s*[\"']?[\w-]+[\"']?", re.I)
_HTML_LANG = re.compile(r"<html\b[^>]*?\slang\s*=\s*[\"']?([\w-]+)", re.I)
# The legacy encoding written for a page in each language (browsers' locale defaults).
_LEGACY = {
    "ru": "cp1251",
    "uk": "cp1251",
    "bg": "cp1251",
    "pl": "iso8859-2",
    "cs": "cp1250",
    "sk": "cp1250",
    "hu": "iso8859-2",
    "el": "cp1253",
    "tr": "cp1254",
    "he": "cp1255",
    "ar": "cp1256",
    "fa": "cp1256",
    "ja": "cp932",
    "zh": "gb18030",
    "ko": "cp949",
    "th": "cp874",
    "vi": "cp1258",
}


@dataclass(frozen=True)
class Variant:
    page: str
    kind: str  # utf-8 | legacy | legacy-no-lang | utf-16le
    codec: str
    body: bytes
    expected: str


def strip_declarations(html: bytes) -> bytes:
    html = _META_CHARSET.sub(b"", html)
    html = _HTTP_EQUIV.sub(lambda m: _CONTENT_CHARSET.sub(b"", m.group(0)), html)
    return _XML_ENCODING.sub(rb"\1", html)


def variants(page: str, raw: bytes) -> list[Variant]:
    declared = html_body_declared_encoding(raw) or "utf-8"
    try:
        text = strip_declarations(raw).decode(declared)
    except (UnicodeDecodeError, LookupError):
        return []
    text = text.removeprefix("\ufeff")
    out = [Variant(page, "utf-8", "utf-8", text.encode("utf-8"), text)]
    match = _HTML_LANG.search(text[:4096])
    lang = match.group(1).lower().replace("_", "-") if match else ""
    codec = _LEGACY.get(lang.split("-")[0], "cp1252")
    legacy = text.encode(codec, errors="xmlcharrefreplace")
    expected = legacy.decode(codec)
    if not expected.isascii():  # pure ASCII would test nothing
        out.append(Variant(page, "legacy", codec, legacy, expected))
        no_lang = _LANG.sub(r"\1", expected, count=1)
        out.append(Variant(page, "legacy-no-lang", codec, no_lang.encode(codec), no_lang))
    out.append(Variant(page, "utf-16le", "utf-16-le", text.encode("utf-16-le"), text))
    return out


def eval_variants(pages: Path) -> list[Variant]:
    """Pages (gzipped) that declare a legacy charset and decode strictly in it."""
    out = []
    for path in sorted(pages.glob("*.gz")):
        try:
            raw = gzip.decompress(path.read_bytes())
        except (OSError, EOFError):
            continue
        declared = html_body_declared_encoding(raw)
        if declared is None or declared.startswith("utf"):
            continue
        body = strip_declarations(raw)
        try:
            expected = body.decode(declared)
        except (UnicodeDecodeError, LookupError):
            continue
        if not expected.isascii():
            out.append(Variant(path.name, "eval-legacy", declared, body, expected))
    return out


def old_decoder(revision: str, root: Path) -> Decoder:
    """``decode_html`` of the decoder at a git revision (``scraper/page/encoding.py``, or
    ``scraper/encoding.py`` before the layout of issue 28)."""
    for name in ("scraper/page/encoding.py", "scraper/encoding.py"):
        shown = subprocess.run(
            ["git", "show", f"{revision}:{name}"], cwd=root, capture_output=True, text=True
        )
        if shown.returncode == 0:
            break
    else:
        raise SystemExit(f"{revision}: no decoder found at that revision")
    module = types.ModuleType("old_encoding")
    exec(compile(shown.stdout, f"{revision}:{name}", "exec"), module.__dict__)
    decode: Decoder = module.decode_html
    return decode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper.bench decode", description=__doc__)
    parser.add_argument("--pages", type=Path, default=Path("../shared/bench/readability-pages"))
    parser.add_argument("--old", default="a31e15f", help="git revision of the old decoder")
    parser.add_argument("--eval", type=Path, default=Path("../shared/bench/trafilatura-eval/html"))
    parser.add_argument("--out", type=Path, help="write the report section into this file")
    args = parser.parse_args(argv)

    pages = sorted(p for p in args.pages.glob("*/source.html"))
    all_variants = [v for p in pages for v in variants(p.parent.name, p.read_bytes())]
    all_variants += eval_variants(args.eval)
    decoders = {"old (hand-written)": old_decoder(args.old, Path(__file__).parent.parent)}
    decoders["new (w3lib + tuned charset_normalizer)"] = decode_html
    kinds = ["utf-8", "legacy", "legacy-no-lang", "utf-16le", "eval-legacy"]
    rows, wrong_examples, seconds = {}, {}, {}
    for name, decode in decoders.items():
        right = dict.fromkeys(kinds, 0)
        wrong: list[str] = []
        started = time.perf_counter()
        for v in all_variants:
            try:
                ok = decode(v.body) == v.expected
            except Exception:  # a crash is a wrong answer here, not the end of the run
                ok = False
            right[v.kind] += ok
            if not ok:
                wrong.append(f"{v.page} ({v.kind}, {v.codec})")
        seconds[name] = time.perf_counter() - started
        rows[name], wrong_examples[name] = right, wrong
    totals = {k: sum(1 for v in all_variants if v.kind == k) for k in kinds}

    lines = [
        "## Decoding pages without a declared charset",
        "",
        f"Command: `python -m scraper.bench decode --old {args.old} --out BENCHMARKS.md` "
        f"({len(pages)} Readability test pages, `{args.pages}`, and trafilatura's evaluation"
        f" pages, `{args.eval}`; both Apache-2.0).",
        "",
        (__doc__ or "").split("\n\n", 1)[1].replace("\n", " ").strip(),
        "",
        "| decoder | " + " | ".join(f"{k} ({totals[k]})" for k in kinds) + " | seconds |",
        "|---|" + "---|" * (len(kinds) + 1),
    ]
    for name, right in rows.items():
        cells = " | ".join(f"{right[k]} ({right[k] / max(totals[k], 1):.0%})" for k in kinds)
        lines.append(f"| {name} | {cells} | {seconds[name]:.2f} |")
    lines.append("")
    for name, wrong in wrong_examples.items():
        shown = ", ".join(wrong[:12]) + (f", … ({len(wrong)} in all)" if len(wrong) > 12 else "")
        lines.append(f"Wrong with {name}: {shown or 'none'}.")
        lines.append("")
    report = "\n".join(lines)
    print(report)
    if args.out is not None:
        write_section(args.out, "decoding", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
