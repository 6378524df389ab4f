import codecs

import pytest

from scraper.page.encoding import decode_html, looks_binary

JAPANESE = "日本語のニュース記事です。東京都①"  # ① exists in cp932 only, not strict Shift_JIS


def page(body: str, head: str = "") -> str:
    return (
        f"<!doctype html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"
    )


def test_shift_jis_from_meta_uses_cp932():
    raw = page(JAPANESE, '<meta charset="Shift_JIS">').encode("cp932")
    assert JAPANESE in decode_html(raw)


def test_http_equiv_meta_latin1_means_windows_1252():
    text = "café “quoted” — naïve"
    head = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    assert text in decode_html(page(text, head).encode("cp1252"))


def test_header_charset_wins_over_meta():
    raw = page("café", '<meta charset="iso-8859-1">').encode("utf-8")
    decoded = decode_html(raw, "utf-8")
    assert "café" in decoded
    assert "cafÃ©" not in decoded


def test_meta_used_when_header_charset_is_not_a_text_codec():
    raw = page("café", '<meta charset="windows-1252">').encode("cp1252")
    for bogus in ("no-such-charset", "base64", "rot13", ""):
        assert "café" in decode_html(raw, bogus)


def test_bom_beats_header_and_meta():
    raw = codecs.BOM_UTF8 + page("café", '<meta charset="iso-8859-1">').encode("utf-8")
    decoded = decode_html(raw, "iso-8859-1")
    assert decoded.startswith("<!doctype")
    assert "café" in decoded


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    raw = bom + page(JAPANESE).encode(codec)
    assert JAPANESE in decode_html(raw)
    assert not looks_binary(raw)


def test_utf16_without_bom_is_text():
    raw = page("hello world").encode("utf-16-le")
    assert not looks_binary(raw)
    assert "hello world" in decode_html(raw)


@pytest.mark.parametrize(
    ("label", "codec", "text"),
    [
        ("euc-kr", "cp949", "한국어 뉴스 기사입니다 똠방각하"),
        ("gb2312", "gb18030", "中文新闻文章，朱镕基"),
        ("sjis", "cp932", JAPANESE),
    ],
)
def test_browser_aliases(label, codec, text):
    raw = page(text, f'<meta charset="{label}">').encode(codec)
    assert text in decode_html(raw)


def test_undeclared_utf8():
    assert JAPANESE in decode_html(page(JAPANESE).encode("utf-8"))


def test_undeclared_legacy_bytes_still_decode():
    raw = page("caf\xe9 na\xefve r\xe9sum\xe9 " * 20).encode("cp1252")
    decoded = decode_html(raw)
    assert isinstance(decoded, str)
    assert "<title>t</title>" in decoded


def test_meta_utf16_label_means_utf8():
    raw = page("café", '<meta charset="utf-16">').encode("utf-8")
    assert "café" in decode_html(raw)


def test_looks_binary():
    assert looks_binary(b"<html>\x00\x00\x01\x02 garbage")
    assert looks_binary(bytes(range(1, 32)) * 50 + b"<p>hi</p>")
    assert not looks_binary(page(JAPANESE).encode("cp932"))
    assert not looks_binary(page("plain\ttext\r\n").encode())
    assert not looks_binary(b"")
