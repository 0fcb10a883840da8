"""Every workflow definition, by name and version. An application keeps the version it started under, so an old
version stays here as long as applications use it. One line per definition module."""
from __future__ import annotations

from workflows.spec import Workflow


def _all() -> list[Workflow]:
    from workflows.definitions import pinzibiao
    from workflows.definitions import pinzibiao_agri
    from workflows.definitions import pinzibiao_declaration
    from workflows.definitions import pinzibiao_service
    from workflows.definitions import quality_award

    return [*pinzibiao.VERSIONS, *pinzibiao_agri.VERSIONS, *pinzibiao_declaration.VERSIONS,
            *pinzibiao_service.VERSIONS, *quality_award.VERSIONS]


def registry() -> dict[str, dict[int, Workflow]]:
    found: dict[str, dict[int, Workflow]] = {}
    for workflow in _all():
        found.setdefault(workflow.name, {})[workflow.version] = workflow
    return found


def get(name: str, version: int | None = None) -> Workflow:
    """The definition ``name`` at ``version`` (the latest when None); KeyError when unknown."""
    versions = registry()[name]
    return versions[version if version is not None else max(versions)]


def names() -> list[str]:
    return sorted(registry())
