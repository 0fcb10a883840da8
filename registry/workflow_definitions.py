"""Every workflow definition the engine runs, by area; one line per area. Each area keeps its definitions beside
their guards and effects (``<area>/definitions.py``: ``VERSIONS``, every version applications may still name); the
app factory hands them to the engine's table (``workflows.definitions.init_app``), which imports no area."""
from __future__ import annotations


def DEFINITIONS() -> list:  # noqa: N802  (reads as the table it is)
    from registry.awards.definitions import VERSIONS as quality_award
    from registry.pinzibiao.definitions import VERSIONS as pinzibiao

    return [*pinzibiao, *quality_award]


def OFFERED() -> tuple[str, ...]:  # noqa: N802
    """The definitions an enterprise chooses between on the applications page (its route to the 品字标), in order."""
    from registry.pinzibiao.definitions import ROUTES

    return ROUTES
