"""The crawl's run JSONL: one line per document, its fetch time in ISO 8601."""

from __future__ import annotations

import json
from datetime import datetime

from scraper.crawl.output import RunOutput
from scraper.document import Document


def test_fetched_at_is_iso_8601_utc(tmp_path):
    output = RunOutput(tmp_path, "site", 1, "text", warc=False)
    doc = Document.from_text("Body text.", url="https://example.com/a", language="en")
    output.write("https://example.com/a", doc, {"status": "new", "fetched_at": 1_767_225_600.5})
    output.close()
    line = json.loads(output.jsonl_path.read_text(encoding="utf-8").splitlines()[0])
    assert line["fetched_at"] == "2026-01-01T00:00:00.500000+00:00"
    assert datetime.fromisoformat(line["fetched_at"]).timestamp() == 1_767_225_600.5
    assert line["language"] == "en" and line["word_count"] == 2


def test_the_crawls_warc_archive_can_be_cleaned_again(tmp_path):
    from scraper.batch.warc import read_warc

    page = b"<html><head><title>T</title></head><body><p>" + "Caf\u00e9 ".encode("cp1252") * 50
    output = RunOutput(tmp_path, "site", 1, "text", warc=True)
    output.archive(
        "https://example.com/a", 200, {"content-type": "text/html; charset=cp1252"}, page
    )
    output.archive("https://example.com/b.pdf", 200, {"content-type": "application/pdf"}, b"%PDF")
    output.close()
    (archive,) = (tmp_path / "_warc").glob("*.warc.gz")
    (found,) = read_warc(archive, max_bytes=10_000)
    assert (found.url, found.charset, found.body) == ("https://example.com/a", "cp1252", page)
    assert found.source.startswith(f"{archive}#")
