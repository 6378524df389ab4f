"""The crawl's run JSONL: one line per document, its fetch time in ISO 8601."""

from __future__ import annotations

import json
from datetime import datetime

from scraper.crawl.output import RunOutput
from scraper.document import Document


def test_fetched_at_is_iso_8601_utc(tmp_path):
    output = RunOutput(tmp_path, "site", 1, "text", warc=False)
    doc = Document(text="Body text.", url="https://example.com/a", language="en")
    output.write("https://example.com/a", doc, {"status": "new", "fetched_at": 1_767_225_600.5})
    output.close()
    line = json.loads(output.jsonl_path.read_text(encoding="utf-8").splitlines()[0])
    assert line["fetched_at"] == "2026-01-01T00:00:00.500000+00:00"
    assert datetime.fromisoformat(line["fetched_at"]).timestamp() == 1_767_225_600.5
    assert line["language"] == "en" and line["word_count"] == 2
