"""A self-closed iframe does not swallow the page."""

from __future__ import annotations

from scraper import clean
from scraper.page.parse import parse_html

GTM = (
    '<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-X"'
    ' height="0" width="0" style="display: none" /></noscript>'
)
BODY = "<article><h1>A headline</h1>" + "<p>The article text is all here. </p>" * 5 + "</article>"


def test_text_after_a_self_closed_iframe_is_parsed_as_markup() -> None:
    tree = parse_html(f"<html><body>{GTM}{BODY}</body></html>")
    assert tree.css_first("article h1") is not None


def test_a_page_behind_a_tag_manager_iframe_cleans() -> None:
    doc = clean(f"<html><head><title>A headline</title></head><body>{GTM}{BODY}</body></html>")
    assert "The article text is all here." in doc.text


def test_closed_iframes_and_urls_ending_in_a_slash_are_left_alone() -> None:
    html = '<body><iframe src="https://example.com/"></iframe><p>after</p></body>'
    assert parse_html(html).css_first("p").text() == "after"
