from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from .server import Server

ARTICLE = """<!doctype html><html><head><title>{title}</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>{title}</h1>
{paragraphs}
{links}
</article><footer>© Test Site</footer></body></html>"""

SENTENCE = (
    "The committee met on {n} occasions this spring to review the harbour plans, and its members "
    "said that the public consultation had drawn far more letters than anyone had expected."
)


def article(title: str, n: int = 3, links: list[str] = (), extra: str = "") -> str:
    paragraphs = "\n".join(
        f"<p>{SENTENCE.format(n=n + i)} {title} paragraph {i}. {extra}</p>" for i in range(4)
    )
    anchors = "\n".join(f'<p><a href="{href}">Read: {href}</a></p>' for href in links)
    return ARTICLE.format(title=title, paragraphs=paragraphs, links=anchors)


def hub(links: list[str]) -> str:
    items = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    head = "<!doctype html><html><head><title>Index</title></head>"
    return f"{head}<body><ul>{items}</ul></body></html>"


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture
def write_config(tmp_path: Path):
    def write(body: str) -> Path:
        path = tmp_path / "config.yaml"
        text = textwrap.dedent(body).replace("{tmp}", str(tmp_path))
        path.write_text(text, encoding="utf-8")
        return path

    return write
