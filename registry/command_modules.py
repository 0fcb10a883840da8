"""CLI commands contributed by each area; one line per area."""
from __future__ import annotations


def COMMANDS() -> list:  # noqa: N802
    return []
