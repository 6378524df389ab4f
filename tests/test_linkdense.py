"""An article's teasers: paragraphs made of links to other pages (``scraper.cleaner.linkdense``)."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.cleaner.linkdense import without_link_paragraphs
from scraper.cleaner.pageblocks import Block, content_root, page_blocks

_PROSE = [
    f"Paragraph {i} of the story says what happened at the council meeting on Monday."
    for i in range(6)
]


def _blocks(html: str, url: str = "https://example.org/news/story") -> list[Block]:
    root = content_root(LexborHTMLParser(html))
    assert root is not None
    return page_blocks(root, url)


def test_a_read_more_line_in_an_article_goes() -> None:
    body = "".join(f"<p>{p}</p>" for p in _PROSE[:3])
    title = "The mayor resigns after the vote on the harbour budget"
    teaser = f"Read more: <a href='/news/other'>{title}</a>"
    html = f"<html><body>{body}<p>{teaser}</p>{''.join(f'<p>{p}</p>' for p in _PROSE[3:])}"
    blocks = _blocks(html + "</body></html>")
    reading = "\n\n".join([*_PROSE[:3], f"Read more: {title}", *_PROSE[3:]])
    assert without_link_paragraphs(reading, blocks) == "\n\n".join(_PROSE)


def test_a_sentence_with_a_link_in_it_stays() -> None:
    html = (
        "<html><body><p>The council <a href='/budget'>published its budget</a> on Monday, "
        "and residents can read every line of it online before the next meeting.</p></body></html>"
    )
    blocks = _blocks(html)
    assert 0.0 < blocks[0].away_share < 0.5
    assert without_link_paragraphs(blocks[0].text, blocks) == blocks[0].text


def test_links_within_the_page_and_heading_links_are_not_teasers() -> None:
    html = (
        "<html><body><ul><li><a href='#costs'>What does it cost?</a></li>"
        "<li><a href='https://example.org/news/story#who'>Who pays?</a></li></ul>"
        "<h2><a href='https://elsewhere.example/item'>A roundup's item title</a></h2>"
        "<p><a href='/news/other'>Another story on this site</a></p></body></html>"
    )
    blocks = _blocks(html)
    shares = [(b.text, b.away_share, b.link_share, b.heading) for b in blocks]
    assert shares == [
        ("What does it cost?", 0.0, 1.0, False),
        ("Who pays?", 0.0, 1.0, False),
        ("A roundup's item title", 1.0, 1.0, True),
        ("Another story on this site", 1.0, 1.0, False),
    ]
    reading = "\n\n".join([*_PROSE, *(b.text for b in blocks)])
    kept = without_link_paragraphs(reading, blocks).split("\n\n")
    assert kept == [*_PROSE, *(b.text for b in blocks[:3])]


def test_a_list_of_links_that_is_much_of_the_reading_is_its_content() -> None:
    links = [f"Useful resource number {i} for tenants" for i in range(12)]
    items = "".join(f"<li><a href='/r{i}'>{t}</a></li>" for i, t in enumerate(links))
    html = f"<html><body><p>{_PROSE[0]}</p><ul>{items}</ul></body></html>"
    reading = "\n\n".join([_PROSE[0], *links])
    assert without_link_paragraphs(reading, _blocks(html)) == reading


def test_an_address_written_out_is_text_not_a_teaser() -> None:
    url = "https://en.wikipedia.org/wiki/Comparison_of_forum_software"
    html = f"<html><body><p>{_PROSE[0]}</p><p><a href='{url}'>{url}</a></p></body></html>"
    blocks = _blocks(html)
    assert blocks[1].away_share == 0.0 and blocks[1].link_share == 1.0
    reading = f"{_PROSE[0]}\n\n{url}"
    assert without_link_paragraphs(reading, blocks) == reading


def test_a_link_across_blocks_makes_each_of_them_a_teaser() -> None:
    # a card (headline and summary in one link) and a "« Previous<br>title" pager: no link
    # opens and closes in the summary or in the title, yet each is all link
    body = "".join(f"<p>{p}</p>" for p in _PROSE)
    card = (
        "<a href='/news/card'><div><h3>The card's headline</h3><p>The card's summary</p></div></a>"
    )
    pager = "<a href='/news/older'><strong>« Previous</strong><br>The older story's title</a>"
    blocks = _blocks(f"<html><body>{body}{card}<p>{pager}</p></body></html>")
    by_text = {b.text: b for b in blocks}
    summary, title = by_text["The card's summary"], by_text["The older story's title"]
    assert summary.away_share == 0.0 and summary.card_share == 1.0
    assert title.away_share == 0.0 and title.card_share == 1.0
    assert by_text[_PROSE[0]].card_share == 0.0
    reading = "\n\n".join([*_PROSE, "The card's summary", "The older story's title"])
    assert without_link_paragraphs(reading, blocks) == "\n\n".join(_PROSE)


def test_a_linked_name_heading_its_own_entry_is_no_teaser():
    from selectolax.lexbor import LexborHTMLParser

    from scraper.cleaner.linkdense import without_link_paragraphs
    from scraper.cleaner.pageblocks import page_blocks

    html = (
        "<body><p>" + "An article paragraph of its own words goes on here. " * 3 + "</p><ul>"
        "<li><a href='https://a.example/'>Access Institute</a><br>110 Gough St.<br>Fees</li>"
        "<li><a href='https://b.example/'>Other story headline here</a></li></ul></body>"
    )
    blocks = page_blocks(LexborHTMLParser(html).body, "https://x.example/")
    reading = "\n\n".join(b.text for b in blocks)
    kept = without_link_paragraphs(reading, blocks)
    assert "Access Institute" in kept and "110 Gough St." in kept
    assert "Other story headline here" not in kept
