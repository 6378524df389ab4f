from __future__ import annotations

import re

from scraper.cleaner.textdump import clean_text_dump, looks_like_html

BODY = [
    "The city council voted on Tuesday to extend the night bus service for another year, "
    "after a trial that the transport department said carried more riders than it expected.",
    "Officials said the extension would cost about 2 million dollars and would be paid for "
    "from the parking fund, which has grown faster than the council had planned for.",
    "Some members of the council argued that the money should go to the roads instead, but "
    "the motion passed by a wide margin after an hour of debate in the chamber.",
]


def dump(*middle: str) -> str:
    return "\n\n".join(
        [
            "Home",
            "Subscribe to our newsletter",
            "Sign in",
            "Night buses to run for another year",
            "By Jane Doe",
            *middle,
            "© 2026 Example News. All rights reserved.",
            "Share this article",
            "Read more",
            "You may also like",
            "Ten things to do this weekend in the city if the weather is good and shops are open",
        ]
    )


def test_body_title_and_author():
    result = clean_text_dump(dump(*BODY))
    assert result.text == "\n\n".join(BODY)
    assert result.title == "Night buses to run for another year"
    assert result.author == "Jane Doe"


def test_subheading_inside_the_body_is_kept():
    result = clean_text_dump(dump(BODY[0], "What comes next", BODY[1], BODY[2]))
    assert "What comes next" in result.text
    assert result.text.startswith(BODY[0]) and result.text.endswith(BODY[2])


def test_drop_lines_apply():
    result = clean_text_dump(dump(*BODY), [re.compile(r"parking fund")])
    assert "parking fund" not in result.text
    assert BODY[0] in result.text


def test_nothing_like_an_article():
    assert clean_text_dump("Home\nAbout\nContact\n© 2026").text == ""


def test_html_is_told_apart_from_text():
    assert looks_like_html("<!DOCTYPE html><html><body><p>x</p></body></html>")
    assert looks_like_html("  <div class='a'>text</div>")
    assert not looks_like_html("Prices rose 3% <according to> the report\nSecond line")


def test_a_page_that_opens_with_a_style_block_or_a_warning_is_html() -> None:
    # real pages: one opens with 4 kB of <style> before its first element, another
    # with a server's PHP warnings in <b>; both were read as text dumps, markup and all
    style = "<style>\n" + "  .grid { display: grid; gap: 10px 10px; }\n" * 200 + "</style>\n"
    assert looks_like_html(style + "<ul class='nav'><li>News</li></ul>")
    assert looks_like_html("<b>Strict Standards</b>: Non-static method get_option() in x.php")
    assert not looks_like_html("He wrote 1 < 2 and 3 > 2 on the board.\nSecond line")
