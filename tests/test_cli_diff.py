"""`scraper diff` and `scraper snapshot add|update` on a temporary copy of the corpus.

Each test gets its own repository: the Japan Today page, a manifest, a config, and snapshots
written by `scraper snapshot update`. No network: live fetches go through pytest-httpx.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main

ROOT = Path(__file__).resolve().parent.parent
SLUG = "interpol-arrests-more-than-3-700-suspects-in-global-trafficking-crackdown"
KEY = f"japantoday.com/{SLUG}"
URL = f"https://japantoday.com/category/world/{SLUG}"
SNAPSHOT = f"snapshots/{KEY}.txt"
LAST = "A 2025 cybercrime crackdown in Africa led to the arrest of 1,209 suspects"
EXTRA = "Interpol said the operation would continue into 2026 with new partner agencies."
# A rule change under review: drop the body's last paragraph (say, taken for a promo line).
RULE_LINE = '      - "figure, figcaption"                 # photo and caption\n'
NEW_RULE = RULE_LINE + '      - ".article-body p:last-of-type"\n'
HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLE = (
    "<html><head><title>A small article</title></head><body><article><h1>A small article</h1>"
    + "".join(
        f"<p>Paragraph {i} of a small article about the weather in Osaka, which was mild "
        "and dry for most of the week, with a little rain on Thursday evening.</p>"
        for i in range(1, 6)
    )
    + "</article></body></html>"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A corpus of one page with its snapshot, and the repository's config (instant retries)."""
    pages = tmp_path / "tests" / "pages" / "japantoday.com"
    pages.mkdir(parents=True)
    shutil.copy(ROOT / "tests/pages" / f"{KEY}.html", pages / f"{SLUG}.html")
    (tmp_path / "tests/pages/pages.yaml").write_text(f"{KEY}:\n  url: {URL}\n", encoding="utf-8")
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    config = config.replace("retries: 3", "retries: 0")
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    result = run("snapshot", "update", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"added   {SNAPSHOT}" in result.output
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def edit_config(repo: Path, old: str = RULE_LINE, new: str = NEW_RULE) -> None:
    """Change the Japan Today rule in the temporary config (by default: add ``NEW_RULE``)."""
    config = repo / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")


# --- diff --------------------------------------------------------------------------------


def test_no_difference_exits_0(repo):
    result = run("diff", "--root", str(repo))
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_changed_rule_shows_the_change_and_exits_1(repo):
    edit_config(repo)
    result = run("diff", "--root", str(repo))
    assert result.exit_code == 1, result.output
    assert f"--- a/{SNAPSHOT}\n+++ b/{SNAPSHOT}\n" in result.output
    changes = [
        line
        for line in result.output.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # in the text and in the markdown: the paragraph and the blank line before it
    assert len(changes) == 4, result.output
    assert changes[0] == changes[2] == "-"
    assert changes[1].startswith(f"-{LAST}") and changes[3].startswith(f"-{LAST}")
    assert f"--- a/{SNAPSHOT.removesuffix('.txt')}.md\n" in result.output
    assert "1 of 1 page differs from their snapshots" in result.output
    assert "scraper snapshot update" in result.output


def test_manifest_strings_hold_even_after_a_snapshot_update(repo):
    manifest = repo / "tests/pages/pages.yaml"
    manifest.write_text(
        f"{KEY}:\n  url: {URL}\n  must_contain: [{LAST[:40]!r}]\n"
        "  must_not_contain: ['Newsletter Signup']\n",
        encoding="utf-8",
    )
    assert run("diff", "--root", str(repo)).exit_code == 0
    edit_config(repo)
    update = run("snapshot", "update", "--root", str(repo))
    # the snapshot is rewritten, but a page that breaks its manifest is not a success
    assert update.exit_code == 1, update.output
    assert f"error: {KEY}: missing {LAST[:40]!r} (tests/pages/pages.yaml)" in update.output
    assert "Traceback" not in update.output
    result = run("diff", "--root", str(repo))
    assert result.exit_code == 1, result.output
    assert "@@" not in result.output  # the snapshot matches; the manifest does not
    assert f"{KEY}: missing {LAST[:40]!r} (tests/pages/pages.yaml)" in result.output


def test_stat(repo):
    edit_config(repo)
    result = run("diff", "--stat", "--root", str(repo))
    assert result.exit_code == 1, result.output
    assert f" {SNAPSHOT} |" in result.output
    assert "2 files changed, 4 deletions(-)" in result.output  # the .txt and the .md
    assert "@@" not in result.output


def test_colour(repo):
    edit_config(repo)
    always = run("diff", "--color", "always", "--root", str(repo))
    assert f"\x1b[31m-{LAST}" in always.output
    never = run("diff", "--color", "never", "--root", str(repo))
    auto = run("diff", "--root", str(repo))  # CliRunner's output is not a terminal
    assert "\x1b[" not in never.output and "\x1b[" not in auto.output
    assert always.exit_code == never.exit_code == auto.exit_code == 1


def test_select_by_site_host_and_path(repo):
    edit_config(repo)
    for target in (
        ["--site", "japantoday"],
        ["--site", "japantoday.com"],
        [f"tests/pages/{KEY}.html"],
        [SNAPSHOT],
        ["snapshots/japantoday.com"],
        [KEY],
    ):
        result = run("diff", *target, "--root", str(repo))
        assert result.exit_code == 1, (target, result.output)
        assert f"-{LAST}" in result.output


def test_update_then_diff_is_clean(repo):
    edit_config(repo)
    result = run("snapshot", "update", "--root", str(repo))
    assert result.exit_code == 0, result.output
    assert f"updated {SNAPSHOT}" in result.output
    assert "1 of 1 snapshot changed" in result.output
    snapshot = (repo / SNAPSHOT).read_bytes()
    assert LAST.encode() not in snapshot
    assert snapshot.endswith(b"Interpol said.\n") and b"\r" not in snapshot
    assert run("diff", "--root", str(repo)).exit_code == 0
    again = run("snapshot", "update", "--root", str(repo))
    assert "updated" not in again.output and "0 of 1 snapshot changed" in again.output


def test_missing_snapshot_is_a_new_file(repo):
    (repo / SNAPSHOT).unlink()
    (repo / SNAPSHOT.replace(".txt", ".meta.yaml")).unlink()
    result = run("diff", "--root", str(repo))
    assert result.exit_code == 1, result.output
    assert f"--- /dev/null\n+++ b/{SNAPSHOT}\n" in result.output


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        (lambda r: (r / "config.yaml").write_text("sites: [\n"), "invalid YAML"),
        (lambda r: (r / "snapshots/japantoday.com/stale.txt").write_text("x\n"), "stale.txt"),
        (lambda r: (r / f"tests/pages/{KEY}.html").unlink(), "no page file"),
        (
            lambda r: (r / "tests/pages/pages.yaml").write_text(
                f"{KEY}:\n  url: {URL}\n  href: x\n"
            ),
            "unknown key",
        ),
        (lambda r: (r / "tests/pages/pages.yaml").unlink(), "no snapshot manifest"),
    ],
    ids=["bad-config", "orphan-snapshot", "missing-page", "bad-manifest", "no-manifest"],
)
def test_errors_exit_2(repo, setup, fragment):
    setup(repo)
    result = run("diff", "--root", str(repo))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert fragment in result.output.splitlines()[-1]


def test_unknown_path_exits_2(repo):
    result = run("diff", "tests/pages/example.com/nothing.html", "--root", str(repo))
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: tests/pages/example.com/nothing.html: no page in the corpus matches this path"
    )


# --- diff URL (live) ---------------------------------------------------------------------


def test_live_page_unchanged(repo, httpx_mock):
    page = (repo / f"tests/pages/{KEY}.html").read_bytes()
    httpx_mock.add_response(url=URL, content=page, headers=HTML)
    result = run("diff", URL, "--root", str(repo))
    assert result.exit_code == 0, result.output


def test_live_page_changed_template(repo, httpx_mock):
    page = (repo / f"tests/pages/{KEY}.html").read_text(encoding="utf-8")
    # The article was updated: one more paragraph at the end of the body.
    changed = page.replace(
        '</div>\n          <p class="article-copyright"',
        f'<p>{EXTRA}</p></div>\n          <p class="article-copyright"',
        1,
    )
    assert changed != page
    httpx_mock.add_response(url=URL, text=changed, headers=HTML)
    result = run("diff", URL, "--root", str(repo))
    assert result.exit_code == 1, result.output
    assert f"+++ {URL}" in result.output
    assert f"+{EXTRA}\n" in result.output


def test_live_fetch_error_exits_2(repo, httpx_mock):
    httpx_mock.add_response(url=URL, status_code=404)
    result = run("diff", URL, "--root", str(repo))
    assert result.exit_code == 2, result.output
    assert "HTTP 404" in result.output


def test_live_url_not_in_corpus_exits_2(repo):
    result = run("diff", "https://example.com/a", "--root", str(repo))
    assert result.exit_code == 2
    assert "no page in the corpus has this URL" in result.output


# --- snapshot add ------------------------------------------------------------------------


def test_add_stores_page_manifest_entry_and_snapshot(repo, httpx_mock):
    url = "https://www.example.com/news/2026/small-article.html?utm_source=x"
    httpx_mock.add_response(url=url, text=ARTICLE, headers=HTML)
    result = run("snapshot", "add", url, "--root", str(repo))
    assert result.exit_code == 0, result.output
    key = "www.example.com/small-article"
    assert (repo / f"tests/pages/{key}.html").read_text(encoding="utf-8") == ARTICLE
    text = (repo / f"snapshots/{key}.txt").read_text(encoding="utf-8")
    assert text.startswith("Paragraph 1 of a small article") and text.endswith("evening.\n")
    meta = (repo / f"snapshots/{key}.meta.yaml").read_text(encoding="utf-8")
    assert "title: A small article\n" in meta
    manifest = (repo / "tests/pages/pages.yaml").read_text(encoding="utf-8")
    assert manifest.startswith(f"{KEY}:\n")  # the existing entry is kept as it was
    assert f"{key}:\n  url: {url}\n" in manifest
    assert run("diff", "--root", str(repo)).exit_code == 0
    again = run("snapshot", "add", url, "--root", str(repo))
    assert again.exit_code == 4
    assert f"already in the corpus as {key}" in again.output


def test_add_with_name_into_an_empty_repository(tmp_path, httpx_mock):
    url = "https://blog.example.org/"
    httpx_mock.add_response(url=url, text=ARTICLE, headers=HTML)
    result = run("snapshot", "add", url, "--name", "front", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "snapshots/blog.example.org/front.txt").is_file()
    manifest = (tmp_path / "tests/pages/pages.yaml").read_text(encoding="utf-8")
    assert manifest.startswith("# The snapshot corpus")
    assert "blog.example.org/front:\n  url: https://blog.example.org/\n" in manifest


def test_add_keeps_the_http_charset(tmp_path, httpx_mock):
    """A page whose encoding only the HTTP header names is stored as UTF-8 with a BOM."""
    url = "https://example.jp/kiji"
    html = ARTICLE.replace("Osaka", "大阪").encode("shift_jis")
    httpx_mock.add_response(
        url=url, content=html, headers={"Content-Type": "text/html; charset=shift_jis"}
    )
    result = run("snapshot", "add", url, "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "大阪" in (tmp_path / "snapshots/example.jp/kiji.txt").read_text(encoding="utf-8")
    assert (tmp_path / "tests/pages/example.jp/kiji.html").read_bytes().startswith(b"\xef\xbb\xbf")


def test_add_fetch_failure_writes_nothing(tmp_path, httpx_mock):
    url = "https://www.example.com/gone"
    httpx_mock.add_response(url=url, status_code=404)
    result = run("snapshot", "add", url, "--root", str(tmp_path))
    assert result.exit_code == 5
    assert result.output.strip() == f"error: {url}: HTTP 404 Not Found"
    assert not any(tmp_path.iterdir())


def test_add_bad_name(tmp_path, httpx_mock):
    url = "https://www.example.com/a"
    httpx_mock.add_response(url=url, text=ARTICLE, headers=HTML)
    result = run("snapshot", "add", url, "--name", "Bad Name", "--root", str(tmp_path))
    assert result.exit_code == 4
    assert "--name Bad Name" in result.output
