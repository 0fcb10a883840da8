"""Facts to numbers and lists: the as-of conditions every derived indicator uses, in one place.

- 新增 (NEW): the item's plan year is 2021-2025, it had started by the as-of date and still counts on it.
  By year: the same, for items of that year.
- 累计 (CUMULATIVE): the item had started and still counts on the date (holdings). By year: holdings on
  31 December of the year (or on the as-of date in its own year).
"Still counts" means not ended (revoked / withdrawn / cancelled / suspended before or on the date) and not
expired. Numbers are ``COUNT(DISTINCT key)`` in SQL; lists are the same rows, one per key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, distinct, func, literal, or_, select

from registry.extensions import db
from registry.models import Enterprise
from registry.targets.rules import CUMULATIVE, Rule, alive_flag

PERIOD_START = date(2021, 1, 1)
PERIOD_END = date(2025, 12, 31)
PLAN_YEARS = (2021, 2022, 2023, 2024, 2025)
BASE_YEAR = 2020


@dataclass(frozen=True)
class Count:
    total: int
    by_year: dict[int, int | None]  # PLAN_YEARS plus BASE_YEAR; None for years after the as-of date

    def as_json(self) -> dict:
        return {"total": self.total, "by_year": {str(y): v for y, v in self.by_year.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Count":
        return cls(data["total"], {int(y): v for y, v in data["by_year"].items()})


def year_ago(day: date) -> date:
    """The same calendar date one year earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _alive(rule: Rule, f, day: date):
    condition = and_(or_(f.c.end.is_(None), f.c.end > day), or_(f.c.expires.is_(None), f.c.expires >= day))
    if rule.alive is not None:
        flag = alive_flag(day)
        condition = and_(condition, f.c[flag] == 1 if flag in f.c else rule.alive(f, day))
    return condition


def counts_on(rule: Rule, f, day: date):
    """The condition under which a fact row counts in the indicator's value as of ``day``."""
    if rule.kind == CUMULATIVE:
        return and_(f.c.start <= day, _alive(rule, f, day))
    return and_(f.c.year >= PLAN_YEARS[0], f.c.year <= PLAN_YEARS[-1], f.c.start <= day, _alive(rule, f, day))


def counts_in_year(rule: Rule, f, day: date, year: int):
    """The condition for the year column ``year`` as seen on ``day``; None for a year after ``day``."""
    if year > day.year:
        return None
    if rule.kind == CUMULATIVE:
        on = min(date(year, 12, 31), day)
        return and_(f.c.start <= on, _alive(rule, f, on))
    return and_(f.c.year == year, f.c.start <= day, _alive(rule, f, day))


def _facts(rule: Rule, jurisdiction_id: int | None, industry_id: int | None, days: tuple[date, ...] = ()):
    """The rule's facts as a subquery ``f``, filtered. A rule with its own "still counts" test gets it as a column per
    date in ``days``, computed in its own scan, instead of a correlated subquery in every output column."""
    query = rule.facts(tuple(sorted(set(days)))) if rule.alive is not None else rule.facts()
    if jurisdiction_id is not None or industry_id is not None:
        # As "the record's enterprise is one of these" (a set membership test), not as a condition on the joined
        # enterprises or an index probe per listed enterprise: SQLite otherwise loops over every enterprise of
        # the town for each record (minutes instead of milliseconds at 100,000 enterprises). "+ 0" keeps the
        # planner from using the foreign-key index with the list; PostgreSQL makes it a hash semi-join either way.
        scope = select(Enterprise.id)
        if jurisdiction_id is not None:
            scope = scope.where(Enterprise.jurisdiction_id == jurisdiction_id)
        if industry_id is not None:
            scope = scope.where(Enterprise.industry_id == industry_id)
        query = query.where((query.selected_columns.enterprise_id + 0).in_(scope))
    return query.subquery("f")


def _count_if(rule: Rule, f, condition):
    if condition is None:
        return literal(None)
    counted = case((condition, f.c.key))
    return func.count(counted if rule.one_fact_per_key else distinct(counted))


def count(rule: Rule, day: date, jurisdiction_id: int | None = None, industry_id: int | None = None) -> Count:
    """The indicator value on ``day`` and its year columns, in one aggregate query."""
    f = _facts(rule, jurisdiction_id, industry_id, (day,))
    years = (BASE_YEAR, *PLAN_YEARS)
    columns = [_count_if(rule, f, counts_on(rule, f, day))]
    columns += [_count_if(rule, f, counts_in_year(rule, f, day, y)) for y in years]
    return _count(db.session.execute(select(*columns).select_from(f)).one(), years)


def _count(row, years: tuple[int, ...]) -> Count:
    return Count(int(row[0]), {y: (None if v is None else int(v)) for y, v in zip(years, row[1:])})


def count_per_jurisdiction(rule: Rule, day: date) -> dict[int, Count]:
    """``count(rule, day, j)`` for every jurisdiction ``j`` that has a fact, in one grouped query (a fact's
    ``jurisdiction_id`` is its enterprise's, which is what the town filter selects; a multi-town item counts in each
    town). A jurisdiction missing from the result counts nothing: ``zero(day)``."""
    f = _facts(rule, None, None, (day,))
    years = (BASE_YEAR, *PLAN_YEARS)
    columns = [f.c.jurisdiction_id, _count_if(rule, f, counts_on(rule, f, day))]
    columns += [_count_if(rule, f, counts_in_year(rule, f, day, y)) for y in years]
    rows = db.session.execute(select(*columns).select_from(f).group_by(f.c.jurisdiction_id))
    return {row[0]: _count(row[1:], years) for row in rows}


def zero(day: date) -> Count:
    """What a rule counts where it has no facts on ``day`` (years after ``day`` have no value)."""
    return Count(0, {y: (None if y > day.year else 0) for y in (BASE_YEAR, *PLAN_YEARS)})


def count_by_jurisdiction(rule: Rule, day: date) -> dict[int, tuple[int, int]]:
    """Per jurisdiction: (value on ``day``, value one year earlier). A multi-town item counts in each town."""
    before = year_ago(day)
    f = _facts(rule, None, None, (day, before))
    query = (select(f.c.jurisdiction_id, _count_if(rule, f, counts_on(rule, f, day)),
                    _count_if(rule, f, counts_on(rule, f, before)))
             .select_from(f).group_by(f.c.jurisdiction_id))
    return {jid: (int(now), int(then)) for jid, now, then in db.session.execute(query)}


def records(rule: Rule, day: date, jurisdiction_id: int | None = None, industry_id: int | None = None,
            year: int | None = None) -> list[dict]:
    """What the number counted: one dict per key (the earliest fact first), with every Linhai enterprise behind it.

    ``len(records(...)) == count(...).total`` (or ``.by_year[year]`` with ``year``) by construction.
    """
    f = _facts(rule, jurisdiction_id, industry_id, (day,))
    condition = counts_on(rule, f, day) if year is None else counts_in_year(rule, f, day, year)
    if condition is None:
        return []
    rows = db.session.execute(select(f).where(condition).order_by(f.c.start, f.c.record_id, f.c.enterprise_id))
    by_key: dict = {}
    for row in rows.mappings():
        item = by_key.get(row["key"])
        if item is None:
            item = by_key[row["key"]] = {**row, "enterprises": []}
        names = [e["name"] for e in item["enterprises"]]
        if row["enterprise_name"] not in names:
            item["enterprises"].append({"id": row["enterprise_id"], "name": row["enterprise_name"],
                                        "jurisdiction_id": row["jurisdiction_id"]})
    return list(by_key.values())
