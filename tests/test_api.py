import scraper


def test_public_names_are_exported():
    for name in scraper.__all__:
        assert hasattr(scraper, name), name
    assert {"clean", "Document", "load_config", "ScraperError"} <= set(scraper.__all__)


def test_every_error_has_its_own_exit_code():
    codes = {
        cls.exit_code
        for cls in (
            scraper.ConfigError,
            scraper.InputError,
            scraper.FetchError,
            scraper.ContentError,
            scraper.ExtractionError,
            scraper.StateError,
            scraper.SnapshotError,
        )
    }
    assert len(codes) == 7
    assert all(
        issubclass(getattr(scraper, n), scraper.ScraperError)
        for n in scraper.__all__
        if n.endswith("Error")
    )


def test_clean_decodes_meta_charset_bytes():
    text = "東京の天気は晴れです。" * 30
    html = (
        '<html><head><meta charset="shift_jis"><title>天気</title></head>'
        f"<body><article><p>{text}</p></article></body></html>"
    ).encode("cp932")
    assert scraper.clean(html).text == text
