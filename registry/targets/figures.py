"""Cached figures: rule counts and per-town counts, keyed on the registry version counters (versions.py).

A warm dashboard is two Redis round trips (the counters, then every figure with MGET); a cold figure is one
aggregate query. Only figures whose counters moved since they were cached are recomputed.
"""
from __future__ import annotations

from datetime import date

from registry.targets import counting, versions
from registry.targets.counting import Count
from registry.targets.rules import all_rules, get_rule


def _cached(kind: str, names: list[str], day: date, extra: str, compute, scoped: bool = True) -> dict:
    rules = [get_rule(n) for n in names]
    stamps = versions.versions([versions.rule_tokens(r, scoped) for r in rules])
    keys = [f"{kind}:{r.name}:{day.isoformat()}:{extra}:{v}" for r, v in zip(rules, stamps)]
    hits = versions.cache_get_many(keys) if all(v is not None for v in stamps) else [None] * len(keys)
    out, fresh = {}, {}
    for rule, stamp, key, hit in zip(rules, stamps, keys, hits):
        if hit is not None:
            out[rule.name] = hit
            continue
        value = compute(rule)
        out[rule.name] = value
        if stamp is not None:
            fresh[key] = value
    versions.cache_set_many(fresh)
    return out


def rule_counts(names: list[str], day: date, jurisdiction_id: int | None = None,
                industry_id: int | None = None) -> dict[str, Count]:
    """``Count`` per rule name on ``day`` under the filters (cached)."""
    raw = _cached("count", names, day, f"{jurisdiction_id}:{industry_id}",
                  lambda rule: counting.count(rule, day, jurisdiction_id, industry_id).as_json(),
                  scoped=jurisdiction_id is not None or industry_id is not None)
    return {name: Count.from_json(value) for name, value in raw.items()}


def fill_town_rule_counts(names: list[str], day: date, jurisdiction_ids: list[int]) -> list[str]:
    """Cache what ``rule_counts(names, day, j)`` returns for every ``j`` in ``jurisdiction_ids`` (the dashboard with
    a town filter), one grouped query per rule whose town figures are not all cached. Returns the rules counted."""
    rules = [get_rule(n) for n in names]
    stamps = versions.versions([versions.rule_tokens(r) for r in rules])
    if not rules or any(v is None for v in stamps):
        return []
    keys = {(r.name, j): f"count:{r.name}:{day.isoformat()}:{j}:None:{v}"
            for r, v in zip(rules, stamps) for j in jurisdiction_ids}
    found = dict(zip(keys, versions.cache_get_many(list(keys.values()))))
    counted = []
    for rule in rules:
        if all(found[(rule.name, j)] is not None for j in jurisdiction_ids):
            continue
        per_town = counting.count_per_jurisdiction(rule, day)
        versions.cache_set_many({keys[(rule.name, j)]: per_town.get(j, counting.zero(day)).as_json()
                                 for j in jurisdiction_ids})
        counted.append(rule.name)
    return counted


def town_counts(names: list[str], day: date) -> dict[str, dict[int, tuple[int, int]]]:
    """Per rule name: jurisdiction id -> (value on ``day``, value a year earlier) (cached)."""
    raw = _cached("towns", names, day, "-",
                  lambda rule: {str(j): list(v) for j, v in counting.count_by_jurisdiction(rule, day).items()})
    return {name: {int(j): (v[0], v[1]) for j, v in value.items()} for name, value in raw.items()}


def page_version() -> int | None:
    """One number that changes whenever any figure or the indicator catalogue may have changed (None: no Redis)."""
    tokens = sorted({t for rule in all_rules().values() for t in versions.rule_tokens(rule)} | {"catalogue"})
    return versions.version(tokens)


def cached_fragment(name: str, parts: tuple, render) -> str:
    """HTML from ``render()`` cached under (name, parts, page_version()): a warm page skips the computation and
    the template of its body. Anything that changes a figure or the catalogue moves the version."""
    stamp = page_version()
    key = f"page:{name}:{':'.join(str(p) for p in parts)}:{stamp}"
    if stamp is not None:
        hit = versions.cache_get_many([key])[0]
        if hit is not None:
            return hit["html"]
    html = render()
    if stamp is not None:
        versions.cache_set_many({key: {"html": html}})
    return html
