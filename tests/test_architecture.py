"""The package layout's rules, checked on the source so that they stay true.

* No import cycles among the modules of ``gisapp``, ``layers`` and ``data_sources``
  (every ``import`` counts, also those inside functions).
* One direction: ``data_sources`` imports neither ``layers`` nor ``gisapp``; ``layers``
  does not import ``gisapp``.
* The build wing is imported only by itself and the command line: no page or API module
  loads a loader-wiring build step.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gisapp", "layers", "data_sources", "messages")
BUILD_WING = "gisapp.build"
MAY_IMPORT_BUILD = ("gisapp.build", "gisapp.cli")


def _module_name(path: Path) -> str:
    """Dotted module name of a source file under ``ROOT``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    """Every module of the three packages, by dotted name."""
    return {_module_name(p): p for package in PACKAGES
            for p in sorted((ROOT / package).rglob("*.py"))}


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module an ``ImportFrom`` refers to."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Project modules imported by each project module (``from x import y`` counts ``x.y``
    when ``x.y`` is a module, else ``x``)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node, name, path.name == "__init__.py")
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return _imports(_modules())


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a list of modules, or ``None``."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def _package_imports(module: str) -> bool:
    """Whether ``module`` is a package ``__init__`` importing its own submodules (allowed)."""
    return (ROOT / Path(*module.split(".")) / "__init__.py").is_file()


def test_no_import_cycles(graph):
    # a package's __init__ re-exporting its own submodules is not a cycle of behaviour,
    # but a submodule importing its package's __init__ back would be: keep both apart
    acyclic = {m: {t for t in targets if not (_package_imports(m) and t.startswith(m + "."))}
               for m, targets in graph.items()}
    assert _cycle(acyclic) is None, f"import cycle: {' -> '.join(_cycle(acyclic))}"


def test_the_cycle_finder_finds_a_planted_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(("lower", "upper"), [("data_sources", "layers"),
                                              ("data_sources", "gisapp"),
                                              ("layers", "gisapp"),
                                              ("messages", "data_sources"),
                                              ("messages", "layers"),
                                              ("messages", "gisapp")])
def test_imports_point_down_only(graph, lower, upper):
    wrong = sorted(f"{m} -> {t}" for m, targets in graph.items() if m.split(".")[0] == lower
                   for t in targets if t.split(".")[0] == upper)
    assert not wrong, f"{lower} must not import {upper}: {wrong}"


def test_only_the_cli_imports_the_build_wing(graph):
    wrong = sorted(f"{m} -> {t}" for m, targets in graph.items()
                   if not m.startswith(MAY_IMPORT_BUILD)
                   for t in targets if t == BUILD_WING or t.startswith(BUILD_WING + "."))
    assert not wrong, f"only the CLI and the build wing may import {BUILD_WING}: {wrong}"


def test_the_graph_sees_real_imports(graph):
    # guards the checks above against a parser that silently finds nothing
    assert "gisapp.build.run" in graph["gisapp.build"]
    assert "layers.catalog" in graph["gisapp.maps.compose"]
    assert "data_sources.crs" in graph["data_sources._validate"]
