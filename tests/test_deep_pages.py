"""Pages nested far deeper than any reader's recursion clean, with their text kept."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import scraper
from scraper.cli import main
from scraper.page.parse import MAX_DEPTH, parse_html
from scraper.render import render

TEXT = "Deep words here and there, a full sentence of text that a reader reads. " * 5


def nested(kind: str, n: int) -> str:
    opens = {
        "div": ("<div>", "</div>"),
        "font": ("<font size=2>", ""),  # never closed, as on old hand-written pages
        "list": ("<ul><li>", "</li></ul>"),
        "table": ("<table><tr><td>", "</td></tr></table>"),
    }
    start, end = opens[kind]
    return f"<html><body>{start * n}<p>{TEXT}</p>{end * n}</body></html>"


@pytest.mark.parametrize("kind", ["div", "font", "list", "table"])
def test_ten_thousand_deep_cleans_in_every_format(kind):
    doc = scraper.clean(nested(kind, 10_000), "https://deep.example/page")
    assert "Deep words here and there" in doc.text
    for fmt in ("text", "markdown", "html", "json"):
        assert "Deep words here and there" in render(doc, fmt)


def test_the_tree_is_cut_at_the_depth_cap():
    tree = parse_html(nested("div", 1_000))
    depth, node = 0, tree.css_first("p")
    while node is not None:
        node, depth = node.parent, depth + 1
    assert depth <= MAX_DEPTH + 2


def test_a_deep_page_on_the_command_line_is_no_traceback(tmp_path):
    page = tmp_path / "deep.html"
    page.write_text(nested("font", 5_000), encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(page)])
    assert result.exit_code == 0, result.output
    assert "Deep words here and there" in result.output
    assert "Traceback" not in result.output
