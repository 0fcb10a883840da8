"""Demo data: ``flask --app registry seed-demo`` builds a believable Linhai (see ``seed.seed_demo``)."""
from __future__ import annotations


def seed_demo(rng_seed: int = 20260, enterprise_count: int = 300) -> dict:
    """See ``registry.demo.seed.seed_demo``; imported lazily so importing the package does no work."""
    from registry.demo.seed import seed_demo as _seed

    return _seed(rng_seed=rng_seed, enterprise_count=enterprise_count)
