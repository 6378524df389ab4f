"""A page's kind: declared, else recognised from its shape (``scraper.cleaner.pagekind``)."""

from __future__ import annotations

import scraper
from scraper.cleaner.pagekind import KINDS, page_kind
from scraper.cleaner.readings import Choice

_LONG = " ".join(["The council met on Monday to talk about the bridge and its costs."] * 3)
_ARTICLE = "\n\n".join([_LONG] * 6)


def test_a_declared_kind_wins() -> None:
    assert page_kind("product", Choice(_ARTICLE)) == "product"
    assert page_kind("article", Choice("One short line.")) == "article"


def test_shape_decides_without_a_declaration() -> None:
    assert page_kind(None, Choice(_ARTICLE)) == "article"
    assert page_kind(None, Choice("Home\n\nNews\n\nSport")) == "page"
    assert page_kind(None, Choice(_ARTICLE, from_blocks=True)) == "page"  # the block reading
    assert page_kind(None, Choice(_ARTICLE, thread=True)) == "forum"


def test_document_kind_from_a_page() -> None:
    body = "".join(f"<p>{_LONG}</p>" for _ in range(6))
    declared = (
        '<script type="application/ld+json">{"@type": "Product", "name": "Lamp"}</script>'
    )
    plain = scraper.clean(f"<html><body><article>{body}</article></body></html>")
    product = scraper.clean(f"<html><head>{declared}</head><body>{body}</body></html>")
    assert plain.kind == "article" and product.kind == "product"
    assert plain.to_dict()["kind"] == "article"
    assert set(KINDS) == {"article", "product", "forum", "page"}
