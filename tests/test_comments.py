"""Reader comments are their own part of the document (``scraper.cleaner.comments``)."""

from __future__ import annotations

from pathlib import Path

from scraper import clean
from scraper.config import Config, SiteRule
from scraper.render import render

ROOT = Path(__file__).resolve().parent.parent
ALISTAPART = ROOT / "tests/pages/alistapart.com/understandingwebdesign.html"

_STORY = (
    "The harbour board met on Tuesday to review the plans for the new quay, and its members "
    "agreed that the consultation would open to the public next month."
)
_REPLY = (
    "I have lived by this harbour for forty years and I can tell you that every plan like "
    "this one has ended with more traffic and fewer boats, number {n}."
)


def _thin_article_with_a_long_thread(comments: int = 30) -> str:
    items = "".join(
        f'<li class="comment" id="comment-{n}"><div class="comment-author"><b class="fn">'
        f'Reader {n}</b></div><time datetime="2024-03-0{n % 9 + 1}">March</time>'
        f'<div class="comment-content"><p>{_REPLY.format(n=n)}</p></div>'
        '<div class="reply"><a href="#">Reply</a></div></li>'
        for n in range(comments)
    )
    return (
        "<html><head><title>Quay plans</title></head><body>"
        f"<article><h1>Quay plans</h1><p>{_STORY}</p><p>{_STORY}</p></article>"
        f'<section id="comments"><h2>{comments} Comments</h2><ol class="comment-list">{items}</ol>'
        "</section></body></html>"
    )


def test_a_short_article_keeps_its_long_comment_thread_apart() -> None:
    doc = clean(_thin_article_with_a_long_thread(), "https://news.example/quay")
    assert "harbour board met" in doc.text
    assert "forty years" not in doc.text
    assert len(doc.comments) == 30
    first = doc.comments[0]
    assert first.author == "Reader 0" and first.date == "2024-03-01"
    assert first.text == _REPLY.format(n=0)


def test_comments_render_after_the_body_only_when_asked() -> None:
    doc = clean(_thin_article_with_a_long_thread(3), "https://news.example/quay")
    assert "forty years" not in render(doc, "text")
    with_comments = render(doc, "text", comments=True)
    body, _, rest = with_comments.partition("\n\nComments\n\n")
    assert "harbour board met" in body and "forty years" not in body
    assert rest.startswith("Reader 0 — 2024-03-01:\n" + _REPLY.format(n=0))
    markdown = render(doc, "markdown", comments=True)
    assert "## Comments" in markdown and "> **Reader 1 — 2024-03-02**" in markdown
    assert doc.to_dict()["comments"][2]["author"] == "Reader 2"


def test_a_thread_whose_posts_are_called_comments_is_content() -> None:
    items = "".join(
        f'<div class="comment"><span class="author">user{n}</span><p>{_REPLY.format(n=n)}</p>'
        "</div>"
        for n in range(8)
    )
    page = f'<html><body><h1>Harbour thread</h1><div class="comments">{items}</div></body></html>'
    doc = clean(page, "https://forum.example/t/1")
    assert "forty years" in doc.text
    assert doc.comments == ()


def test_a_stored_blog_page_with_comments() -> None:
    doc = clean(ALISTAPART.read_bytes(), "https://alistapart.com/article/understandingwebdesign/")
    assert len(doc.comments) >= 20
    assert all(c.text for c in doc.comments)
    assert sum(c.author is not None for c in doc.comments) >= 20
    for comment in doc.comments:
        assert comment.text[:60] not in doc.text


def test_comments_setting_per_site() -> None:
    config = Config(sites={"news": SiteRule(hosts=["news.example"], comments=True)})
    assert config.comments_for("news.example") is True
    assert config.comments_for("other.example") is False


def test_the_clean_command_renders_comments_and_links_when_asked(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from scraper.cli import main

    page = tmp_path / "quay.html"
    page.write_text(
        _thin_article_with_a_long_thread(2).replace(
            "<p>The harbour", '<p>The <a href="/board">harbour</a>', 1
        ),
        encoding="utf-8",
    )
    url = ["--url", "https://news.example/quay", "-c", str(tmp_path / "none.yaml")]
    (tmp_path / "none.yaml").write_text("{}\n", encoding="utf-8")
    plain = CliRunner().invoke(main, ["clean", str(page), *url])
    assert plain.exit_code == 0 and "forty years" not in plain.output
    asked = CliRunner().invoke(main, ["clean", str(page), *url, "--comments", "-f", "markdown"])
    assert "## Comments" in asked.output and "forty years" in asked.output
    linked = CliRunner().invoke(main, ["clean", str(page), *url, "--links", "-f", "markdown"])
    assert "[harbour](https://news.example/board)" in linked.output
    many = CliRunner().invoke(main, ["clean", str(page), str(page), "--comments"])
    records = [json.loads(line) for line in many.output.splitlines()]
    assert len(records) == 2
    assert [b["type"] for b in records[0]["blocks"]] == ["paragraph"]  # the story, once
    assert len(records[0]["comments"]) == 2 and "forty years" not in records[0]["text"]
