"""seed-demo: a believable Linhai with every kind of record, valid identifiers, working accounts, run once."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from stdnum.cn import uscc as stdnum_uscc

from registry.extensions import db
from registry.identifiers import parse_patent_number, parse_standard_number, parse_trademark, parse_uscc
from registry import models as m
from registry.vocab import HONOUR_TYPES
from tests.conftest import Auth

KINDS = {"enterprises": m.Enterprise, "standards": m.Standard, "standard_drafters": m.StandardDrafter,
         "certifications": m.Certification, "honours": m.Honour, "patents": m.Patent, "trademarks": m.Trademark,
         "credit_records": m.CreditRecord, "incidents": m.IncidentRecord, "benefit_grades": m.BenefitGrade,
         "gi_products": m.GiProduct}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_covers_every_kind_jurisdiction_and_industry(app):
    from registry.demo import seed_demo

    summary = seed_demo()
    assert summary["skipped"] is False
    for kind, model in KINDS.items():
        assert _count(model) == summary[kind] > 0, kind
    assert 250 <= summary["enterprises"] <= 400

    used_j = set(db.session.scalars(select(m.Enterprise.jurisdiction_id).distinct()))
    used_i = set(db.session.scalars(select(m.Enterprise.industry_id).distinct()))
    assert used_j == set(db.session.scalars(select(m.Jurisdiction.id)))
    assert used_i == set(db.session.scalars(select(m.Industry.id)))

    today = date(2026, 11, 29)
    statuses = {c.status_on(today) for c in db.session.scalars(select(m.Certification))}
    assert {"valid", "expired", "suspended", "revoked", "cancelled"} <= statuses
    cert_types = set(db.session.scalars(select(m.Certification.cert_type).distinct()))
    assert {"pinzibiao", "zhejiang_international", "iso9001", "iso14001", "iso45001", "iso10012",
            "high_quality_service", "green_product"} <= cert_types
    assert db.session.scalar(select(func.count(m.Certification.product_domain.distinct()))) >= 2

    credits = list(db.session.scalars(select(m.CreditRecord)))
    assert any(c.active_on(today) for c in credits) and any(c.removed_on for c in credits)
    honours = list(db.session.scalars(select(m.Honour)))
    assert {h.honour_type for h in honours} == set(HONOUR_TYPES)
    assert sum(1 for h in honours if h.revoked_on) == 2
    levels = set(db.session.scalars(select(m.Standard.level).distinct()))
    assert {"group_zzb", "national", "international"} <= levels
    zzb_with_several = db.session.scalar(
        select(func.count()).select_from(
            select(m.StandardDrafter.standard_id).join(m.Standard).where(m.Standard.level == "group_zzb")
            .group_by(m.StandardDrafter.standard_id).having(func.count() > 1).subquery()))
    assert zzb_with_several > 5
    marks = list(db.session.scalars(select(m.Trademark)))
    assert any(t.madrid for t in marks) and {t.gi_status for t in marks if t.geographical_indication} == {
        "cultivating", "applied", "registered"}
    # History is written, attributed to the system.
    assert db.session.scalar(select(func.count()).select_from(m.ChangeLog).where(m.ChangeLog.actor_id.is_(None))) > 0


def test_demo_identifiers_pass_the_registry_checks(app):
    from registry.demo import seed_demo

    seed_demo()
    for code in db.session.scalars(select(m.Enterprise.uscc)):
        parsed = parse_uscc(code)
        assert parsed.check_ok and parsed.division == "331082" and stdnum_uscc.is_valid(code), code
    for number, patent_type in db.session.execute(select(m.Patent.number, m.Patent.patent_type)):
        parsed = parse_patent_number(number)
        assert parsed.application_number == number and parsed.patent_type == patent_type
        assert parse_patent_number("ZL" + number).application_number == number
    for number, level in db.session.execute(select(m.Standard.number, m.Standard.level)):
        parsed = parse_standard_number(number)
        assert (parsed.value, parsed.level) == (number, level)
    for reg, nice_class in db.session.execute(select(m.Trademark.reg_number, m.Trademark.nice_class)):
        assert parse_trademark(reg, nice_class) == (reg, nice_class)


def test_every_demo_account_signs_in_through_the_login_form(app):
    from registry.demo import seed_demo

    summary = seed_demo()
    roles = {a["role"] for a in summary["accounts"]}
    assert roles == set(m.ROLES)
    for account in summary["accounts"]:
        response = Auth(app.test_client()).login(account["email"], account["password"])
        assert response.status_code == 302, account["email"]
    users = {u.email: u for u in db.session.scalars(select(m.User))}
    enterprise_user = users["qiye@linhai.example"]
    assert enterprise_user.enterprise.jurisdiction.code == "331082112"  # within the 杜桥镇 reviewer's scope
    assert users["duqiao@linhai.example"].jurisdiction.code == "331082112"
    assert users["gucheng@linhai.example"].jurisdiction.name == "古城街道"


def test_seed_demo_is_deterministic_and_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "linhai-shiju-2026" in first.output and "shiju@linhai.example" in first.output
    counts = {kind: _count(model) for kind, model in KINDS.items()}
    names = list(db.session.scalars(select(m.Enterprise.name).order_by(m.Enterprise.uscc).limit(5)))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "已存在" in second.output and "linhai-shiju-2026" in second.output
    assert {kind: _count(model) for kind, model in KINDS.items()} == counts
    # The nine printed accounts (one a certification body's auditor), plus one quiet applicant account per firm that has a demo application and one
    # account per further pool expert (zhuanjia4..24), so whoever a draw seats can sign in.
    printed = db.session.scalar(select(func.count(m.User.id)).where(~m.User.email.like("demo-ent-%"),
                                                                    m.User.role != "expert"))
    assert printed == 6
    assert db.session.scalar(select(func.count(m.User.id)).where(m.User.role == "expert")) == 24
    # Certificates issued by the demo applications' workflow come on top of the registry's own.
    counts["certifications"] -= db.session.scalar(
        select(func.count(m.Certification.id)).where(m.Certification.number.like("%-DEMO-%")))  # every route's demo certificates
    # The honours of last year's finished award round come on top of the registry's own.
    counts["honours"] -= db.session.scalar(
        select(func.count(m.Honour.id)).where(m.Honour.source_application_id.is_not(None)))

    # Same seed, same Linhai: wipe and seed again.
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in ("jurisdictions", "industries", "alembic_version"):
                conn.execute(table.delete())
    db.session.expire_all()
    from registry.demo import seed_demo

    again = seed_demo()
    assert {kind: again[kind] for kind in KINDS} == counts
    assert list(db.session.scalars(select(m.Enterprise.name).order_by(m.Enterprise.uscc).limit(5))) == names
