"""The package's import graph: layers that only import downwards, and no cycle at all.

DESIGN.md, "Layers": data and pure functions (0), the exception tree (1), runtime (2),
tools (3). Function-local imports count as edges too (they are for laziness, never to
dodge a cycle); imports under ``if TYPE_CHECKING:`` do not, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cloudstatus

PACKAGE = Path(cloudstatus.__file__).resolve().parent

#: The layer of each module; a module may import its own layer and those below.
LAYERS: dict[str, int] = {
    "cloudstatus._advice": 0,
    "cloudstatus._catalog": 0,
    "cloudstatus._facts": 0,
    "cloudstatus._naming": 0,
    "cloudstatus._parse": 0,
    "cloudstatus._policy": 0,
    "cloudstatus._redact": 0,
    "cloudstatus._registry": 0,
    "cloudstatus._shape": 0,
    "cloudstatus._version": 0,
    "cloudstatus._bridge": 1,
    "cloudstatus._fields": 1,
    "cloudstatus._base": 1,
    "cloudstatus._exceptions": 1,
    "cloudstatus.services": 1,
    "cloudstatus.services.dms": 1,
    "cloudstatus.services.mpc": 1,
    "cloudstatus._options": 2,
    "cloudstatus._foreign": 2,
    "cloudstatus._resolve": 2,
    "cloudstatus._core": 2,
    "cloudstatus._hook": 2,
    "cloudstatus.retry": 2,
    "cloudstatus.testing": 2,
    "cloudstatus._pytest_fixtures": 2,
    "cloudstatus.httpx": 2,
    "cloudstatus.aiohttp": 2,
    "cloudstatus.huaweicloud": 2,
    "cloudstatus": 2,
    "cloudstatus.__main__": 3,
    "cloudstatus._cli": 3,
    "cloudstatus._demo": 3,
    "cloudstatus._generate": 3,
    "cloudstatus._ingest": 3,
    "cloudstatus._loopback": 2,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> set[str]:
    """The package modules ``module`` imports, anywhere in it, outside TYPE_CHECKING blocks."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from cloudstatus import _parse`` imports the submodule _parse.
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
        stack.extend(ast.iter_child_nodes(node))
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module) for module in MODULES}


def test_every_module_has_a_layer() -> None:
    """Each module of the package is placed in a layer, so the checks below see it."""
    assert sorted(set(MODULES) - set(LAYERS)) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_go_down(module: str) -> None:
    """A module imports only modules of its own layer or below."""
    upward = sorted(name for name in GRAPH[module] if LAYERS[name] > LAYERS[module])
    assert upward == [], f"{module} (layer {LAYERS[module]}) imports higher layers: {upward}"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph``, as a list of modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path = [start]
        iters = [iter(sorted(graph[start]))]
        state[start] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(sorted(graph[nxt])))
    return None


def test_no_import_cycle() -> None:
    """No chain of imports, function-local ones included, leads back to where it started."""
    assert _cycle(GRAPH) is None


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    """The check above can fail: a cycle added to a copy of the graph is found."""
    planted = {name: set(edges) for name, edges in GRAPH.items()}
    planted["cloudstatus._parse"].add("cloudstatus._base")
    planted["cloudstatus._base"].add("cloudstatus._parse")
    cycle = _cycle(planted)
    assert cycle is not None
    assert cycle[0] == cycle[-1]


def test_the_tree_knows_nothing_of_the_policy_at_import() -> None:
    """The exception tree's modules import no client adapter and no tool."""
    for module in ("cloudstatus._base", "cloudstatus._exceptions", "cloudstatus._fields"):
        assert all(LAYERS[name] <= 1 for name in GRAPH[module])
