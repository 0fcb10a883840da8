"""The bench seeder at small scale: rows of every kind, valid identifiers, the 1-, 200- and 2,000-record enterprises."""
from __future__ import annotations

from sqlalchemy import func, select
from stdnum.cn import uscc as stdnum_uscc

from registry import models as m
from registry.extensions import db
from registry.identifiers import parse_patent_number, parse_standard_number

RECORD_MODELS = (m.Patent, m.Trademark, m.Certification, m.StandardDrafter, m.Honour, m.CreditRecord,
                 m.IncidentRecord)


def _records_of(enterprise_id: int) -> int:
    return sum(db.session.scalar(select(func.count()).select_from(model).where(model.enterprise_id == enterprise_id))
               for model in RECORD_MODELS)


def test_bench_seed_small(app):
    from bench.seed import seed

    counts = seed(db.engine, db.metadata, 400)
    assert counts["enterprises"] == 400
    assert all(n > 0 for n in counts.values()), counts
    assert sum(v for k, v in counts.items() if k != "enterprises") > 2_000  # about 10 records per enterprise
    assert _records_of(1) == 1 and _records_of(2) == 200 and _records_of(3) == 2_000
    for code in db.session.scalars(select(m.Enterprise.uscc)):
        assert stdnum_uscc.is_valid(code), code
    for number in db.session.scalars(select(m.Patent.number)):
        assert parse_patent_number(number).application_number == number
    for number, level in db.session.execute(select(m.Standard.number, m.Standard.level)):
        assert parse_standard_number(number).level == level
    # The ORM still inserts after explicit ids (PostgreSQL sequences were moved past them).
    from tests.factories import EnterpriseFactory

    assert EnterpriseFactory().id > 400
