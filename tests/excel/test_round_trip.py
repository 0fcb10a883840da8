"""Export the registry, empty it, import the files back: the same enterprises and records come out."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from registry.extensions import db
from registry.models import Enterprise
from registry.records.kinds import KINDS
from registry.services import enterprises as enterprise_service
from registry.services import records as record_service
from tests.factories import (BenefitGradeFactory, CertificationFactory, CreditRecordFactory, EnterpriseFactory, HonourFactory,
                             IncidentRecordFactory, PatentFactory, StandardDrafterFactory, StandardFactory,
                             TrademarkFactory, industry, jurisdiction, make_uscc)

KEEP = {"jurisdictions", "industries", "green_product_domains", "alembic_version", "users", "user_sessions", "api_tokens", "import_jobs"}


def _bad_check(seq: int) -> str:
    code = make_uscc(seq)
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def _build_registry() -> None:
    a = EnterpriseFactory(name="临海甲汽配有限公司", jurisdiction=jurisdiction("331082112"), industry=industry(),
                          group_name="甲集团", contact_email="a@example.cn", contact_phone="13800000000")
    b = EnterpriseFactory(name="临海乙制药有限公司", jurisdiction=jurisdiction("331082001"), above_scale=False,
                          established_on=None, uscc=_bad_check(4242), uscc_override_reason="工商登记原始代码，经核实有效")
    shared = StandardFactory(number="T/ZZB 2109-2021", title="共享标准")
    StandardDrafterFactory(enterprise=a, standard=shared, role="lead")
    StandardDrafterFactory(enterprise=b, standard=shared, role="participant")
    StandardDrafterFactory(enterprise=a, standard=StandardFactory(
        number="GB/T 19580-2012", level="national", title="卓越绩效评价准则", status="withdrawn",
        published_on=date(2012, 3, 9), effective_on=date(2012, 8, 1), withdrawn_on=date(2024, 1, 1)))
    CertificationFactory(enterprise=a)
    CertificationFactory(enterprise=b, cert_type="green_product", product_domain="防水与密封材料", status="suspended",
                         status_changed_on=date(2024, 2, 1))
    HonourFactory(enterprise=a, title="示例工程", issuer="浙江省")
    HonourFactory(enterprise=b, honour_type="quality_award", level="taizhou", year=2023, awarded_on=None)
    PatentFactory(enterprise=a, filed_on=date(2020, 1, 2), granted_on=date(2021, 3, 4))
    TrademarkFactory(enterprise=b, madrid=True, madrid_registered_on=date(2022, 1, 1), geographical_indication=True,
                     gi_status="applied", gi_applied_on=date(2022, 6, 1), gi_route="trademark")
    CreditRecordFactory(enterprise=b, removed_on=date(2023, 6, 30), reason="未公示年报")
    IncidentRecordFactory(enterprise=a)
    BenefitGradeFactory(enterprise=a, year=2024, grade="B", published_on=date(2025, 6, 30), note="亩均效益综合评价")
    from registry.models import GiProduct

    db.session.add(GiProduct(enterprise_id=b.id, product_name="临海蜜桔", status="applied",
                             cultivation_started_on=date(2021, 3, 1), applied_on=date(2022, 5, 10),
                             authority="国家知识产权局"))
    db.session.commit()


def _snapshot(user) -> dict:
    out = {}
    for enterprise in db.session.scalars(select(Enterprise)):
        data = enterprise_service.serialize(enterprise)
        for key in ("id", "version"):
            data.pop(key)
        kinds = {}
        for slug, items in record_service.records_by_kind(enterprise.id).items():
            rows = []
            for obj in items:
                row = record_service.serialize(KINDS[slug], obj)
                for key in ("id", "enterprise_id", "standard_id"):
                    row.pop(key, None)
                rows.append(row)
            kinds[slug] = sorted(rows, key=repr)
        out[enterprise.uscc] = (data, kinds)
    return out


def _empty_registry() -> None:
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in KEEP:
            db.session.execute(delete(table))
    db.session.commit()


def test_export_then_import_into_an_empty_registry_gives_the_same_data(client, auth, importer, bureau):
    _build_registry()
    before = _snapshot(bureau)
    assert len(before) == 2
    enterprises_xlsx = client.get("/enterprises/export.xlsx").data
    records_xlsx = client.get("/enterprises/export/all.xlsx").data

    _empty_registry()
    assert db.session.scalar(select(Enterprise.id)) is None

    for slug, data in [("enterprises", enterprises_xlsx)] + [(slug, records_xlsx) for slug in KINDS]:
        job_id = importer.job_id(importer.upload(slug, data, f"{slug}.xlsx"))
        page = client.get(f"/imports/{job_id}").get_data(as_text=True)
        assert "确认导入" in page, (slug, page[-2500:])
        importer.confirm(job_id)
        status = client.get(f"/imports/{job_id}/status.json").get_json()
        assert status["status"] == "committed", (slug, status)

    db.session.expire_all()
    assert _snapshot(bureau) == before
