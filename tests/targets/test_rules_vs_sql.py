"""Every derived rule on a random registry equals an independent plain-SQL count, and its list's length."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from registry.extensions import db
from registry.targets import counting
from registry.targets.rules import all_rules
from tests.targets.independent_sql import SQL_FOR

DAYS = [dt.date(2020, 6, 30), dt.date(2021, 12, 31), dt.date(2023, 7, 15), dt.date(2025, 12, 31),
        dt.date(2026, 3, 1)]


def _sql_count(name, day, year, jid, iid) -> int:
    sql, params = SQL_FOR[name](day, year, jid, iid)
    return db.session.execute(text(sql), {**params, "jid": jid, "iid": iid}).scalar_one()


def test_every_rule_has_an_independent_count():
    assert set(SQL_FOR) == set(all_rules())


def test_rules_match_plain_sql_on_a_random_registry(generated_registry):
    town = generated_registry["towns"][1].id
    industry = generated_registry["industries"][2].id
    checked = 0
    nonzero = set()
    for name, rule in all_rules().items():
        for day in DAYS:
            for jid, iid in [(None, None), (town, None), (None, industry), (town, industry)]:
                got = counting.count(rule, day, jid, iid)
                expected = _sql_count(name, day, None, jid, iid)
                assert got.total == expected, (name, day, jid, iid)
                assert len(counting.records(rule, day, jid, iid)) == got.total, (name, day, jid, iid)
                for year in (2020, *counting.PLAN_YEARS):
                    if year > day.year:
                        assert got.by_year[year] is None
                        continue
                    assert got.by_year[year] == _sql_count(name, day, year, jid, iid), (name, day, year, jid, iid)
                    assert len(counting.records(rule, day, jid, iid, year=year)) == got.by_year[year]
                checked += 1
                if got.total:
                    nonzero.add(name)
    assert checked == len(all_rules()) * len(DAYS) * 4
    # The generated registry is rich enough that every rule counts something somewhere.
    assert nonzero == set(all_rules())


def test_town_breakdown_matches_plain_sql(generated_registry):
    day = dt.date(2024, 9, 30)
    for name, rule in all_rules().items():
        per_town = counting.count_by_jurisdiction(rule, day)
        for town in generated_registry["towns"]:
            now, before = per_town.get(town.id, (0, 0))
            assert now == _sql_count(name, day, None, town.id, None), (name, town.name)
            assert before == _sql_count(name, counting.year_ago(day), None, town.id, None), (name, town.name)


@pytest.mark.parametrize("cert_type", ["zhejiang_international", "high_quality_service"])
def test_certificate_holdings_agree_with_the_model_status(generated_registry, cert_type):
    """Cross-check against Certification.status_on, the registry's own definition of "valid on a day"."""
    from registry.models import Certification

    rule = next(r for r in all_rules().values() if r.name.startswith(cert_type.split("_")[0]) and "certs" in r.name)
    certs = db.session.scalars(db.select(Certification).where(Certification.cert_type == cert_type)).all()
    for day in DAYS:
        assert counting.count(rule, day).total == sum(c.is_valid_on(day) for c in certs)


def test_rules_counted_without_distinct_never_repeat_a_key(generated_registry):
    """A rule whose facts are marked one fact per key is counted with COUNT instead of COUNT(DISTINCT) (the sort of a
    million keys): its facts must give each key once, on every day and in every town."""
    marked = [rule for rule in all_rules().values() if rule.one_fact_per_key]
    assert {"registered_trademarks", "pinzibiao_enterprises", "zhejiang_boutique"} <= {r.name for r in marked}
    for rule in marked:
        for day in DAYS:
            f = counting._facts(rule, None, None, (day,))
            repeated = db.session.execute(select(f.c.key).group_by(f.c.key).having(func.count() > 1).limit(3)).all()
            assert repeated == [], (rule.name, day, repeated)
