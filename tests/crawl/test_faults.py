"""The crawl faults found in testing (issue 16), each against a real server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import article, hub, settings
from .server import Reply
from .test_crawl import site


def test_urls_that_flatten_alike_get_files_of_their_own(server, crawl, tmp_path):
    paths = ["/news/a-b", "/news/a/b", "/story", "/story.html", "/story/"]
    server.routes["/"] = Reply(body=hub(paths))
    for path in paths:
        server.routes[path] = Reply(body=article(f"Page at {path}"))
    config = settings(tmp_path) + "sites:\n" + site("s", "127.0.0.1", start=[server.url("/")])

    code, counts, _ = crawl(config)

    assert code == 0 and counts["s"]["new"] == 5
    files = list((tmp_path / "out" / f"127.0.0.1_{server.port}").iterdir())
    assert len(files) == 5
    lines = (tmp_path / "out" / "_runs" / "s-1.jsonl").read_text().splitlines()
    by_path = {json.loads(line)["path"]: json.loads(line)["key"] for line in lines}
    assert len(by_path) == 5
    for path, key in by_path.items():  # each file holds its own page
        assert f"Page at {key.split(str(server.port), 1)[1]}" in Path(path).read_text()

    code, again, _ = crawl(None, "--force", path=tmp_path / "config.yaml")
    assert code == 0 and again["s"]["unchanged"] == 5  # the same names on the next run
    assert len(list((tmp_path / "out" / f"127.0.0.1_{server.port}").iterdir())) == 5
