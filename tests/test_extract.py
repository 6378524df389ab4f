from selectolax.lexbor import LexborHTMLParser

from scraper.cleaner import clean as extract_html
from scraper.cleaner.linefilter import chrome_free, is_chrome_line
from scraper.page.metadata import read_metadata


def drop_chrome_lines(text: str) -> str:
    paragraphs = text.split("\n\n")
    return "\n\n".join(paragraphs[i] for i in chrome_free(paragraphs))


ARTICLE = """<html><head><title>A headline | Example News</title>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "A headline",
 "author": {"@type": "Person", "name": "Jane Doe"}, "datePublished": "2025-03-04T10:00:00Z"}
</script></head><body><main><article><h1>A headline</h1>
<p>First paragraph of the story, long enough to be kept by the extractor as content.</p>
<p>Second paragraph of the story, which also carries enough words to count as text.</p>
<p>Share</p></article></main></body></html>"""


def test_metadata_from_json_ld() -> None:
    meta = read_metadata(LexborHTMLParser(ARTICLE))
    assert (meta.title, meta.author, meta.date, meta.kind) == (
        "A headline",
        "Jane Doe",
        "2025-03-04",
        "article",
    )


def test_extract_keeps_paragraphs_and_drops_chrome_lines() -> None:
    out = extract_html(ARTICLE, "https://example.com/a")
    assert "First paragraph of the story" in out.text
    assert "Second paragraph" in out.text
    assert "Share" not in out.text.split("\n\n")


def test_listing_falls_back_to_the_page_blocks() -> None:
    items = "".join(
        f"<div class='item'><h3>Item {i}</h3><span>price {i} dollars</span></div>"
        for i in range(40)
    )
    out = extract_html(f"<html><body><main>{items}</main></body></html>")
    assert out.text.count("Item ") >= 35


def _story_beside_a_tag_archive(paragraphs: int) -> str:
    words = " ".join(f"word{i}" for i in range(34))
    story = "".join(f"<p>Paragraph {n} of the story: {words}.</p>" for n in range(paragraphs))
    tag = "<li><a href='/tag/{0}'>Tag number {0} of the archive</a></li>"
    tags = "".join(tag.format(n) for n in range(200))
    return f"<html><body><article><h1>Title</h1>{story}</article><ul>{tags}</ul></body></html>"


def test_an_article_reading_is_kept_beside_a_much_larger_tag_archive() -> None:
    out = extract_html(_story_beside_a_tag_archive(5))
    assert out.text.count("Paragraph ") == 5
    assert "Tag number" not in out.text


def test_fewer_long_paragraphs_still_fall_back_to_the_page_blocks() -> None:
    assert "Tag number" in extract_html(_story_beside_a_tag_archive(4)).text


def test_chrome_lines_are_whole_lines_only() -> None:
    assert is_chrome_line("Share on Facebook")
    assert is_chrome_line("  Read more » ")
    assert not is_chrome_line("Read more about the council's plans in our report.")
    assert drop_chrome_lines("Keep me.\n\nSubscribe\n\nAnd me.") == "Keep me.\n\nAnd me."


def test_a_script_placeholder_is_chrome() -> None:
    assert is_chrome_line("Loading...")
    assert is_chrome_line("Please wait…")
    assert not is_chrome_line("Loading the van took all morning.")


def test_author_must_look_like_a_name() -> None:
    from scraper.page.metadata import plausible_author

    assert plausible_author("Jane Doe")
    assert plausible_author("Danielle DeSiato; Donna Enzmann; Natalie Nguyen")
    assert not plausible_author("Tokyo-based French writer. More articles by Amelie Marie")
    assert not plausible_author("x" * 90)
    assert not plausible_author("Mac; I")
    assert not plausible_author("page.head.extra.author")
    assert not plausible_author("latawiecMemberJoinedOct 28, 2023Posts267")


def test_byline_first_line_and_text_date_fill_missing_markup() -> None:
    page = """<html><body><article><h1>A title</h1>
    <div class="post-author">By Jane Doe<p>Jane writes about gardens and much more.</p></div>
    <p>Published on March 5, 2024 in Gardens</p>
    <p>Body text of the article, long enough to be kept as the article content.</p>
    </article></body></html>"""
    out = extract_html(page, "https://example.com/post")
    assert (out.author, out.date) == ("Jane Doe", "2024-03-05")


def test_a_written_date_comes_before_htmldate_and_htmldate_fills_in() -> None:
    body = "<p>Body text of the article, long enough to be kept as the article content.</p>"
    written = f"<html><body><article><p>March 5, 2024</p>{body}</article></body></html>"
    bare = f"<html><body><article>{body}</article></body></html>"
    url = "https://example.com/2023/07/14/post"  # htmldate reads the URL's date
    assert extract_html(written, url).date == "2024-03-05"
    assert extract_html(bare, url).date == "2023-07-14"


def test_code_and_path_lines_are_not_chrome() -> None:
    for line in ("/login", "login()", "$ search", "@login", "search_"):
        assert not is_chrome_line(line), line
    assert is_chrome_line("« Previous")
    assert is_chrome_line("Skip To Main") and is_chrome_line("Skip navigation")
    assert not is_chrome_line("Skip the line at the museum")
    assert is_chrome_line("Log in | Register")


def test_shop_navigation_sign_up_and_disclosure_lines_are_chrome() -> None:
    for line in (
        "Free shipping on orders over $75",
        "Customer Reviews",
        "Showing 2 of 2 products",
        "Next article: Go Wins 2010 Bossie Award",
        "Subscribe to get the latest posts sent to your email.",
        "Products are chosen independently by our editors. Purchases made through our "
        "links may earn us a commission.",
        "DISCLOSURE: If you buy through affiliate links, I may earn a commission. (details)",
        "Written by Jane Doe",
        "Posted by David at December 16, 2025",
    ):
        assert is_chrome_line(line), line
    for line in (
        "The shop offers free shipping to members, which drove sales up by a third.",
        "The next article in this series looks at the council's budget.",
        "Affiliate marketers earn a commission on each sale, the report says.",
        "Posted by the council after a long meeting about the budget for next year.",
    ):
        assert not is_chrome_line(line), line


def test_trailing_labels_go_but_a_closing_sentence_stays() -> None:
    text = "A paragraph of the story.\n\nIts last sentence.\n\nRelated Topics\n\nFollow Example"
    assert drop_chrome_lines(text) == "A paragraph of the story.\n\nIts last sentence."
    assert drop_chrome_lines("Only a label") == "Only a label"  # never empties the text
    kept = "Story text.\n\nThe End!"
    assert drop_chrome_lines(kept) == kept


_LONG = " ".join(["The council met on Tuesday and agreed the new budget for the town."] * 4)
_THIN_ARTICLE = f"""<html><head>
<script type="application/ld+json">{{"@type": "BlogPosting", "headline": "Budget"}}</script>
</head><body>
<div class="post"><p>{_LONG}</p><p>{_LONG}</p><p>{_LONG}</p></div>
<div id="comments"><div class="comment"><p>{_LONG.replace("council", "reader")}</p></div>
<div class="comment"><p>{_LONG.replace("council", "visitor")}</p></div></div>
</body></html>"""


def test_article_page_keeps_its_text_without_reader_comments() -> None:
    out = extract_html(_THIN_ARTICLE, "https://example.com/budget")
    assert out.text.count("The council met") >= 4  # said three times: kept once
    assert "reader met" not in out.text and "visitor met" not in out.text


def test_feedback_prompts_and_closed_thread_notices_are_chrome() -> None:
    assert is_chrome_line("Was this helpful?")
    assert is_chrome_line("Filter & Sort")
    assert is_chrome_line(
        "This topic was automatically closed after 30 days. New replies are no longer allowed."
    )
    assert not is_chrome_line("Was this helpful to the council? Its members were not sure.")


def test_block_reading_leaves_out_json_ld() -> None:
    from scraper.cleaner.pageblocks import block_text, content_root

    page = LexborHTMLParser(
        '<html><body><main><script type=\'application/ld+json\'>{"@type": "WebPage"}'
        "</script><p>Item one</p><p>Item two</p></main></body></html>"
    )
    root = content_root(page)
    assert root is not None
    assert block_text(root) == "Item one\n\nItem two"


def test_trafilatura_reads_once_without_its_own_recall_retry(monkeypatch) -> None:
    import trafilatura.core

    measured = []
    real = trafilatura.core.html2txt
    # trafilatura measures the whole page with html2txt before its own retry
    monkeypatch.setattr(
        trafilatura.core, "html2txt", lambda *a, **k: measured.append(1) or real(*a, **k)
    )
    short = "<html><body><main><p>Only a few words here today.</p></main></body></html>"
    assert "Only a few words" in extract_html(short).text
    assert measured == []


def test_the_renamed_focus_keeps_trafilaturas_balanced_rules() -> None:
    from pathlib import Path

    import trafilatura
    from trafilatura.settings import Extractor

    from scraper.cleaner.readings import _BALANCED_WITHOUT_RETRY

    pages = Path(__file__).parent / "pages"
    for page in sorted(pages.glob("*/*.html"))[:8]:
        html = page.read_text(encoding="utf-8")
        texts = []
        for focus in ("balanced", _BALANCED_WITHOUT_RETRY):
            options = Extractor(fast=True, comments=False, output_format="python")
            options.focus = focus
            result = trafilatura.bare_extraction(html, options=options)
            texts.append(result.text if result else None)
        assert texts[0] == texts[1], page.name


def _trail_page(kind: str) -> str:
    trails = "".join(
        f"<div><h3>Trail number {i}</h3><p>Trail {i} winds through pine woods for {i} miles "
        "and suits riders of every level, from first rides to racing.</p></div>"
        for i in range(12)
    )
    return (
        f'<html><head><meta property="og:type" content="{kind}"></head>'
        f"<body><main><h1>Local trails</h1>{trails}</main></body></html>"
    )


def test_a_short_reading_of_a_declared_article_is_retried_in_recall_mode(monkeypatch) -> None:
    import scraper.cleaner.readings

    calls = []

    def readings(tree, url, *, recall=False):
        calls.append(recall)
        if recall:
            return "\n\n".join(f"Trail number {i} recalled in full." for i in range(12))
        return "Local trails"

    monkeypatch.setattr(scraper.cleaner.readings, "_trafilatura_text", readings)
    out = extract_html(_trail_page("article"))
    assert calls == [False, True]
    assert out.text.count("recalled in full") == 12
    # another kind of page falls back to its blocks instead, without the retry
    calls.clear()
    out = extract_html(_trail_page("website"))
    assert calls == [False]
    assert out.text.count("Trail number") == 12


def test_jusTexts_reading_replaces_trafilaturas_only_when_clearly_longer(monkeypatch) -> None:
    import scraper.cleaner.readings

    precise = "Trail number 1 winds through pine woods for 1 miles and suits riders."  # 13 words
    monkeypatch.setattr(scraper.cleaner.readings, "_trafilatura_text", lambda *a, **k: precise)
    # 1.3 times trafilatura's words is not enough; 2.2 times is jusText's reading
    for more, kept in ((4, False), (16, True)):
        second = precise + " More" * more
        monkeypatch.setattr(scraper.cleaner.readings, "justext_text", lambda *a, s=second, **k: s)
        out = extract_html(_trail_page("article")).text
        assert ("More More" in out) is kept, more


def test_a_declared_product_gets_no_date_from_its_text_or_url() -> None:
    body = (
        "<h1>Trail shoe</h1><p>Reviewed on March 5, 2024 by a happy customer.</p>"
        "<p>A light trail shoe with a grippy sole, made for long days on rough ground.</p>"
    )
    url = "https://shop.example.com/2023/07/14/trail-shoe"
    for kind, date in (("product", None), ("article", "2024-03-05")):
        head = f'<meta property="og:type" content="{kind}">'
        page = f"<html><head>{head}</head><body><main>{body}</main></body></html>"
        assert extract_html(page, url).date == date, kind


def test_clean_drops_customer_reviews_of_a_declared_product_only() -> None:
    from scraper.cleaner import clean

    body = (
        "<body><main><h1>Trail pack</h1><div class='description'>"
        + "".join(
            f"<p>Paragraph {i} of the description: a light pack for long day hikes, "
            "with a rain cover, a hip belt and two side pockets for bottles.</p>"
            for i in range(4)
        )
        + "</div><div class='product-reviews'><p>Great pack, five stars, I would buy it "
        "again and again for every walk I take with my dog in the hills.</p></div>"
        "</main></body>"
    )
    for kind, kept in (("product", False), ("website", True)):
        head = f'<head><meta property="og:type" content="{kind}"></head>'
        text = clean(f"<html>{head}{body}</html>", "https://shop.example/p/1").text
        assert "light pack for long day hikes" in text
        assert ("I would buy it" in text) is kept, kind


def _first_written_date(text: str) -> str | None:
    """What ``written_date`` finds, the plain way: each form's first match in the whole
    text, the earliest valid one."""
    from datetime import date

    from scraper.page.metadata import _MONTHS, _TEXT_DATES

    found = []
    for pattern, (y, m, d) in _TEXT_DATES:
        match = pattern.search(text)
        if match is None:
            continue
        month = match.group(m)
        number = int(month) if month.isdigit() else _MONTHS.get(month.lower().rstrip("."), 0)
        try:
            day = date(int(match.group(y)), number, int(match.group(d)))
        except ValueError:
            continue
        if day <= date.today():
            found.append((match.start(), day.isoformat()))
    return min(found)[1] if found else None


def test_a_written_date_is_the_one_a_search_of_the_whole_text_finds() -> None:
    import random

    from scraper.page.metadata import written_date

    words = [
        "March", "5th", "of", "5", ",", "2013", "2012-03-04", "Sept.", "12", "1999", "x",
        "\n\t  \t", "19", "20", "2014-13-01", "May", "31st", "June", "2099", "12013", "Mai",
    ]  # fmt: skip
    rnd = random.Random(7)
    texts = [" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 14))) for _ in range(5000)]
    texts += [
        "Posted on 5th of September, 2011 and updated 2012-01-02",
        "June 31, 2013 July 1 2013",
    ]
    assert sum(written_date(t) is not None for t in texts) > 1000  # dates were there to find
    for text in texts:
        assert written_date(text) == _first_written_date(text), text
