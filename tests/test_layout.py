"""The package layout (ARCHITECTURE.md): no import circle, the public API pinned, and the
top of ``scraper/`` kept small."""

from __future__ import annotations

import ast
from pathlib import Path

import scraper

ROOT = Path(scraper.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import the module can run: at the top or inside functions, but not the ones under
    ``if TYPE_CHECKING:``, which are read by the type checker only."""
    found: list[ast.Import | ast.ImportFrom] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            for target in targets:
                # importing a.b.c runs a and a.b first: those are edges too, except the
                # importer's own packages, which are running already
                parts = target.split(".")
                for i in range(1, len(parts) + 1):
                    step = ".".join(parts[:i])
                    if step in modules and step != name and not name.startswith(step + "."):
                        graph[name].add(step)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    for start in sorted(graph):
        if start in state:
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, rest = stack[-1]
            if not rest:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            nxt = rest.pop()
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, sorted(graph[nxt])))
    return None


def test_no_import_circle_among_the_projects_modules():
    graph = import_graph()
    assert "scraper.document" in graph and "scraper.render" in graph["scraper.cli.clean_cmd"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_model_imports_no_renderer_and_the_crawl_holds_no_benchmark():
    graph = import_graph()
    assert not any(t.startswith("scraper.render") for t in graph["scraper.document"])
    assert not [m for m in graph if m.startswith("scraper.crawl.") and "bench" in m]


def test_the_top_of_the_package_is_small():
    # (servebench and stressbench: the benchmarks' named entry points, thin shims over
    # scraper.bench)
    allowed = {"__init__.py", "__main__.py", "errors.py", "config.py"}
    allowed |= {"servebench.py", "stressbench.py"}
    loose = sorted(p.name for p in ROOT.glob("*.py") if p.name not in allowed)
    assert len(loose) <= 3, loose


def test_public_api_is_pinned():
    assert scraper.__all__ == [
        "CleaningError",
        "Config",
        "ConfigError",
        "ContentError",
        "Document",
        "ExtractionError",
        "FetchError",
        "InputError",
        "ScraperError",
        "SiteRule",
        "SiteTemplate",
        "SnapshotError",
        "StateError",
        "clean",
        "learn_template",
        "load_config",
    ]
    for name in scraper.__all__:
        assert getattr(scraper, name) is not None
