from selectolax.lexbor import LexborHTMLParser

from scraper.cleaner.prune import prune_chrome

PAGE = """<html><body>
<div class="site-nav"><ul><li>Home</li><li>News</li></ul></div>
<header><a href="/">Logo</a></header>
<main><article><header><h1>Title</h1><time datetime="2025-01-02">2 Jan</time></header>
<p>The article text that must survive the pruning stage intact.</p>
<div class="shareholders-report">Shareholders met on Monday.</div>
<div class="post-share-bar">Tweet this</div>
<div class="cookieConsent">We use cookies</div>
<div role="navigation">Prev | Next</div>
<div style="display:none">Specifications tab</div>
</article></main>
<aside>Popular stories</aside>
<footer>© Example</footer>
<script>var x = 1;</script>
</body></html>"""


def _pruned(html: str = PAGE) -> str:
    tree = prune_chrome(LexborHTMLParser(html))
    return tree.body.text(separator=" ") if tree.body else ""


def test_keeps_article_text_and_its_own_header() -> None:
    text = _pruned()
    assert "article text that must survive" in text
    assert "Title" in text and "2 Jan" in text


def test_class_words_match_whole_words_only() -> None:
    text = _pruned()
    assert "Shareholders met" in text  # "shareholders" is not "share"
    assert "Tweet this" not in text  # post-share-bar
    assert "We use cookies" not in text  # camelCase cookieConsent


def test_drops_furniture_by_tag_and_role() -> None:
    text = _pruned()
    for chrome in ("Home", "Logo", "Prev | Next", "Popular stories", "© Example", "var x"):
        assert chrome not in text


def test_keeps_hidden_tab_panels() -> None:
    assert "Specifications tab" in _pruned()


def test_a_wrapper_named_like_chrome_is_kept_when_it_holds_the_page() -> None:
    html = "<body><div class='layout-with-sidebar'><p>" + "word " * 200 + "</p></div></body>"
    assert _pruned(html).count("word") == 200


def test_noscript_only_page_is_unwrapped() -> None:
    body = "<p>" + "Server rendered post text. " * 100 + "</p>"
    html = f"<html><body><div id='app'></div><noscript>{body}</noscript></body></html>"
    assert "Server rendered post text" in _pruned(html)


def test_run_together_furniture_words_are_chrome() -> None:
    html = PAGE.replace(
        "</article>",
        "<div class='jp-relatedposts'>Another story</div>"
        "<div class='relationship-advice'>Relationship advice column</div></article>",
    )
    text = _pruned(html)
    assert "Another story" not in text  # relatedposts
    assert "Relationship advice column" in text  # not a furniture word


def test_layout_classes_naming_furniture_are_not_furniture() -> None:
    wrapper = "<div class='no-sidebar content'>Layout wrapper text</div>"
    html = PAGE.replace("<main>", f"<main>{wrapper}")
    assert "Layout wrapper text" in _pruned(html)


def test_a_layout_word_governs_the_rest_of_its_class_name() -> None:
    """"hide-read-more-ad" hides an ad in a listing's card; the card is content. Another
    class name of the same element is read on its own."""
    cards = "<div class='grid-items hide-read-more-ad'>Story card text</div>"
    ad = "<div class='hide-mobile ad-slot'>Buy now banner</div>"
    text = _pruned(PAGE.replace("<main>", f"<main>{cards}{ad}"))
    assert "Story card text" in text
    assert "Buy now banner" not in text


def test_css_module_hashes_are_not_words() -> None:
    table = "<div class='mdx-table_root__adKqa'><table><tr><td>Argument</td></tr></table></div>"
    bem = "<div class='post__share'>Share this</div>"
    text = _pruned(PAGE.replace("</article>", f"{table}{bem}</article>"))
    assert "Argument" in text  # "adKqa" is a hash, not the word "ad"
    assert "Share this" not in text


def test_forum_poster_badge_boxes_are_chrome() -> None:
    html = PAGE.replace(
        "</article>",
        "<div class='message-userDetails'>New Member Joined Sep 2020</div>"
        "<div class='userinfo'>Posts: 12</div></article>",
    )
    text = _pruned(html)
    assert "New Member" not in text and "Posts: 12" not in text


def test_a_tablist_wrapper_keeps_its_panels() -> None:
    panels = (
        "<div role='tablist' class='panel-group'><h4>Salary</h4>"
        "<div class='panel-body'>The average salary is high.</div></div>"
    )
    assert "The average salary is high." in _pruned(
        PAGE.replace("</article>", f"{panels}</article>")
    )


def test_a_modal_dialog_is_chrome_even_with_a_heading_and_much_text() -> None:
    # A terms-of-service modal in the footer: its own h1 and most of the page's words
    # would otherwise keep it, and jusText would read it as the article.
    terms = "<h1>Terms of service</h1>" + "<p>You agree to these terms. </p>" * 300
    html = (
        "<body><main><p>The product description.</p></main>"
        f'<div id="modal-terms" aria-modal="true">{terms}</div></body>'
    )
    text = _pruned(html)
    assert "The product description." in text
    assert "You agree" not in text


def test_noscript_only_page_is_unwrapped_despite_a_large_script_state() -> None:
    # The thread is also in a JSON state for the app: script data is not shown text.
    body = "<p>" + "Server rendered post text. " * 100 + "</p>"
    state = '{"posts": "' + "x" * 20000 + '"}'
    html = (
        f"<html><body><div id='app'></div><noscript>{body}</noscript>"
        f"<script>window.state = {state}</script></body></html>"
    )
    assert "Server rendered post text" in _pruned(html)


def test_skip_named_jump_targets_are_content() -> None:
    # "skip" names jump targets: a topic section, a product grid (skip links go as lines)
    html = (
        '<body><div id="topic1" class="skip-item"><h2>What is mesh WiFi?</h2>'
        "<p>Mesh systems spread one network over several units.</p></div>"
        '<div id="skip-to-products"><p>' + "Trail running shoe. " * 20 + "</p></div>"
        "<p>" + "Words that keep each section under a third of the page. " * 20 + "</p>"
        "</body>"
    )
    text = _pruned(html)
    assert "Mesh systems spread one network" in text
    assert "Trail running shoe." in text


def test_a_form_is_furniture_only_with_something_to_fill_in() -> None:
    comments = "".join(
        f'<form class="usertext"><input type="hidden" name="thing" value="t{i}">'
        f"<div class='md'><p>Comment {i}: the trial results look promising to me.</p></div>"
        "</form>"
        for i in range(3)
    )
    page = (
        "<html><body><main><h1>Thread</h1><p>The post that opened the thread, at length.</p>"
        f"{comments}</main>"
        '<form class="signup"><p>Get the weekly digest.</p><input type="email"></form>'
        "</body></html>"
    )
    text = _pruned(page)
    assert all(f"Comment {i}:" in text for i in range(3))
    assert "weekly digest" not in text


REVIEWED = """<html><body><main><h1>Trail pack</h1>
<div class="product-description"><p>A light pack for long day hikes, with a rain cover.</p></div>
<section id="customer-reviews"><p>Great pack, five stars, would buy again.</p></section>
<div class="editor-review"><p>Our editor carried it for a week in the hills.</p></div>
</main></body></html>"""


def test_customer_reviews_are_chrome_on_a_product_page_only() -> None:
    product = prune_chrome(LexborHTMLParser(REVIEWED), product=True).body
    assert product is not None
    text = product.text(separator=" ")
    assert "light pack for long day hikes" in text
    assert "would buy again" not in text
    assert "editor carried it" in text  # "review", one review, is not the reviews section
    other = prune_chrome(LexborHTMLParser(REVIEWED)).body
    assert other is not None and "would buy again" in other.text(separator=" ")


def _menu_heavy_page(article_class: str, tag: str = "div") -> str:
    """An article body (a fifth of the page's text) under ``article_class``, beside a
    long menu: its share of all the text is small, but it holds the page's prose."""
    items = "".join(f"<li><a href='/c{i}'>Category number {i}</a></li>" for i in range(50))
    menu = f"<ul class='menu'>{items}</ul>" * 3
    prose = "".join(
        f"<p>Paragraph {i} of the story tells the reader what happened at the meeting"
        " on Monday and why it matters to the town.</p>"
        for i in range(8)
    )
    promo = "<p>Sign up for our newsletter to get every story first in your inbox.</p>"
    return (
        f"<html><body>{menu}"
        f"<{tag} class='{article_class}'>{prose}</{tag}>"
        f"<div class='newsletter'>{promo}</div></body></html>"
    )


def test_an_article_named_like_chrome_is_kept_when_it_holds_the_prose() -> None:
    text = _pruned(_menu_heavy_page("entry themeform share"))
    assert text.count("Paragraph") == 8
    assert "Category number" not in text  # the menu still goes
    assert "Sign up for our newsletter" not in text  # one paragraph is not most prose


def test_furniture_by_tag_goes_even_with_the_prose() -> None:
    assert "Paragraph" not in _pruned(_menu_heavy_page("sidebar", tag="aside"))


def test_a_products_reviews_go_although_they_are_its_prose() -> None:
    html = _menu_heavy_page("reviews")
    tree = prune_chrome(LexborHTMLParser(html), product=True)
    assert tree.body is not None and "Paragraph" not in tree.body.text()


def test_a_heading_is_not_furniture_by_its_id() -> None:
    html = (
        "<html><body><article><h1>Batteries</h1><p>Intro text of the story here.</p>"
        "<h3 id='nav_only_the_foil_remains__1'>Only the foil remains</h3><p>More text.</p>"
        "<div class='nav-links'>Next story</div></article></body></html>"
    )
    text = _pruned(html)
    assert "Only the foil remains" in text and "Next story" not in text


def test_an_article_split_into_sections_named_like_chrome_is_kept() -> None:
    items = "".join(f"<li><a href='/c{i}'>Category number {i}</a></li>" for i in range(50))
    menu = f"<ul class='menu'>{items}</ul>" * 3
    para = (
        "<p>Paragraph {} of the story tells the reader what happened at the meeting"
        " on Monday and why it matters to the town.</p>"
    )
    sections = "".join(
        "<div class='content-nav-section'>" + para.format(2 * i) + para.format(2 * i + 1) + "</div>"
        for i in range(3)
    )
    cards = "".join(
        f"<div class='related-card'><p>Teaser {i}: another story from the town hall that"
        " readers of this story might like to read next.</p></div>"
        for i in range(3)
    )
    text = _pruned(f"<html><body>{menu}{sections}{cards}</body></html>")
    assert text.count("Paragraph") == 6  # no box alone holds most of the prose; together they do
    assert "Teaser" not in text  # a card holds one paragraph: not a section of the article


def test_the_prefix_tree_expression_finds_what_the_words_find() -> None:
    from scraper.cleaner.prune import _found_anywhere

    words = ["share", "sharing", "sharebar", "social", "sidebar", "cookie", "cookies", "ad.x"]
    found = _found_anywhere(words)
    values = [
        "post-share-buttons",
        "sharin",
        "entry-social",
        "side-bar",
        "cookiesbanner",
        "cooki",
        "adx",
        "load.xml",
        "ad.xyz",
        "",
        "shar e",
    ]
    for value in values:
        assert (found.search(value) is not None) == any(w in value for w in words), value


def test_keyboard_shortcut_links_go_but_a_main_region_with_one_stays() -> None:
    html = """<html><body>
    <div style="display:none"><a href="#search-key" accesskey="h">I'm shopping for...</a></div>
    <p>Read <a href="/log" accesskey="l">Log in</a> the story, then the rest of it.</p>
    <main accesskey="m"><p>The article text under a main region with a shortcut key.</p></main>
    </body></html>"""
    text = _pruned(html)
    assert "shopping for" not in text and "Log in" not in text
    assert "the story, then the rest of it" in text
    assert "article text under a main region" in text


def test_drop_bylines_takes_short_blocks_named_byline_only():
    from scraper.cleaner.prune import drop_bylines

    long_note = "word " * 40
    tree = LexborHTMLParser(
        "<body><div class='story'>"
        "<p class='wp-Byline'>By Ann Lee, <span>Published: March 8</span></p>"
        "<div class='bylineName'>Bob Roe</div><div id='dateline'>DELHI, 5 March</div>"
        f"<p class='bylines-note'>{long_note}</p><h2 class='byline'>A heading</h2>"
        "<p class='skyline'>The skyline stays.</p></div></body>"
    )
    assert drop_bylines(tree) == 3
    html = tree.body.html
    for gone in ("Ann Lee", "Bob Roe", "DELHI"):
        assert gone not in html
    for kept in ("word word", "A heading", "The skyline stays."):
        assert kept in html


def test_drop_captions_takes_each_figures_caption_and_keeps_the_figure():
    from scraper.cleaner.prune import drop_captions

    tree = LexborHTMLParser(
        "<body><figure><img src='a.jpg'><figcaption>A harbour at dawn. <figcaption>Photo: "
        "Ann Lee</figcaption></figcaption></figure><p>The story goes on.</p>"
        "<figure><blockquote>A quoted line stays.</blockquote></figure></body>"
    )
    assert drop_captions(tree) == 2
    html = tree.body.html
    assert "harbour" not in html and "Ann Lee" not in html
    assert "<img" in html and "The story goes on." in html and "A quoted line stays." in html
