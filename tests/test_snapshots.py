"""The snapshot corpus: one test per page in tests/pages/pages.yaml, plus corpus consistency.

Each page is cleaned with the repository's config.yaml and compared with snapshots/<host>/<slug>.txt
(and .meta.yaml). `pytest --update-snapshots` rewrites them; so does `scraper snapshot update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper import load_config
from scraper.review.snapshots import Corpus, Page, slug_for, snapshot_of
from scraper.review.textdiff import FileDiff, colorize, stat, unified, use_color

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Corpus.load(ROOT)
CONFIG = load_config(ROOT / "config.yaml")
HOW_TO_UPDATE = (
    "If the change is intended, rewrite the snapshot with `pytest --update-snapshots` or "
    "`scraper snapshot update {path}`, review `git diff snapshots/`, and commit it."
)


def _ids(page: Page) -> str:
    return page.key


@pytest.mark.parametrize("page", CORPUS.pages, ids=_ids)
def test_snapshot(page: Page, update_snapshots: bool) -> None:
    check = CORPUS.check(page, CONFIG)
    if check.error is not None:
        pytest.fail(f"cannot clean {page.key}: {check.error}", pytrace=False)
    assert check.new is not None
    if update_snapshots:
        CORPUS.write_snapshot(page, check.new)
        return
    path = CORPUS.relative(CORPUS.page_file(page))
    if check.old is None:
        pytest.fail(
            f"{page.key}: no snapshot for this page. " + HOW_TO_UPDATE.format(path=path),
            pytrace=False,
        )
    if check.changed:
        diff = "".join(d.text for d in check.diffs())
        pytest.fail(
            f"{page.key}: clean text differs from its snapshot.\n{diff}\n"
            + HOW_TO_UPDATE.format(path=path),
            pytrace=False,
        )


@pytest.mark.parametrize(
    "page", [p for p in CORPUS.pages if p.must_contain or p.must_not_contain], ids=_ids
)
def test_required_strings(page: Page) -> None:
    text = snapshot_of(CORPUS.clean(page, CONFIG)).text
    problems = page.string_problems(text)
    assert not problems, f"{page.key}: " + "; ".join(problems)


def test_corpus_is_consistent() -> None:
    """Every page has a manifest entry and every snapshot a page (and the other way round)."""
    problems = CORPUS.problems()
    assert not problems, "\n".join(problems)


def test_every_page_has_a_snapshot(update_snapshots: bool) -> None:
    if update_snapshots:
        pytest.skip("snapshots are being rewritten")
    missing = [p.key for p in CORPUS.pages if not CORPUS.text_file(p).is_file()]
    assert not missing, "pages without a snapshot (run `pytest --update-snapshots`): " + ", ".join(
        missing
    )


def test_snapshots_are_lf_with_one_trailing_newline() -> None:
    for page in CORPUS.pages:
        path = CORPUS.text_file(page)
        if not path.is_file():
            continue
        data = path.read_bytes()
        assert b"\r" not in data, f"{path}: CR line ends"
        assert data.endswith(b"\n") and not data.endswith(b"\n\n"), f"{path}: trailing newlines"


# --- the pieces: file names, diffs, colour ----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://japantoday.com/category/world/interpol-arrests", "interpol-arrests"),
        (
            "https://www.heise.de/meldung/1Password-fuer-Mac-2596987.html",
            "1password-fuer-mac-2596987",
        ),
        ("https://bbs.archlinux.org/viewtopic.php?id=298271", "viewtopic-id-298271"),
        ("https://www.medicalnewstoday.com/articles/318674.php", "articles-318674"),
        ("https://example.com/post/?utm_source=feed&srsltid=abc", "post"),
        ("https://example.com/", "page-" + "0" * 10),
    ],
)
def test_slug_for(url: str, slug: str) -> None:
    if slug.startswith("page-"):
        assert slug_for(url).startswith("page-") and len(slug_for(url)) == 15
    else:
        assert slug_for(url) == slug


def test_unified_diff_and_stat() -> None:
    old = "One.\n\nTwo.\n\nThree.\n"
    new = "One.\n\nTwo, changed.\n\nThree.\n"
    diff = unified(old, new, old_name="a/x.txt", new_name="b/x.txt")
    assert diff.startswith("--- a/x.txt\n+++ b/x.txt\n@@ ")
    assert "-Two.\n+Two, changed.\n" in diff
    assert unified(old, old, old_name="a", new_name="b") == ""
    assert unified(None, "A.\n", old_name="a", new_name="b").startswith("--- /dev/null\n+++ b\n")
    assert "\\ No newline at end of file" in unified("A.\n", "A.", old_name="a", new_name="b")
    summary = stat([FileDiff("x.txt", diff), FileDiff("y.txt", "")])
    assert summary == " x.txt |    2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n"
    coloured = colorize(diff)
    assert "\x1b[31m-Two.\x1b[0m\n" in coloured and "\x1b[32m+Two, changed.\x1b[0m\n" in coloured


@pytest.mark.parametrize(
    ("mode", "isatty", "environ", "expected"),
    [
        ("always", False, {}, True),
        ("never", True, {}, False),
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"TERM": "dumb"}, False),
    ],
)
def test_use_color(mode, isatty, environ, expected) -> None:
    assert use_color(mode, isatty=isatty, environ=environ) is expected
