"""Japan Today end to end: the reconstructed page and the seed text dump.

Reference text: seed 000, a clean rewrite of the same AP story (tests/pages/japantoday.com/).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper import clean, load_config
from scraper.cli import main
from scraper.render import render

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "pages" / "japantoday.com"
SLUG = "interpol-arrests-more-than-3-700-suspects-in-global-trafficking-crackdown"
URL = f"https://japantoday.com/category/world/{SLUG}"
PAGE = PAGES / f"{SLUG}.html"
DUMP = PAGES / "interpol-arrests-dump.txt"
REFERENCE = (PAGES / "interpol-arrests-reference.txt").read_text(encoding="utf-8")
SNAPSHOT = ROOT / "snapshots" / "japantoday.com" / f"{SLUG}.txt"
CONFIG = ROOT / "config.yaml"

# Chrome of seed 004, none of which may reach the output.
CHROME = [
    "Newsletter Signup",
    "Register / Login",
    "0 Comments",
    "In this photo released by INTERPOL",
    "(INTERPOL/via AP)",
    "© Copyright 2026 The Associated Press",
    "All rights reserved",
    "GPlusMedia",
    "How to Buy a Home in Japan",
    "webinar",
    "Register Today",
    "Click Here",
    "No Comment",
    "Login to comment",
    "Login to leave a comment",
    "Facebook users",
    "Use your Facebook account",
    "Facebook Connect",
    "Login with your JapanToday account",
    "Forgot password?",
    "User registration",
    "Articles, Offers & Useful Resources",
    "A mix of what's trending on our other sites",
    "2026 Top Jobs in Japan Week 4",
    "Tokyo Weekly Events",
    "Beginner’s Guide to CBD in Japan",
    "Skiing in Japan",
    "Karuizawa Prince Shopping Plaza",
    "Tsugaike Mountain Resort",
    "Hoshi no Buranko",
    "15 Japanese History Books",
    "Furukawa Art Museum",
    "Osaka Weekly Events",
    "San’inkaigan National Park",
    "Tokyo Events For January 2026",
    "Savvy Tokyo",
    "GaijinPot",
]
PLACES = [
    "Africa", "Asia", "Senegal", "Guinea-Bissau", "Morocco", "Algeria", "Peru", "Brazil",
    "Benin", "Burkina Faso", "Côte d’Ivoire", "Ghana", "Sierra Leone", "Myanmar",
]  # fmt: skip


def word_f1(prediction: str, reference: str) -> float:
    pred = Counter(re.findall(r"\w+", prediction.lower()))
    ref = Counter(re.findall(r"\w+", reference.lower()))
    common = sum((pred & ref).values())
    if not common:
        return 0.0
    p, r = common / sum(pred.values()), common / sum(ref.values())
    return 2 * p * r / (p + r)


def assert_clean_body(text: str) -> None:
    assert word_f1(text, REFERENCE) >= 0.75
    for number in re.findall(r"\d[\d,]*", REFERENCE):
        assert number in text, number
    for place in PLACES:
        assert place in text, place
    for chrome in CHROME:
        assert chrome.lower() not in text.lower(), chrome
    assert text.startswith("A global crackdown on human traffickers")
    assert text.endswith("in a single raid on a compound in Myanmar, Interpol said.")
    # No title, byline or dateline inside the body.
    for heading in ("Interpol arrests more than 3,700 suspects", "ADETAY0", "LAGOS"):
        assert heading not in text


@pytest.fixture(scope="module")
def config():
    return load_config(CONFIG)


def test_cli_fetches_and_matches_snapshot(httpx_mock, tmp_path):
    httpx_mock.add_response(
        url=URL, content=PAGE.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(main, ["clean", URL, "--config", str(CONFIG), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == SNAPSHOT.read_bytes()
    assert_clean_body(out.read_text(encoding="utf-8").removesuffix("\n"))


def test_page_metadata(config):
    doc = clean(PAGE.read_bytes(), URL, config=config)
    assert doc.title == "Interpol arrests more than 3,700 suspects in global trafficking crackdown"
    assert doc.author == "OPE ADETAY0"
    assert doc.date == "2025-11-24"
    assert doc.site == "japantoday"
    assert doc.url == URL


def test_text_dump_is_cleaned_too(config):
    doc = clean(DUMP.read_bytes(), URL, config=config)
    assert_clean_body(doc.text)
    assert doc.title == "Interpol arrests more than 3,700 suspects in global trafficking crackdown"
    assert doc.author == "OPE ADETAY0"


def test_text_dump_without_site_rule(config):
    doc = clean(DUMP.read_bytes(), URL, config=config.without_site("japantoday"))
    assert_clean_body(doc.text)


def test_generic_cleaning_keeps_the_whole_body(config):
    """Without the site rule some chrome leaks, but the body is all there."""
    doc = clean(PAGE.read_bytes(), URL, config=config.without_site("japantoday"))
    body = [p for p in SNAPSHOT.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    assert len(body) == 9
    for paragraph in body:
        assert paragraph.strip() in doc.text
    assert word_f1(doc.text, REFERENCE) >= 0.7


def test_output_is_byte_identical_across_runs(config):
    html = PAGE.read_bytes()
    first = clean(html, URL, config=config)
    for fmt in ("text", "markdown", "json"):
        assert render(clean(html, URL, config=config), fmt) == render(first, fmt)


def test_site_rule_matches_subdomains(config):
    assert config.site_for("www.japantoday.com")[0] == "japantoday"
    assert config.site_for("notjapantoday.com") is None
