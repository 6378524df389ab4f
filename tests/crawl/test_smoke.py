from __future__ import annotations

from click.testing import CliRunner

from scraper.cli import main

from .conftest import article, hub
from .server import Reply


def test_smoke(server, write_config, tmp_path):
    server.routes["/robots.txt"] = Reply(
        body="User-agent: *\nDisallow: /private\n", headers={"Content-Type": "text/plain"}
    )
    server.routes["/"] = Reply(body=hub(["/a", "/b", "/private/x"]))
    server.routes["/a"] = Reply(body=article("Alpha", links=["/b"]), headers={"ETag": '"a1"'})
    server.routes["/b"] = Reply(body=article("Beta"))
    cfg = write_config(f"""
        crawl: {{delay: 0.05, state_dir: "{{tmp}}/state", output_dir: "{{tmp}}/out"}}
        sites:
          local: {{hosts: [127.0.0.1], start: ["{server.url('/')}"]}}
    """)
    result = CliRunner().invoke(main, ["crawl", "--config", str(cfg), "--json"])
    print(result.output, result.stderr if hasattr(result, "stderr") else "")
    print(server.paths())
    assert result.exit_code == 0
    result = CliRunner().invoke(main, ["crawl", "--config", str(cfg), "--force"])
    print(result.output)
    print(server.requests())
    print(list((tmp_path / "out").rglob("*")))
