"""The import graph of registry/ and workflows/: no loop that crosses a package (issue 13).

Every ``import`` is counted, at module level or inside a function (a lazy import hides a loop from Python, not
from the reader). Left out are the composition roots, whose job is to import every area: the app factory
(``registry/__init__``) and the one-line-per-area tables. A loop inside one package (a blueprint's view modules
registering on its ``bp``) is that package's business.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("registry", "workflows")
COMPOSITION_ROOTS = {"registry", "registry.blueprints", "registry.command_modules", "registry.all_models",
                     "registry.schedule", "registry.settings",  # settings: the table of every area's declarations
                     "registry.workflow_definitions"}  # the areas' workflow definitions, handed to the engine

# Loops still there, each with the package set it may not grow beyond and why it is not gone yet.
KNOWN = {
    # 安全审计 pages join the admin blueprint: registry.admin.views imports them at its end, they import its bp.
    frozenset({"registry.admin", "registry.audit"}): "the audit pages register on the admin blueprint",
}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "translations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def imports_of(name: str, mods: dict[str, Path]) -> set[str]:
    """The modules ``name`` imports (of registry/ and workflows/), anywhere in its text."""
    path = mods[name]

    def resolve(target: str) -> str | None:
        while target and target not in mods:
            target = target.rpartition(".")[0]
        return target or None

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package_of(name, path).split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            module = resolve(target)
            if module and module != name:
                found.add(module)
    return found


def import_graph() -> tuple[dict[str, set[str]], dict[str, Path]]:
    mods = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name in mods:
        if name not in COMPOSITION_ROOTS:
            graph[name] = imports_of(name, mods)
    return graph, mods


def loops(graph: dict[str, set[str]], nodes) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(component)
    return found


def crossing_loops() -> list[tuple[frozenset[str], set[str]]]:
    graph, mods = import_graph()
    result = []
    for component in loops(graph, sorted(mods)):
        packages = frozenset(package_of(m, mods[m]) for m in component)
        if len(packages) > 1:
            result.append((packages, component))
    return result


def test_the_walk_finds_a_loop_that_crosses_packages():
    graph = {"a.x": {"b.y"}, "b.y": {"a.x"}, "a.z": {"a.x"}}
    assert loops(graph, sorted(graph)) == [{"a.x", "b.y"}]


def test_no_import_loop_crosses_a_package_beyond_the_known_ones():
    unexplained = [(sorted(packages), sorted(component)) for packages, component in crossing_loops()
                   if not any(packages <= allowed for allowed in KNOWN)]
    assert unexplained == [], "a new import loop across packages: " + repr(unexplained)


def test_the_known_loops_are_still_there():
    """When one is removed, take it off KNOWN so the list stays the truth."""
    present = [packages for packages, _ in crossing_loops()]
    for allowed, why in KNOWN.items():
        assert any(packages <= allowed for packages in present), f"gone, remove it from KNOWN: {why}"


def test_the_engine_imports_no_area_whose_definitions_it_runs():
    """``workflows/`` is the engine and its language: the areas that define workflows (the packages the table
    ``registry/workflow_definitions.py`` imports) are handed to it by the app factory, never imported by it."""
    mods = modules()
    areas = {package_of(m, mods[m]) for m in imports_of("registry.workflow_definitions", mods)}
    assert {"registry.awards", "registry.pinzibiao"} <= areas
    reaching = sorted((name, target) for name in mods if name.split(".")[0] == "workflows"
                      for target in imports_of(name, mods) if any(target == a or target.startswith(a + ".")
                                                                  for a in areas))
    assert reaching == [], "workflows/ imports an area: " + repr(reaching)
