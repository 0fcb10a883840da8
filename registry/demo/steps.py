"""Demo-data steps contributed by other areas (workflows, targets, awards); one line per area.

Each step is called as ``step(rng, enterprises)`` after the registry demo data is flushed, inside the same
transaction, with the seeded ``random.Random`` and the demo enterprises; it adds rows to ``db.session`` and
returns a ``{label: count}`` dict merged into the summary that ``seed-demo`` prints.
"""
from __future__ import annotations


def STEPS() -> list:  # noqa: N802  (reads as the table it is)
    from registry.demo.gi_products import add_gi_products

    return [add_gi_products]
