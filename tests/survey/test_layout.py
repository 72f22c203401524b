"""The package layout holds (administration ← messaging ← casework ← collection ← reporting ←
operations ← blueprints and commands): each side imports only the sides to its left, and nothing imports in a
circle (the rules are in ``survey/__init__.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

SURVEY = ROOT / "survey"
BLUEPRINTS = ("survey.public", "survey.admin", "survey.unit", "survey.api", "survey.auth")
FORBIDDEN = {
    "survey.models": ("survey.administration", "survey.messaging", "survey.casework", "survey.collection",
                      "survey.reporting", "survey.operations", "survey.commands", *BLUEPRINTS),
    "survey.administration": ("survey.messaging", "survey.casework", "survey.collection", "survey.reporting",
                              "survey.operations", "survey.commands", *BLUEPRINTS),
    "survey.messaging": ("survey.casework", "survey.collection", "survey.reporting", "survey.operations",
                         "survey.commands", *BLUEPRINTS),
    "survey.casework": ("survey.collection", "survey.reporting", "survey.operations", "survey.commands",
                        *BLUEPRINTS),
    "survey.collection": ("survey.reporting", "survey.operations", "survey.commands", *BLUEPRINTS),
    "survey.reporting": ("survey.operations", "survey.commands", *BLUEPRINTS),
    "survey.operations": ("survey.commands", *BLUEPRINTS),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every ``survey`` module named by an import statement anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("survey"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("survey"))
    return found


def sources() -> dict[str, Path]:
    return {module_name(p): p for p in SURVEY.rglob("*.py") if "migrations" not in p.parts}


def top_level_imports(path: Path, known: set[str]) -> set[str]:
    """The survey modules imported when ``path`` is imported (module-level statements only)."""
    found = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("survey"):
            names = {f"{node.module}.{alias.name}" for alias in node.names}
            found |= {n for n in names if n in known} or {node.module}
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("survey"))
    return {m for m in found if m in known}


@pytest.mark.parametrize("side", sorted(FORBIDDEN))
def test_each_side_imports_only_the_sides_to_its_left(side: str) -> None:
    wrong = []
    for name, path in sources().items():
        if name == side or name.startswith(side + "."):
            wrong += [f"{name} imports {m}" for m in imports(path)
                      if any(m == f or m.startswith(f + ".") for f in FORBIDDEN[side])]
    assert wrong == []


def test_no_module_imports_itself_in_a_circle_at_import_time() -> None:
    modules = sources()
    graph = {name: top_level_imports(path, set(modules)) - {name} for name, path in modules.items()}
    # A package's own submodules imported at the end of its __init__ (blueprint routes) are the
    # usual Flask pattern, not a cycle between sides: leave parent → child edges out.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not t.startswith(name + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target):], target] if target in trail else [node, target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_every_package_says_what_it_owns() -> None:
    for init in SURVEY.rglob("__init__.py"):
        if "migrations" in init.parts:
            continue
        tree = ast.parse(init.read_text("utf-8"))
        assert ast.get_docstring(tree), f"{init.relative_to(ROOT)} has no docstring"
