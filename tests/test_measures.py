"""Text measures for every script (``scraper.measures``)."""

import pytest

from scraper.measures import ends_sentence, letters_and_digits, word_count


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello world, it is 3.5 km away.", 7),
        ("東京は日本の首都です。", 5),  # ten letters of Japanese: five words of two
        ("ภาษาไทยง่าย", 3),  # eleven code points of Thai: three words of four
        ("한국어 문장입니다", 2),  # Korean separates words with spaces
        ("Tokyo 東京 city", 3),
        ("東京の天気は晴れです。" * 3, 15),
        ("", 0),
    ],
)
def test_word_count_knows_scripts_without_spaces(text: str, words: int) -> None:
    assert word_count(text) == words


def test_a_japanese_paragraph_is_many_words_not_one() -> None:
    paragraph = "政府は新しい経済対策を発表し、来年度の予算案に盛り込む方針を明らかにした。" * 3
    assert word_count(paragraph) >= 40


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("A sentence.", True),
        ("です。", True),
        ("你好！", True),
        ("「引用」", True),
        ("Related Topics", False),
        ("シェア", False),
    ],
)
def test_sentence_ends_in_every_script(text: str, ends: bool) -> None:
    assert ends_sentence(text) is ends


def test_keys_are_letters_and_digits_casefolded() -> None:
    assert letters_and_digits("Hello, World — 2024!") == "helloworld2024"
    assert letters_and_digits("東京、日本。") == "東京日本"
