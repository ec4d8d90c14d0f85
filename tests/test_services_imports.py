"""No import loops in the write side: the module-level imports of trainctl.services (and of
whatever trainctl module they reach) form a graph without cycles.

Read from the source (ast), not by importing: a function-level import (kept for startup
time, each with its reason) and an `if TYPE_CHECKING:` block are not edges; a package's
implicit import by its submodules is not an edge either (Python imports the package first,
which is how re-exporting packages work).
"""

from __future__ import annotations

import ast
from pathlib import Path

import trainctl

ROOT = Path(trainctl.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_imports(name: str, path: Path) -> set[str]:
    """The trainctl modules `name` imports when it is imported (module level only)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in MODULES else base)
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return {m for m in found if m in MODULES and m != name}


def find_cycle(graph: dict[str, set[str]], roots: list[str]) -> list[str] | None:
    """One cycle reachable from `roots` (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for root in roots:
        if root not in state and (cycle := walk(root)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a"]) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}, ["a"]) is None


def test_services_have_no_import_loops():
    graph = {name: module_imports(name, path) for name, path in MODULES.items()}
    services = sorted(m for m in MODULES if m.startswith("trainctl.services"))
    assert len(services) > 10
    cycle = find_cycle(graph, services)
    assert cycle is None, "import loop: " + " -> ".join(cycle or [])


def test_progress_and_enrollment_point_one_way():
    """Enrollment builds on progress (phases, the shared finish), never the reverse."""
    for name, path in MODULES.items():
        if name.startswith("trainctl.services.progress"):
            imported = module_imports(name, path)
            assert not [m for m in imported if m.startswith("trainctl.services.enrollment")], name
