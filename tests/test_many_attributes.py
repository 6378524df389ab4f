"""Elements with more attributes than any page carries are cut, so parsing stays linear."""

from __future__ import annotations

import scraper
from scraper.page.parse import MAX_ATTRIBUTES, bound_attributes, parse_html

TEXT = "The harbour reopened on Monday after the storm had passed over the coast. " * 3


def _div(count: int, value: str = "x") -> str:
    return "<div " + " ".join(f'a{i}="{value}"' for i in range(count)) + f"><p>{TEXT}</p></div>"


def test_an_element_keeps_its_first_attributes_and_its_content():
    tree = parse_html(_div(MAX_ATTRIBUTES * 20))
    div = tree.css_first("div")
    assert div is not None
    assert len(div.attributes) == MAX_ATTRIBUTES
    assert "a0" in div.attributes and f"a{MAX_ATTRIBUTES}" not in div.attributes
    assert "harbour reopened" in div.text()


def test_quoted_angle_brackets_do_not_hide_the_attributes():
    html = _div(MAX_ATTRIBUTES + 5, value="a>b<c")
    assert bound_attributes(html).count('="a>b<c"') == MAX_ATTRIBUTES


def test_up_to_the_limit_nothing_changes():
    html = _div(MAX_ATTRIBUTES)
    assert bound_attributes(html) == html


def test_script_style_and_comment_text_is_not_markup():
    fake = "<div " + "b " * (MAX_ATTRIBUTES * 3) + ">"
    for html in (
        f"<script>var s = '{fake}';</script><p>x</p>",
        f"<STYLE>/* {fake} */</STYLE><p>x</p>",
        f"<!-- {fake} --><p>x</p>",
        f"<textarea>{fake}</textarea>",
    ):
        assert bound_attributes(html) == html


def test_markup_after_a_raw_text_element_is_still_read():
    html = "<script>x</script>" + _div(MAX_ATTRIBUTES + 1)
    assert bound_attributes(html).count('="x"') == MAX_ATTRIBUTES


def test_a_page_of_a_hundred_thousand_attributes_cleans():
    doc = scraper.clean(_div(100_000), "https://example.com/a")
    assert "harbour reopened" in doc.text


def test_attributes_without_spaces_between_them_are_counted_too():
    # quoted values run together and bare names after "/": the quick search that spares a
    # page the tag-by-tag walk must see these tags as the walk does
    joined = "<div " + "".join(f'a{i}="x"' for i in range(3 * MAX_ATTRIBUTES)) + ">t</div>"
    assert bound_attributes(joined).count('="x"') == MAX_ATTRIBUTES
    assert bound_attributes(joined, limit=10).count('="x"') == 10
    slashed = "<p " + "/".join(f"n{i}" for i in range(3 * MAX_ATTRIBUTES)) + ">t</p>"
    assert len(bound_attributes(slashed)) < len(slashed)
