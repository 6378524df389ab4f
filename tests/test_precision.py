"""The kept text is the article's, whichever reading kept it (``scraper.cleaner.precision``,
``links``, ``comments.story_before_comments``): small handmade pages, one a class."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper import clean
from scraper.cleaner.comments import story_before_comments
from scraper.cleaner.links import is_nav_link, is_section_page, page_site
from scraper.cleaner.pageblocks import Block, content_root, page_blocks
from scraper.cleaner.precision import article_only, main_span
from scraper.render import render

URL = "https://news.example.org/2008/05/12/bridge-closes-to-cars.html"
STORY = [
    "The city council voted on Monday to close the old harbour bridge to cars from next "
    "spring, after engineers found cracks in two of its piers.",
    "Cyclists and pedestrians will still be able to cross, the mayor said, while the repairs "
    "that are expected to take about two years go ahead.",
    "Shop owners on the north bank said they feared losing customers, and asked the council "
    "to run a free shuttle bus for the time of the works.",
]
FOOTER = (
    "<div><p><a href='/about'>About us</a> | <a href='/jobs'>Jobs</a> | "
    "<a href='/advertise'>Advertise</a> | <a href='/sitemap'>Site map</a></p>"
    "<p>Copyright © 2008 Example Media Ltd. All rights reserved.</p></div>"
)


def _sections(count: int) -> str:
    """A table cell of links to the site's sections, as an old news page's side column."""
    items = "".join(f"<li><a href='/games{i}x/'>Games {i}</a></li>" for i in range(count))
    return f"<td><ul>{items}</ul></td>".replace("games", "games-").replace("x/", "/")


def _blocks(html: str, url: str = URL) -> list[Block]:
    root = content_root(LexborHTMLParser(html))
    assert root is not None
    return page_blocks(root, url)


def test_section_pages_are_told_from_items_by_their_address() -> None:
    assert is_section_page("https://news.example.org/games/ps-three/", URL)
    assert is_section_page("https://www.news.example.org/about", URL)
    assert is_section_page("https://news.example.org/", URL)
    assert not is_section_page("https://news.example.org/2008/05/12/other.html", URL)
    assert not is_section_page("https://news.example.org/news/mayor-resigns-over-harbour", URL)
    assert not is_section_page("https://news.example.org/search/cs?query=Sun", URL)
    assert not is_section_page("https://elsewhere.example/about", URL)
    assert not is_section_page("mailto:desk@example.org", URL)
    assert is_nav_link("/sport/", page_site(URL))
    assert not is_nav_link("javascript:void(0)", page_site(URL))


def test_the_main_span_is_the_heaviest_run() -> None:
    assert main_span([-5, 10, 0, 8, -30, 6]) == (1, 3)
    assert main_span([0, -3]) is None


def test_a_story_between_navigation_columns_keeps_only_the_story() -> None:
    # an old news page that declares no type: the page's blocks are mostly navigation
    story = "<td><h1>Bridge closes to cars</h1>" + f"<p>{STORY[0]}</p></td>"
    html = (
        f"<html><body><table><tr>{_sections(40)}{story}{_sections(40)}</tr></table>"
        f"{FOOTER}</body></html>"
    )
    doc = clean(html, URL)
    assert STORY[0] in doc.text
    assert "Games" not in doc.text
    assert "Site map" not in doc.text


def test_navigation_and_footer_rows_around_the_main_text_go_from_any_reading() -> None:
    nav = "<div><ul>" + "".join(
        f"<li><a href='/{s}/'>{s.title()}</a></li>" for s in ("news", "sport", "weather")
    )
    html = (
        f"<html><body>{nav}</ul></div><div class='story'>"
        + "".join(f"<p>{p}</p>" for p in STORY)
        + f"</div>{FOOTER}</body></html>"
    )
    blocks = _blocks(html)
    reading = "\n\n".join(block.text for block in blocks)  # the block reading: all of it
    kept = article_only(reading, blocks).split("\n\n")
    assert kept == STORY


def test_a_link_list_inside_the_main_text_stays() -> None:
    # a roundup: its links sit in the story's own container, between its paragraphs
    links = "".join(f"<li><a href='/{s}/'>{s.title()}</a></li>" for s in ("rail", "bus", "ferry"))
    html = (
        f"<html><body><div><p>{STORY[0]}</p><ul>{links}</ul><p>{STORY[1]}</p></div></body></html>"
    )
    blocks = _blocks(html)
    reading = "\n\n".join(block.text for block in blocks)
    assert article_only(reading, blocks) == reading


def test_a_directory_of_links_is_the_content() -> None:
    items = "".join(f"<li><a href='/topic{i}x/'>Topic {i}</a></li>" for i in range(60))
    items = items.replace("topic", "topic-").replace("x/", "/")
    html = f"<html><body><div><p>{STORY[0]}</p></div><div><ul>{items}</ul></div></body></html>"
    blocks = _blocks(html)
    reading = "\n\n".join(block.text for block in blocks)
    assert article_only(reading, blocks) == reading  # most of the reading: not chrome


def _comments(count: int) -> str:
    item = (
        "<li class='comment'><cite class='fn'>Reader {i}</cite><time datetime='2008-05-12'>"
        "May 12</time><p>I cross that bridge every morning and I think the council waited far "
        "too long; the cracks were visible from the water for years, comment {i}.</p></li>"
    )
    return (
        "<div id='comments'><ol>" + "".join(item.format(i=i) for i in range(count)) + "</ol></div>"
    )


def test_a_short_story_above_a_long_comment_thread_is_an_article_with_comments() -> None:
    story = f"<article><h1>Bridge closes to cars</h1><p>{STORY[0]}</p></article>"
    html = f"<html><body>{story}{_comments(60)}</body></html>"
    doc = clean(html, URL)
    assert doc.kind != "forum"
    assert STORY[0] in doc.text
    assert "comment 3" not in doc.text
    assert len(doc.comments) == 60


def test_an_open_thread_post_with_a_short_body_keeps_its_comments_apart() -> None:
    body = (
        "Open thread: what do you think of the bridge closing to cars next spring? "
        "Tell us below, and be kind to each other."
    )
    story = f"<article class='post'><h1>Open thread</h1><p>{body}</p></article>"
    html = f"<html><body><main>{story}{_comments(25)}</main></body></html>"
    doc = clean(html, "https://blog.example.org/open-thread-bridge")
    assert body in doc.text
    assert "Reader 4" not in doc.text and "comment 4" not in doc.text
    assert len(doc.comments) == 25


def test_a_thread_whose_first_post_is_one_of_its_posts_is_a_thread() -> None:
    post = (
        "<article class='message'><span class='author'>User {i}</span><time>May 12</time>"
        "<p>My answer number {i} on the bridge: the council should have fixed the piers years "
        "ago, before the cracks grew this long.</p></article>"
    )
    posts = "".join(post.format(i=i) for i in range(5))
    html = f"<html><body><div class='comments-thread'>{posts}</div></body></html>"
    assert not story_before_comments(LexborHTMLParser(html))
    story = f"<article><h1>Bridge</h1><p>{STORY[0]}</p></article>"
    assert story_before_comments(
        LexborHTMLParser(f"<html><body>{story}{_comments(3)}</body></html>")
    )


def test_teaser_cards_after_the_article_go() -> None:
    card = (
        "<div class='card'><h3><a href='/2008/05/1{i}/other-story-number-{i}.html'>Another "
        "story number {i} from the harbour district today</a></h3></div>"
    )
    cards = "<div>" + "".join(card.format(i=i) for i in range(4)) + "</div>"
    ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "NewsArticle", "headline": "Bridge closes to cars"}</script>'
    )
    story = "<article><h1>Bridge closes to cars</h1>" + "".join(f"<p>{p}</p>" for p in STORY)
    html = f"<html><head>{ld}</head><body>{story}</article>{cards}</body></html>"
    doc = clean(html, URL)
    assert doc.kind == "article"
    assert all(p in doc.text for p in STORY)
    assert "Another story number" not in doc.text


def test_a_heading_marked_by_its_aria_role_renders_as_a_heading() -> None:
    html = (
        "<html><body><article><h1>Bridge closes to cars</h1>"
        f"<p>{STORY[0]}</p><div role='heading' aria-level='3'>What happens next</div>"
        f"<p>{STORY[1]}</p><p>{STORY[2]}</p></article></body></html>"
    )
    markdown = render(clean(html, URL), "markdown")
    assert "### What happens next" in markdown
