import pytest

from scraper.textstats import word_count


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello world, it is 3.5 km away.", 8),  # "3.5" is two, as in WCXB's \\w+ metric
        ("東京は日本の首都です。", 10),  # each letter a word; the full stop is none
        ("ภาษาไทยง่าย", 10),  # 11 code points, one a combining tone mark
        ("한국어 문장입니다", 2),  # Korean separates words with spaces
        ("Tokyo 東京 city", 4),
        ("", 0),
    ],
)
def test_word_count_knows_scripts_without_spaces(text, words):
    assert word_count(text) == words
