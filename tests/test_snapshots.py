"""The snapshot corpus: one test per page in tests/pages/pages.yaml, plus corpus consistency.

Each page is cleaned with the repository's config.yaml and compared with snapshots/<host>/<slug>.txt
(and .meta.yaml). `pytest --update-snapshots` rewrites them; so does `scraper snapshot update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper import load_config
from scraper.snapshots import Corpus, Page, snapshot_of

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
