"""Every workflow definition the engine runs, by area; one line per area. Each area keeps its definitions beside
their guards and effects (``<area>/definitions.py``: ``VERSIONS``, every version applications may still name);
the app factory hands this list to the engine's table (``workflows.definitions.init_app``)."""
from __future__ import annotations


def DEFINITIONS() -> list:  # noqa: N802  (reads as the table it is)
    from registry.awards.definitions import VERSIONS as quality_award
    from workflows.definitions import pinzibiao, pinzibiao_agri, pinzibiao_declaration, pinzibiao_service

    return [*pinzibiao.VERSIONS, *pinzibiao_agri.VERSIONS, *pinzibiao_declaration.VERSIONS,
            *pinzibiao_service.VERSIONS, *quality_award]
