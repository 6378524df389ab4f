"""The last pass of ``clean()``: one paragraph per block, chrome above the title, repeats."""

from __future__ import annotations

import re

from scraper.cleaner.tidy import tidy


def _tidy(
    text: str,
    drop: list[re.Pattern[str]],
    title: str | None,
    author: str | None,
    *,
    bylines: bool = False,
) -> str:
    paragraphs = text.split("\n\n")
    kept = tidy(paragraphs, drop=drop, title=title, author=author, bylines=bylines)
    return "\n\n".join(" ".join(paragraphs[i].split()) for i in kept)


TITLE = "How the river towns rebuilt after the flood"
BODY = "The first paragraph of the story, long enough to be prose that the reader came for."


def test_short_lines_above_the_title_go() -> None:
    text = "\n\n".join(["Home", "News › Regions", "9 min read", TITLE, BODY])
    assert _tidy(text, [], TITLE, None) == BODY


def test_a_paragraph_above_the_title_keeps_everything() -> None:
    lead = "A standfirst written above the headline, which is a sentence of the article."
    text = "\n\n".join(["Home", lead, TITLE, BODY])
    assert _tidy(text, [], TITLE, None) == "\n\n".join(["Home", lead, BODY])


def test_a_title_far_down_the_text_cuts_nothing() -> None:
    lines = [f"Item {n}" for n in range(12)]
    text = "\n\n".join([*lines, TITLE, BODY])
    assert _tidy(text, [], TITLE, None) == "\n\n".join([*lines, BODY])


def test_without_a_title_nothing_is_cut() -> None:
    text = "\n\n".join(["Home", BODY])
    assert _tidy(text, [], None, None) == text


def test_a_text_that_is_only_its_title_keeps_it() -> None:
    # a link post on a forum: its title is all the text the page has
    assert _tidy(f"Home\n\n{TITLE}", [], TITLE, "Alice") == TITLE
    assert _tidy(f"{TITLE}\n\nby Alice", [], TITLE, "Alice") == f"{TITLE}\n\nby Alice"


def test_a_dropped_line_is_not_brought_back_with_the_title() -> None:
    drop = [re.compile("^Sponsored")]
    assert _tidy(f"{TITLE}\n\nSponsored by Acme", drop, TITLE, None) == TITLE


def test_a_long_paragraph_said_twice_is_kept_once() -> None:
    promo = (
        "Limited time offer: save forty percent on every plan when you sign up before "
        "the end of the month."
    )
    text = "\n\n".join([promo, BODY, promo])
    assert _tidy(text, [], None, None) == "\n\n".join([promo, BODY])


def test_short_repeated_lines_stay() -> None:
    text = "\n\n".join(["Step one", BODY, "Step one", "Yes", "Yes"])
    assert _tidy(text, [], None, None) == text


def test_a_quoted_paragraph_is_kept_where_it_is_quoted() -> None:
    text = "\n\n".join([BODY, "Alice wrote:", BODY, "I agree with that."])
    assert _tidy(text, [], None, None) == text


def test_a_short_line_naming_the_author_near_the_top_is_a_byline() -> None:
    # asked for (a template's reading); an extractor's reading judged its bylines itself
    byline = "By Ann Lee, Published: March 8 at 3:23 pm"
    quote = "Ann Lee said the bridge would open in the spring, once the river had gone down."
    late = "Ann Lee reports from Delhi."  # short and naming her, but far below the top
    lines = [f"{BODY} ({n})" for n in range(12)]
    text = "\n\n".join([TITLE, byline, quote, *lines, late])
    expected = "\n\n".join([quote, *lines, late])
    assert _tidy(text, [], TITLE, "Ann Lee", bylines=True) == expected
    assert _tidy(text, [], TITLE, "Ann Lee") == "\n\n".join([byline, expected])
    # in Japanese, written without spaces between words
    assert _tidy("\n\n".join(["山田太郎記者", BODY]), [], None, "山田太郎", bylines=True) == BODY
    # in English a name ends at a space: "Ann Leeds" is not "Ann Lee"
    assert _tidy("\n\n".join(["Ann Leeds, Delhi", BODY]), [], None, "Ann Lee", bylines=True) != BODY
