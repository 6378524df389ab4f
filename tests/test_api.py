from types import ModuleType

import scraper
from scraper.cli import EXIT_CODES, exit_code


def test_all_is_exactly_the_public_names():
    # as httpx checks its exports: every public name is in __all__, and nothing else is
    public = {
        name
        for name, value in vars(scraper).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert sorted(scraper.__all__) == sorted(public)
    assert {"clean", "Document", "load_config", "ScraperError"} <= set(scraper.__all__)


def test_every_error_has_its_own_exit_code():
    codes = [code for _, code in EXIT_CODES]
    assert len(codes) == len(set(codes)) == 9
    errors = [getattr(scraper, n) for n in scraper.__all__ if n.endswith("Error")]
    assert all(issubclass(cls, scraper.ScraperError) for cls in errors)
    assert {cls for cls, _ in EXIT_CODES} == set(errors)
    assert exit_code(scraper.ContentError("too big", path="a.html")) == 6


def test_errors_carry_their_url_path_and_key():
    error = scraper.InputError("a.html: no such file", path="a.html")
    assert (error.url, error.path, error.key) == (None, "a.html", None)
    fetch = scraper.FetchError("u: HTTP 503", url="u", status=503, retryable=True)
    assert (fetch.url, fetch.status, fetch.retryable) == ("u", 503, True)


def test_clean_decodes_meta_charset_bytes():
    text = "東京の天気は晴れです。" * 30
    html = (
        '<html><head><meta charset="shift_jis"><title>天気</title></head>'
        f"<body><article><p>{text}</p></article></body></html>"
    ).encode("cp932")
    assert scraper.clean(html).text == text


def test_clean_takes_the_http_charset_for_bytes():
    text = "Ça coûte très cher, dit-il à l'économiste. " * 20
    html = f"<html><body><article><p>{text.strip()}</p></article></body></html>".encode("cp1252")
    doc = scraper.clean(html, charset="windows-1252")
    assert doc.text == text.strip()
    # the same bytes labelled as something else decode differently: the label is used
    assert scraper.clean(html, charset="iso-8859-7").text != text.strip()


def test_clean_writes_each_character_one_way_unicode_nfc():
    # "é" as e + a combining accent; Bengali "য়" as one code point (NFC writes it as two)
    decomposed = "Le cafe\u0301 de la gare a ferme\u0301 ses portes apre\u0300s trente ans. " * 8
    bengali = "আজ শনিবার সকালে গ্রামে এ ঘটনা ঘটে এবং পুলিশ হামলাকারীকে আটক করেছে। " * 8
    page = (
        f"<html><body><article><p>{decomposed.strip()}</p>"
        f"<p>{bengali.strip()}\u09df</p></article></body></html>"
    )
    text = scraper.clean(page).text
    assert "café" in text and "e\u0301" not in text
    assert "\u09df" not in text and "\u09af\u09bc" in text


def test_document_metadata_and_word_count():
    html = (
        '<html lang="ja"><head><title>天気</title>'
        '<link rel="canonical" href="/news/1">'
        '<meta property="og:site_name" content="Tenki News">'
        '<meta name="description" content="Today\'s weather">'
        '<meta property="og:image" content="/img/sun.jpg">'
        '<meta property="article:tag" content="weather">'
        '<meta property="article:tag" content="Tokyo">'
        "</head><body><article><p>" + "東京の天気は晴れです。" * 30 + "</p></article></body></html>"
    )
    doc = scraper.clean(html, "https://example.jp/news/1?ref=feed")
    assert doc.canonical_url == "https://example.jp/news/1"
    assert doc.language == "ja"
    assert doc.sitename == "Tenki News"
    assert doc.description == "Today's weather"
    assert doc.image == "https://example.jp/img/sun.jpg"
    assert doc.tags == ("weather", "Tokyo")
    # 10 letters a sentence, two a word, the full stop none: a Japanese text is not one word
    assert doc.word_count == 150
    assert doc.to_dict()["word_count"] == 150 and doc.to_dict()["tags"] == ["weather", "Tokyo"]


def test_the_package_ships_its_type_information():
    from pathlib import Path

    assert (Path(scraper.__file__).parent / "py.typed").is_file()


def test_a_config_error_names_its_file_and_key(tmp_path):
    import pytest

    bad = tmp_path / "bad.yaml"
    bad.write_text("sites:\n  jt:\n    hosts: [x.com]\n    remove: ['div[']\n", encoding="utf-8")
    with pytest.raises(scraper.ConfigError) as caught:
        scraper.load_config(bad)
    assert (caught.value.path, caught.value.key) == (str(bad), "sites.jt.remove.0")
