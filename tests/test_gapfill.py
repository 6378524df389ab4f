"""Putting back the prose an extractor skipped inside what it kept (``scraper.cleaner.gapfill``)."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.cleaner.gapfill import fill_gaps
from scraper.cleaner.pageblocks import Block, content_root, page_blocks

_LONG = "This paragraph of the article went missing from the reading, though it is prose."
_FIRST = "The article opens with this paragraph of several words."
_LAST = "The article closes with this paragraph of several words."


def _blocks(*texts: str) -> list[Block]:
    return [Block(text, 0.0) for text in texts]


def _page_blocks(html: str) -> list[Block]:
    root = content_root(LexborHTMLParser(html))
    assert root is not None
    return page_blocks(root)


def test_a_skipped_paragraph_between_kept_ones_comes_back_in_place() -> None:
    reading = f"{_FIRST}\n\n{_LAST}"
    out = fill_gaps(reading, _blocks("Menu", _FIRST, _LONG, _LAST, "Footer"))
    assert out == f"{_FIRST}\n\n{_LONG}\n\n{_LAST}"


def test_nothing_is_added_before_or_after_the_kept_span() -> None:
    reading = f"{_FIRST}\n\n{_LAST}"
    before = "A promotional paragraph before the article that is long enough to count."
    after = "A promotional paragraph after the article that is long enough to count here."
    assert fill_gaps(reading, _blocks(before, _FIRST, _LAST, after)) == reading


def test_labels_link_lists_repeats_and_code_stay_out() -> None:
    reading = f"{_FIRST}\n\n{_LAST}"
    links = Block(_LONG.replace("prose", "links"), 0.8)
    code = Block("for item in items : print ( item ) # one line of twelve tokens", 0.0, True)
    repeated = "Re: the thread title that every post of this thread repeats as its heading"
    blocks = [
        Block(_FIRST, 0.0),
        Block("Sign up for our newsletter", 0.0),
        links,
        code,
        Block(repeated, 0.0),
        Block(repeated, 0.0),
        Block(_LAST, 0.0),
    ]
    assert fill_gaps(reading, blocks) == reading


def test_a_block_the_reading_holds_is_not_added_twice() -> None:
    # spaced and punctuated differently, and earlier in the reading than on the page
    held = "It   costs $5 —   and it's   worth it , the review said of the shop."
    reading = f"{_FIRST}\n\n{held}\n\n{_LONG}\n\n{_LAST}"
    block = "It costs $5—and it’s worth it, the review said of the shop."
    assert fill_gaps(reading, _blocks(_FIRST, _LONG, block, _LAST)) == reading


def test_a_quote_of_the_article_in_its_comments_does_not_widen_the_span() -> None:
    reading = f"{_FIRST}\n\n{_LAST}"
    comment = "A reader's comment on the article, long enough to be taken for a paragraph."
    out = fill_gaps(reading, _blocks(_FIRST, _LAST, comment, _FIRST))
    assert out == reading


def test_page_blocks_measure_link_text_and_mark_preformatted_blocks() -> None:
    blocks = _page_blocks(
        "<html><body><p>Read <a href='/a'>this story</a></p><pre>x = 1\n  y = 2</pre>"
        "<p>plain words</p></body></html>"
    )
    assert [b.text for b in blocks] == ["Read this story", "x = 1 y = 2", "plain words"]
    assert blocks[0].link_share == len("thisstory") / len("Readthisstory")
    assert [b.preformatted for b in blocks] == [False, True, False]
    assert blocks[2].link_share == 0.0


def test_a_nul_character_in_a_block_does_not_misalign_the_blocks() -> None:
    reading = f"{_FIRST}\n\n{_LAST}"
    out = fill_gaps(reading, _blocks(_FIRST, "odd\x00block", _LONG, _LAST))
    assert out == f"{_FIRST}\n\n{_LONG}\n\n{_LAST}"


def test_reader_comments_between_kept_blocks_stay_out() -> None:
    blocks = _page_blocks(
        f"<html><body><article><p>{_FIRST}</p></article>"
        f"<div class='Comment-list'><p>{_LONG}</p><div id='comment-2'><p>Reply</p></div></div>"
        f"<p>{_LAST}</p></body></html>"
    )
    assert [b.in_comments for b in blocks] == [False, True, True, False]
    reading = f"{_FIRST}\n\n{_LAST}"
    assert fill_gaps(reading, blocks) == reading


def test_captions_and_credits_of_figures_stay_out() -> None:
    caption = "The mayor speaks to reporters outside the town hall on Monday. Photo: Jane Roe"
    blocks = _page_blocks(
        f"<html><body><p>{_FIRST}</p><figure><img src='a.jpg'><figcaption>{caption}"
        f"</figcaption></figure><p>{_LONG}</p><p>{_LAST}</p></body></html>"
    )
    assert [b.in_figure for b in blocks] == [False, True, False, False]
    out = fill_gaps(f"{_FIRST}\n\n{_LAST}", blocks)
    assert out == f"{_FIRST}\n\n{_LONG}\n\n{_LAST}"  # the prose comes back, not the caption


def test_text_in_other_scripts_is_matched_by_its_letters() -> None:
    first = "Первый абзац статьи, в котором довольно много слов подряд."
    held = "Второй абзац — тот, что чтение сохранило «как есть», и его не нужно добавлять снова."
    missing = "Третий абзац статьи пропал из чтения, хотя это обычный текст из двенадцати слов."
    last = "Последний абзац статьи, в котором тоже много слов."
    kept = 'Второй абзац - тот, что чтение сохранило "как есть", и его не нужно добавлять снова.'
    reading = f"{first}\n\n{kept}\n\n{last}"
    out = fill_gaps(reading, _blocks(first, held, missing, last))
    assert out.split("\n\n") == [first, kept, missing, last]


def test_short_blocks_come_back_when_the_reading_kept_only_fragments() -> None:
    # a service page: the reading kept two of its sections and skipped the rest
    items = [f"Service {n}: we plan, build and run it for you" for n in range(6)]
    reading = f"{_FIRST}\n\n{_LAST}"
    out = fill_gaps(reading, _blocks(_FIRST, *items, "Call us", _LAST))
    assert out == "\n\n".join([_FIRST, *items, _LAST])  # "Call us" is under 3 words


def test_short_blocks_stay_out_when_the_reading_kept_most_of_the_span() -> None:
    label = "Advertisement: read more below"
    reading = f"{_FIRST}\n\n{_LONG}\n\n{_LAST}"
    assert fill_gaps(reading, _blocks(_FIRST, _LONG, label, _LAST)) == reading


def test_a_widgets_json_left_as_text_is_no_block_but_code_that_shows_json_is() -> None:
    html = """<html><body><main>
    <p>The article's first paragraph, long enough to be a block of the page.</p>
    <div><span hidden>{"layoutMobile": 2, "buttonText": "Buy", "price": {"hue": 2}}</span></div>
    <div>[{"id": 1, "name": "a widget's list of items"}]</div>
    <pre>{"json": {"name": "Shaoni", "score": 82}}</pre>
    <p>[1]</p><p>{braces} around words are text.</p>
    </main></body></html>"""
    tree = LexborHTMLParser(html)
    texts = [block.text for block in page_blocks(content_root(tree), None)]
    assert not any("layoutMobile" in t or "a widget's list" in t for t in texts)
    assert any('"Shaoni"' in t for t in texts)
    assert "[1]" in texts and "{braces} around words are text." in texts


def test_brackets_nested_past_a_parsers_depth_are_text_not_a_crash() -> None:
    nested = "[" * 50000 + "]" * 50000
    tree = LexborHTMLParser(f"<html><body><p>{nested}</p></body></html>")
    assert [block.text for block in page_blocks(content_root(tree), None)] == [nested]
