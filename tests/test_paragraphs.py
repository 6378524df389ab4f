"""The light jusText paragraphs give what jusText's own paragraph maker gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from justext.core import ParagraphMaker, classify_paragraphs, revise_paragraph_classification
from trafilatura.utils import load_html

from scraper.bench.wcxb import load_cases
from scraper.cleaner.justext_reading import _stopwords, justext_text, make_paragraphs

GATE = Path(__file__).parent / "gate"


def _classified(paragraphs: list) -> list[tuple]:
    classify_paragraphs(paragraphs, _stopwords(), length_low=50, no_headings=True)
    revise_paragraph_classification(paragraphs, max_heading_distance=150)
    return [
        (p.text, p.dom_path, p.chars_count_in_links, p.tags_count, p.class_type) for p in paragraphs
    ]


@pytest.mark.parametrize("page", ["0001", "0566", "4245"])
def test_same_paragraphs_and_classes_as_justext(page: str) -> None:
    (case,) = load_cases(GATE, ids=[page])
    tree = load_html(case.html())
    ours = _classified(make_paragraphs(tree))
    theirs = _classified(ParagraphMaker.make_paragraphs(tree))
    assert len(ours) > 20
    assert ours == theirs


def test_text_follows_appended_text() -> None:
    tree = load_html("<html><body><p>one <b>two</b>  three</p></body></html>")
    (paragraph,) = make_paragraphs(tree)
    assert paragraph.text == "one two three"
    paragraph.append_text("  four")
    assert paragraph.text == "one two three four"


def test_comment_sections_cut_only_when_asked() -> None:
    prose = "This is a long sentence of ordinary prose that the reader came to read. " * 3
    html = (
        f"<html><body><article><p>{prose}</p></article>"
        f'<div class="comments"><p>{prose.replace("prose", "talk")}</p></div></body></html>'
    )
    assert "talk" in justext_text(load_html(html), drop_comments=False)
    assert "talk" not in justext_text(load_html(html), drop_comments=True)
    assert "prose" in justext_text(load_html(html), drop_comments=True)


def test_source_line_breaks_are_not_kept_except_in_pre() -> None:
    wrapped = (
        "This is a long sentence of ordinary prose that the reader came\n"
        "to read, hard-wrapped in the page's source at about eighty\n"
        "characters, as many sites' templates and editors write it. "
    ) * 2
    code = "for line in lines:\n    print(line) # prints each line of the file that was read\n"
    html = f"<html><body><article><p>{wrapped}</p><pre>{code * 3}</pre></article></body></html>"
    text = justext_text(load_html(html), drop_comments=False)
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == " ".join(wrapped.split())
    assert "came to read, hard-wrapped" in paragraphs[0]
    assert "for line in lines:\nprint(line)" in text  # a pre keeps its lines


def test_same_paragraphs_on_odd_markup() -> None:
    """A lone ``br`` between paragraphs, comments, ``br br`` separators, links in text."""
    tree = load_html(
        "<html><body><div> <input type=submit> <br/> <p><a href=/p>Privacy</a></p> </div>"
        "<div>one<!-- note -->two<br><br>three <a href=/x>link</a> tail</div>"
        "<ul><li>item <b>bold</b></li><li> </li></ul><pre>a\n  b</pre></body></html>"
    )
    ours = _classified(make_paragraphs(tree))
    theirs = _classified(ParagraphMaker.make_paragraphs(tree))
    assert len(ours) >= 4
    assert ours == theirs


def test_white_space_is_normalised_as_justext_normalises_it() -> None:
    import random

    from justext.utils import normalize_whitespace as justexts

    from scraper.cleaner.justext_reading import normalize_whitespace

    chars = ["a", "b", " ", " ", "\t", "\n", "\r", "\u00a0", "\u2003", "\x0b", "\x0c", "\u2028"]
    pick = random.Random(15)
    texts = ["", " ", "a\r\n \tb", "a \u00a0 b", "x" + " " * 5000 + "y\n"]
    texts += ["".join(pick.choice(chars) for _ in range(pick.randint(1, 14))) for _ in range(20000)]
    for text in texts:
        assert normalize_whitespace(text) == justexts(text), repr(text)


def test_stopword_density_is_justexts_in_every_script() -> None:
    from justext.paragraph import Paragraph

    from scraper.cleaner.justext_reading import _LightParagraph

    class _Path:
        dom, xpath = "body.p", "/body/p"

    stopwords = frozenset({"ο", "της", "και", "the", "ist", "ς", "σ", "i̇stanbul"})
    for text in ["ΟΔΟΣ ΤΗΣ ΠΟΛΗΣ και ο δρόμος", "The İSTANBUL road ist", "", "  \n "]:
        ours, theirs = _LightParagraph("body.p"), Paragraph(_Path())
        ours.append_text(text)
        theirs.append_text(text)
        assert ours.stopwords_density(stopwords) == theirs.stopwords_density(stopwords), text


def test_revised_classes_are_justexts_for_any_sequence() -> None:
    import random

    from justext.core import revise_paragraph_classification
    from justext.paragraph import Paragraph

    from scraper.cleaner.justext_reading import revise_classes

    class _Path:
        dom, xpath = "body.p", "/body/p"

    def paragraphs(spec: list[tuple[str, bool, str]]) -> list[Paragraph]:
        out = []
        for cf_class, heading, text in spec:
            paragraph = Paragraph(_Path())
            paragraph.append_text(text)
            paragraph.cf_class, paragraph.heading = cf_class, heading
            out.append(paragraph)
        return out

    pick = random.Random(12)
    for _ in range(3000):
        spec = [
            (
                pick.choice(["good", "bad", "short", "neargood"]),
                pick.random() < 0.2,
                "x" * pick.choice([5, 40, 120]),
            )
            for _ in range(pick.randint(0, 25))
        ]
        ours, theirs = paragraphs(spec), paragraphs(spec)
        revise_classes(ours, max_heading_distance=150)
        revise_paragraph_classification(theirs, max_heading_distance=150)
        assert [p.class_type for p in ours] == [p.class_type for p in theirs], spec
