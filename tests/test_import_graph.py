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


def import_graph() -> tuple[dict[str, set[str]], dict[str, Path]]:
    mods = modules()

    def resolve(target: str) -> str | None:
        while target and target not in mods:
            target = target.rpartition(".")[0]
        return target or None

    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        if name in COMPOSITION_ROOTS:
            continue
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
                found = resolve(target)
                if found and found != name:
                    graph[name].add(found)
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
