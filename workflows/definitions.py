"""The table of workflow definitions the engine runs, by name and version. The engine knows no area: the app
factory fills the table from the areas' definitions (``registry/workflow_definitions.py``, one line per area) and
keeps it on the app; the engine, the sweeps and the pages look a definition up here, in the app's context. The
table also says which definitions an enterprise chooses between on the applications page (``offered``).

An application keeps the version it started under, so an area keeps an old version in its table as long as
applications use it; ``get`` without a version is the latest (what ``engine.start`` uses)."""
from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app

from workflows.spec import Workflow

EXTENSION = "workflow_definitions"  # app.extensions key


class Definitions:
    """Workflow definitions by name and version, in the order they were added; ``offered``: the names an enterprise
    chooses between on the applications page, in order. Raises ValueError for an offered name not registered."""

    def __init__(self, workflows: Iterable[Workflow] = (), offered: Iterable[str] = ()):
        self._by_name: dict[str, dict[int, Workflow]] = {}
        for workflow in workflows:
            self.add(workflow)
        self.offered = tuple(offered)
        unknown = [name for name in self.offered if name not in self._by_name]
        if unknown:
            raise ValueError(f"offered workflows not registered: {unknown}")

    def add(self, workflow: Workflow) -> None:
        """Register one version. Raises ValueError when that name and version is registered already."""
        versions = self._by_name.setdefault(workflow.name, {})
        if workflow.version in versions:
            raise ValueError(f"workflow {workflow.name} v{workflow.version} registered twice")
        versions[workflow.version] = workflow

    def copy(self) -> Definitions:
        return Definitions(self.all(), self.offered)

    def get(self, name: str, version: int | None = None) -> Workflow:
        """The definition ``name`` at ``version`` (the latest when None); KeyError when unknown."""
        versions = self._by_name[name]
        return versions[version if version is not None else max(versions)]

    def registry(self) -> dict[str, dict[int, Workflow]]:
        return {name: dict(versions) for name, versions in self._by_name.items()}

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def all(self) -> list[Workflow]:
        """Every version of every definition."""
        return [workflow for versions in self._by_name.values() for workflow in versions.values()]


def init_app(app: Flask, workflows: Iterable[Workflow], offered: Iterable[str] = ()) -> Definitions:
    table = app.extensions[EXTENSION] = Definitions(workflows, offered)
    return table


def current() -> Definitions:
    """The table of the current app (RuntimeError outside an app context, KeyError before ``init_app``)."""
    return current_app.extensions[EXTENSION]


def get(name: str, version: int | None = None) -> Workflow:
    """The definition ``name`` at ``version`` (the latest when None); KeyError when unknown."""
    return current().get(name, version)


def registry() -> dict[str, dict[int, Workflow]]:
    return current().registry()


def names() -> list[str]:
    return current().names()


def all_versions() -> list[Workflow]:
    return current().all()


def offered() -> tuple[str, ...]:
    """The definitions an enterprise chooses between on the applications page, in order."""
    return current().offered
