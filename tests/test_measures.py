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


def _random_texts(count: int, seed: int) -> list[str]:
    """Short texts of ASCII, Latin punctuation and letters, digits of other scripts, Han,
    Thai, a lone surrogate and NUL: the characters the bytes passes must get right."""
    import random

    alphabet = [*"abc _-.,0123456789\n\t\x00", "’", "“", "é", "٣", "０", "日", "本", "ก"]
    alphabet += ["\ud800", "ß", "İ", "\xa0", "—", "…", "Ω", "ﬁ"]
    rnd = random.Random(seed)
    texts = []
    for _ in range(count):
        pool = alphabet
        if rnd.random() < 0.3:  # some texts of many distinct characters beyond ASCII
            pool = alphabet + [chr(rnd.randint(128, 0x2FFFF)) for _ in range(40)]
        texts.append("".join(rnd.choice(pool) for _ in range(rnd.randint(0, 40))))
    return texts


def test_letters_and_digits_is_what_the_regular_expression_keeps() -> None:
    # the bytes passes are a faster way to the same keys
    import re

    not_kept = re.compile(r"[^\w\x00]+")
    for text in _random_texts(20_000, 3):
        expected = not_kept.sub("", text.casefold().replace("_", ""))
        assert letters_and_digits(text) == expected, repr(text)


def test_word_count_finds_unspaced_scripts_beyond_ascii_as_in_the_whole_text() -> None:
    from scraper.measures import _ANY_UNSPACED

    for text in _random_texts(20_000, 4):
        if _ANY_UNSPACED.search(text) is None:
            assert word_count(text) == len(text.split()), repr(text)
