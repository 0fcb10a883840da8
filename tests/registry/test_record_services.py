"""Record use cases: domain rules, duplicates, shared standards, scope, and the change history they leave."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Certification, ChangeLog, Standard, StandardDrafter
from registry.services import records
from registry.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.factories import CertificationFactory, EnterpriseFactory, jurisdiction


@pytest.fixture
def bureau(make_user):
    return make_user("bureau")


def test_standard_drafted_by_two_enterprises_is_one_standard(bureau):
    a, b = EnterpriseFactory(), EnterpriseFactory()
    data = {"number": "T/ZZB 2109—2021", "title": "汽车制动盘", "role": "lead", "status": "published",
            "published_on": "2021-06-01"}
    records.create_record(bureau, a.id, "standards", data)
    records.create_record(bureau, b.id, "standards", {**data, "number": "T/ZZB 2109-2021", "role": "participant"})
    assert db.session.scalar(select(func.count(Standard.id))) == 1
    assert db.session.scalar(select(func.count(StandardDrafter.id))) == 2
    with pytest.raises(Conflict) as exc:
        records.create_record(bureau, a.id, "standards", data)
    assert "T/ZZB 2109-2021" in exc.value.message


def test_deleting_the_last_drafter_removes_the_standard(bureau):
    a, b = EnterpriseFactory(), EnterpriseFactory()
    data = {"number": "GB/T 19580-2012", "title": "卓越绩效评价准则", "role": "participant", "status": "in_force"}
    da = records.create_record(bureau, a.id, "standards", data)
    db_ = records.create_record(bureau, b.id, "standards", data)
    records.delete_record(bureau, a.id, "standards", da.id)
    assert db.session.scalar(select(func.count(Standard.id))) == 1
    records.delete_record(bureau, b.id, "standards", db_.id)
    assert db.session.scalar(select(func.count(Standard.id))) == 0


def test_standard_level_follows_the_number(bureau):
    e = EnterpriseFactory()
    d = records.create_record(bureau, e.id, "standards", {"number": "ISO 9001:2015", "title": "QMS", "role": "participant",
                                                          "status": "published"})
    assert d.standard.level == "international"


@pytest.mark.parametrize("data, field", [
    ({"cert_type": "pinzibiao", "number": "X1", "issued_on": "2022-01-01", "expires_on": "2021-01-01",
      "status": "valid"}, "expires_on"),
    ({"cert_type": "green_product", "number": "X2", "issued_on": "2022-01-01", "status": "valid"}, "product_domain"),
    ({"cert_type": "iso9001", "number": "X3", "issued_on": "2022-13-01", "status": "valid"}, "issued_on"),
    ({"cert_type": "nonsense", "number": "X4", "issued_on": "2022-01-01", "status": "valid"}, "cert_type"),
    ({"cert_type": "iso9001", "number": "X5", "issued_on": "2022-01-01", "status": "revoked"}, "status_changed_on"),
])
def test_certification_rules(bureau, data, field):
    e = EnterpriseFactory()
    with pytest.raises(ValidationFailed) as exc:
        records.create_record(bureau, e.id, "certifications", data)
    assert field in exc.value.errors


def test_duplicate_certificate_names_the_existing_record(bureau):
    first = CertificationFactory(number="CZJM-1")
    other = EnterpriseFactory()
    with pytest.raises(Conflict) as exc:
        records.create_record(bureau, other.id, "certifications",
                              {"cert_type": "pinzibiao", "number": "CZJM-1", "issued_on": "2022-01-01", "status": "valid"})
    assert first.enterprise.name in exc.value.message and exc.value.existing_id == first.id


def test_patent_numbers_are_stored_normalised(bureau):
    e = EnterpriseFactory()
    p = records.create_record(bureau, e.id, "patents", {"number": "zl 201710601862.3", "title": "一种装置",
                                                        "status": "granted"})
    assert p.number == "201710601862.3" and p.patent_type == "invention"
    with pytest.raises(ValidationFailed) as exc:
        records.create_record(bureau, e.id, "patents", {"number": "201710601862.4", "title": "x", "status": "granted"})
    assert "校验位" in exc.value.errors["number"][0]


def test_trademark_class_must_be_1_to_45(bureau):
    e = EnterpriseFactory()
    with pytest.raises(ValidationFailed) as exc:
        records.create_record(bureau, e.id, "trademarks", {"reg_number": "123", "nice_class": "46", "mark": "临"})
    assert "nice_class" in exc.value.errors


def test_certificate_status_is_computed_on_a_date():
    cert = CertificationFactory(issued_on=dt.date(2021, 1, 1), expires_on=dt.date(2023, 12, 31))
    assert cert.status_on(dt.date(2022, 6, 1)) == "valid"
    assert cert.status_on(dt.date(2024, 1, 1)) == "expired"
    assert cert.status_on(dt.date(2020, 6, 1)) == "not_yet_issued"
    cert.status, cert.status_changed_on = "revoked", dt.date(2022, 7, 1)
    assert cert.status_on(dt.date(2022, 6, 30)) == "valid"
    assert cert.status_on(dt.date(2022, 7, 1)) == "revoked"


def test_enterprise_user_cannot_record_credit_listings_or_reach_others(make_user):
    user = make_user("enterprise")
    with pytest.raises(Forbidden):
        records.create_record(user, user.enterprise_id, "credit-records",
                              {"list_type": "abnormal_operation", "listed_on": "2024-01-01"})
    other = EnterpriseFactory()
    with pytest.raises(NotFound):
        records.create_record(user, other.id, "honours", {"honour_type": "qianjiang_cup", "level": "provincial",
                                                          "year": 2023})


def test_town_reviewer_reads_own_jurisdiction_only(make_user):
    town = make_user("town", jurisdiction=jurisdiction("331082112"))
    mine = EnterpriseFactory(jurisdiction=jurisdiction("331082112"))
    theirs = EnterpriseFactory(jurisdiction=jurisdiction("331082001"))
    CertificationFactory(enterprise=mine)
    assert len(records.list_records(town, mine.id, "certifications")) == 1
    with pytest.raises(NotFound):
        records.list_records(town, theirs.id, "certifications")
    with pytest.raises(Forbidden):
        records.create_record(town, mine.id, "honours", {"honour_type": "qianjiang_cup", "level": "provincial",
                                                         "year": 2023})


def test_every_change_is_in_the_history_with_actor_field_old_and_new(bureau):
    e = EnterpriseFactory()
    cert = records.create_record(bureau, e.id, "certifications", {"cert_type": "iso9001", "number": "Q-1",
                                                                  "issued_on": "2022-01-01", "status": "valid"})
    records.update_record(bureau, e.id, "certifications", cert.id, {"status": "suspended",
                                                                    "status_changed_on": "2023-02-01"})
    records.delete_record(bureau, e.id, "certifications", cert.id)
    rows = db.session.scalars(select(ChangeLog).where(ChangeLog.entity == "certifications").order_by(ChangeLog.id)).all()
    assert [r.action for r in rows] == ["create", "update", "update", "delete"]
    status = next(r for r in rows if r.field == "status")
    assert (status.old_value, status.new_value, status.actor_id, status.enterprise_id) == ("valid", "suspended",
                                                                                         bureau.id, e.id)
    assert db.session.scalar(select(func.count(Certification.id))) == 0


def test_partial_update_keeps_other_fields_and_rechecks_cross_field_rules(bureau):
    e = EnterpriseFactory()
    cert = records.create_record(bureau, e.id, "certifications", {"cert_type": "iso9001", "number": "Q-2",
                                                                  "issued_on": "2022-01-01", "expires_on": "2025-01-01",
                                                                  "status": "valid"})
    records.update_record(bureau, e.id, "certifications", cert.id, {"scope": "阀门"})
    assert cert.number == "Q-2" and cert.scope == "阀门"
    with pytest.raises(ValidationFailed):
        records.update_record(bureau, e.id, "certifications", cert.id, {"expires_on": "2021-01-01"})


def test_enterprise_account_keeps_contacts_current_but_not_its_identity(make_user):
    from registry.services.enterprises import update_enterprise

    user = make_user("enterprise")
    ent = user.enterprise
    before = (ent.name, ent.uscc, ent.jurisdiction_id, ent.industry_id, ent.above_scale)
    update_enterprise(user, ent.id, {"name": "改名公司", "industry": "other", "above_scale": "0",
                                     "jurisdiction": "331082001", "contact_phone": "0576-85123456"})
    db.session.refresh(ent)
    assert (ent.name, ent.uscc, ent.jurisdiction_id, ent.industry_id, ent.above_scale) == before
    assert ent.contact_phone == "0576-85123456"


def test_search_by_credit_code_and_capped_count(make_user):
    from registry.services.enterprises import EnterpriseFilters, search_enterprises

    bureau = make_user("bureau")
    firms = [EnterpriseFactory(name=f"临海鑫隆{i}机械有限公司") for i in range(5)]
    found = search_enterprises(bureau, EnterpriseFilters(q=firms[2].uscc.lower()))
    assert [e.id for e in found.items] == [firms[2].id]
    capped = search_enterprises(bureau, EnterpriseFilters(q="鑫隆"), per_page=2, count_cap=3)
    assert capped.capped and capped.total == 3 and len(capped.items) == 2
    exact = search_enterprises(bureau, EnterpriseFilters(q="鑫隆"), count_cap=10)
    assert not exact.capped and exact.total == 5


def test_name_search_finds_every_substring_and_nothing_else(make_user):
    """On PostgreSQL the bigram index answers first; the result must equal a plain substring match: one character,
    two, a whole name, a repeated character, LIKE's own wildcards taken literally, Latin letters."""
    from registry.services.enterprises import EnterpriseFilters, search_enterprises

    bureau = make_user("bureau")
    names = ["临海市鑫隆机械有限公司", "浙江隆鑫眼镜有限公司", "临海市宏宏宏工艺品厂", "台州100%塑业有限公司",
             "临海市A_B科技有限公司", "临海市眼镜城管理有限公司"]
    for name in names:
        EnterpriseFactory(name=name)
    for q in ["鑫", "鑫隆", "隆鑫", "眼镜", "宏宏", "宏宏宏", "100%", "%", "A_B", "_", "临海市鑫隆机械有限公司", "镜城管",
              "隆机械有限公司X", "鑫眼"]:
        got = {e.name for e in search_enterprises(bureau, EnterpriseFilters(q=q), per_page=50).items}
        assert got == {n for n in names if q in n}, q


def test_postgresql_answers_a_two_character_search_from_the_bigram_index(make_user):
    from sqlalchemy import text

    from registry.services.enterprises import EnterpriseFilters, filtered_query

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the bigram index is PostgreSQL's (SQLite scans names)")
    bureau = make_user("bureau")
    EnterpriseFactory(name="临海市鑫隆机械有限公司")
    query = filtered_query(bureau, EnterpriseFilters(q="鑫隆"))
    compiled = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    # On a table of a few rows any index is as cheap as any other: with sequential and plain index scans off (a
    # plain index scan can walk a whole unrelated b-tree, which it once did under full-suite load), what is left is
    # a bitmap scan, and only an index whose condition the query meets can drive one.
    for knob in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
        db.session.execute(text(f"SET LOCAL {knob} = off"))
    plan = "\n".join(db.session.scalars(text("EXPLAIN " + compiled)))
    assert "Bitmap Index Scan on ix_enterprises_name_bigrams" in plan, plan
