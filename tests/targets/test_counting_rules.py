"""The 统计口径 a bureau can defend: cases where the plan's indicator means something other than "one row"."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.extensions import db
from registry.services import records
from registry import settings as reader
from registry.targets import counting, figures
from registry.targets.rules import get_rule
from tests.factories import UserFactory
from tests.targets.factories import (EnterpriseFactory, HonourFactory, StandardDrafterFactory, StandardFactory,
                                     TrademarkFactory)

D = dt.date
END = D(2025, 12, 31)


def _total(rule: str, day: dt.date = END) -> int:
    return counting.count(get_rule(rule), day).total


def _put(key: str, value) -> None:
    from registry.models import Setting

    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.commit()


def test_a_project_shared_by_three_units_is_one_project():
    bureau = UserFactory(role="bureau")
    units = [EnterpriseFactory() for _ in range(3)]
    for unit, role, name in zip(units, ("main_contractor", "participant", "designer"),
                                ("临海市东方大道改造工程", "临海市东方大道 改造工程", "临海市东方大道改造工程")):
        records.create_record(bureau, unit.id, "honours", {
            "honour_type": "qianjiang_cup", "level": "provincial", "year": "2023", "awarded_on": "2023-11-20",
            "title": name, "project_role": role})
    records.create_record(bureau, units[0].id, "honours", {
        "honour_type": "luban", "level": "national", "year": "2024", "title": "临海市东方大道改造工程",
        "project_role": "main_contractor"})
    assert _total("qianjiang_cup") == 1  # three rows, one project (spacing does not split it)
    assert _total("national_quality_projects") == 1
    listed = counting.records(get_rule("qianjiang_cup"), END)
    assert len(listed) == 1 and len(listed[0]["enterprises"]) == 3
    # each participating town counts the project once
    assert sum(now for now, _ in counting.count_by_jurisdiction(get_rule("qianjiang_cup"), END).values()) >= 1


def test_a_project_honour_needs_its_project():
    bureau = UserFactory(role="bureau")
    unit = EnterpriseFactory()
    from registry.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        records.create_record(bureau, unit.id, "honours", {"honour_type": "qianjiang_cup", "level": "provincial",
                                                           "year": "2023"})
    assert "title" in err.value.errors


def test_nomination_prizes_count_by_default_and_the_setting_turns_them_off():
    winner, nominee = EnterpriseFactory(), EnterpriseFactory()
    HonourFactory(enterprise=winner, honour_type="quality_award", level="taizhou", year=2022, awarded_on=D(2022, 6, 1))
    HonourFactory(enterprise=nominee, honour_type="quality_award_nomination", level="taizhou", year=2023,
                  awarded_on=D(2023, 6, 1))
    HonourFactory(honour_type="quality_award", level="linhai", year=2023, awarded_on=D(2023, 6, 1))  # county level
    assert figures.rule_counts(["quality_award_orgs"], END)["quality_award_orgs"].total == 2
    _put("targets.quality_award_orgs.count_nomination", False)
    # the cached figure follows the setting
    assert figures.rule_counts(["quality_award_orgs"], END)["quality_award_orgs"].total == 1
    assert reader.get("targets.quality_award_orgs.count_nomination") is False


def test_innovation_and_organisation_awards_are_not_quality_award_wins():
    """Table 2 #1 counts organisations with a 政府质量奖 (the 13th plan's 5 = 4 awards + 1 提名奖): the 质量创新奖 and
    the provincial 组织奖 are other kinds of the award and are not counted; an organisation with one and an award
    counts once."""
    both, innovator, organiser = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    HonourFactory(enterprise=both, honour_type="quality_award", level="provincial", year=2022, awarded_on=D(2022, 6, 1))
    HonourFactory(enterprise=both, honour_type="quality_innovation_award", level="taizhou", year=2023,
                  awarded_on=D(2023, 6, 1))
    HonourFactory(enterprise=innovator, honour_type="quality_innovation_award", level="provincial", year=2023,
                  awarded_on=D(2023, 6, 1))
    HonourFactory(enterprise=organiser, honour_type="quality_award_organisation", level="provincial", year=2024,
                  awarded_on=D(2024, 6, 1))
    assert figures.rule_counts(["quality_award_orgs"], END)["quality_award_orgs"].total == 1


def test_one_madrid_registration_in_three_classes_counts_once():
    owner = EnterpriseFactory()
    for nice_class in (7, 9, 12):
        TrademarkFactory(enterprise=owner, reg_number=f"3300{nice_class}", nice_class=nice_class, madrid=True,
                         madrid_registered_on=D(2022, 3, 1), madrid_number="1650001")
    TrademarkFactory(enterprise=owner, reg_number="330099", nice_class=9, madrid=True,
                     madrid_registered_on=D(2023, 3, 1), madrid_number=None)
    assert _total("madrid_trademarks") == 2


def test_single_champions_are_national_and_only_while_their_review_holds():
    bureau = UserFactory(role="bureau")
    national, provincial = EnterpriseFactory(), EnterpriseFactory()
    records.create_record(bureau, national.id, "honours", {
        "honour_type": "single_champion", "level": "national", "year": "2021", "awarded_on": "2021-03-01"})
    records.create_record(bureau, provincial.id, "honours", {
        "honour_type": "single_champion", "level": "provincial", "year": "2022", "awarded_on": "2022-03-01"})
    # the three-year 复核 cycle: counted to 28 Feb 2024 unless the review is recorded as passed
    assert _total("single_champions", D(2024, 2, 28)) == 1
    assert _total("single_champions", D(2024, 3, 1)) == 0
    honour = counting.records(get_rule("single_champions"), D(2023, 1, 1))[0]
    records.update_record(bureau, national.id, "honours", honour["record_id"], {"valid_until": "2027-02-28"})
    assert _total("single_champions", D(2025, 12, 31)) == 1


def test_new_rules_count_only_2021_to_2025():
    early, inside = EnterpriseFactory(), EnterpriseFactory()
    HonourFactory(enterprise=early, honour_type="standard_innovation", level="provincial", year=2019,
                  awarded_on=D(2019, 9, 1))
    HonourFactory(enterprise=inside, honour_type="standard_innovation", level="provincial", year=2022,
                  awarded_on=D(2022, 9, 1))
    assert _total("standard_innovation_orgs") == 1


def test_zhejiang_standards_count_lead_drafters_and_show_participation_apart():
    led = StandardFactory(level="group_zzb", number="T/ZZB 2101-2022", status="withdrawn",
                          published_on=D(2022, 4, 1), withdrawn_on=D(2024, 6, 1))
    joined = StandardFactory(level="group_zzb", number="T/ZZB 2102-2023", status="published",
                             published_on=D(2023, 4, 1))
    both = StandardFactory(level="group_zzb", number="T/ZZB 2103-2023", status="published",
                           published_on=D(2023, 5, 1))
    StandardDrafterFactory(standard=led, role="lead")
    StandardDrafterFactory(standard=joined, role="participant")
    StandardDrafterFactory(standard=both, role="lead")
    StandardDrafterFactory(standard=both, role="participant")
    assert _total("zzb_standards") == 2  # the plan's reading: 主导; the withdrawn one still counts in 2022
    assert _total("zzb_standards_lead") == 2 and _total("zzb_standards_participant") == 1
    _put("targets.zzb_standards.count_participants", True)
    assert figures.rule_counts(["zzb_standards"], END)["zzb_standards"].total == 3


def test_the_dashboard_and_its_workbook_show_lead_and_participation(client, auth, make_user, indicators):
    import io

    from openpyxl import load_workbook

    joined = StandardFactory(level="group_zzb", number="T/ZZB 2202-2023", status="published",
                             published_on=D(2023, 4, 1))
    StandardDrafterFactory(standard=joined, role="participant")
    auth.login(make_user("bureau"))
    page = client.get("/targets/?as_of=2025-12-31").get_data(as_text=True)
    assert "其中：临海企业仅参与起草（无临海企业主导）：1" in page
    book = load_workbook(io.BytesIO(client.get("/targets/export.xlsx?as_of=2025-12-31").data))
    texts = [c.value for row in book.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("其中：临海企业主导起草：0" in t and "仅参与起草（无临海企业主导）：1" in t for t in texts)


# --- official figures --------------------------------------------------------------------------------------

def _official(client, code, **fields):
    from tests.conftest import csrf_token_from

    page = client.get(f"/targets/indicators/{code}/values").get_data(as_text=True)
    return client.post(f"/targets/indicators/{code}/values", data={"csrf_token": csrf_token_from(page), **fields})


def test_official_figures_stand_beside_the_registry_count_with_the_items_behind_the_difference(
        client, auth, make_user, indicators, api):
    import io

    from openpyxl import load_workbook

    from registry.targets.models import Indicator
    from sqlalchemy import select

    code = db.session.scalar(select(Indicator.code).where(Indicator.rule == "zzb_standards"))
    for number, day in (("T/ZZB 2301-2022", D(2022, 3, 1)), ("T/ZZB 2302-2023", D(2023, 3, 1))):
        standard = StandardFactory(level="group_zzb", number=number, status="published", published_on=day)
        StandardDrafterFactory(standard=standard, role="lead")
    bureau = make_user("bureau")
    auth.login(bureau)
    answer = _official(client, code, year="2023", value="3", source="浙江省品字标平台通报", published_on="2024-01-20",
                       items="T/ZZB 2301—2022\nT/ZZB 2399-2023\nT/ZZB 2398-2023")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    page = client.get("/targets/?as_of=2025-12-31").get_data(as_text=True)
    assert "官方数据（2023 年）：3，登记库 2，差 -1" in page
    detail = client.get(f"/targets/indicators/{code}/official/2023").get_data(as_text=True)
    # T/ZZB 2301 matches though typed with an em dash in the official list; 2302 is only in the registry;
    # 2399 and 2398 only in the official list.
    only_registry = detail.split("登记库计入、官方清单未列的")[1].split("官方清单列出")[0]
    only_official = detail.split("官方清单列出、登记库未计入的")[1]
    assert "T/ZZB 2302-2023" in only_registry and "T/ZZB 2301-2022" not in only_registry
    assert "T/ZZB 2399-2023" in only_official and "T/ZZB 2398-2023" in only_official
    assert "T/ZZB 2301" not in only_official
    answer = client.get("/api/v1/targets?as_of=2025-12-31", headers=api(bureau))
    figures_api = {row["code"]: row for row in answer.get_json()}
    row = figures_api[code]
    assert (row["official"], row["official_year"], row["official_source"], row["official_difference"]) == (
        3, 2023, "浙江省品字标平台通报", -1)
    book = load_workbook(io.BytesIO(client.get("/targets/export.xlsx?as_of=2025-12-31").data))
    sheet = book.worksheets[0]
    header = next(r for r in sheet.iter_rows(values_only=True) if r and "官方数据" in r)
    line = next(r for r in sheet.iter_rows(values_only=True) if r and r[1] == code)
    assert line[header.index("官方数据")] == 3 and line[header.index("差额（登记库−官方）")] == -1


def test_official_figure_input_is_checked(client, auth, make_user, indicators):
    from registry.targets.models import Indicator
    from sqlalchemy import select

    code = db.session.scalar(select(Indicator.code).where(Indicator.rule == "zzb_standards"))
    auth.login(make_user("bureau"))
    answer = _official(client, code, year="2023", value="3", source="")
    assert answer.status_code == 200 and "请修正下面标出的错误后再提交" in answer.get_data(as_text=True)
    answer = _official(client, code, year="2023", value="3", source="台州市统计局", published_on="2099-01-01")
    assert answer.status_code == 200 and "来源发布日期不能晚于今天" in answer.get_data(as_text=True)
    assert not db.session.scalar(select(Indicator).where(Indicator.code == code)).values  # nothing saved
    assert client.get(f"/targets/indicators/{code}/official/2019").status_code == 404
    assert client.get(f"/targets/indicators/{code}/official/99999").status_code == 404


def test_a_hospital_that_wins_a_quality_award_counts_as_an_organisation(client, auth, make_user):
    from registry.services import enterprises

    bureau = make_user("bureau")
    town = db.session.scalar(select_first_town())
    hospital = enterprises.create_enterprise(bureau, {
        "name": "临海市第一人民医院", "uscc": "12331082MB1234567X", "org_type": "hospital",
        "jurisdiction": town.code, "industry": "其他", "uscc_override_reason": "事业单位代码，演示用"})
    assert hospital.org_type == "hospital"
    records.create_record(bureau, hospital.id, "honours", {"honour_type": "quality_award", "level": "taizhou",
                                                           "year": "2023", "awarded_on": "2023-09-01"})
    listed = counting.records(get_rule("quality_award_orgs"), END)
    assert [e["name"] for item in listed for e in item["enterprises"]] == ["临海市第一人民医院"]
    auth.login(bureau)
    assert "医疗机构" in client.get(f"/enterprises/{hospital.id}").get_data(as_text=True)
    plain = enterprises.create_enterprise(bureau, {"name": "临海某机械有限公司", "uscc": "91331082MA2AB2CD3E",
                                                   "jurisdiction": town.code, "industry": "其他",
                                                   "uscc_override_reason": "演示"})
    assert plain.org_type == "enterprise"


def select_first_town():
    from sqlalchemy import select

    from registry.models import Jurisdiction

    return select(Jurisdiction).order_by(Jurisdiction.sort_order).limit(1)


def test_a_listed_certificate_carries_what_the_list_and_the_api_show():
    """The list behind a certificate figure (and /api/v1/targets items) names the record it counts: source,
    record, enterprise, number, scope, domain, dates (mutation run: the fact columns were never read back)."""
    from tests.targets.factories import CertificationFactory

    firm = EnterpriseFactory()
    cert = CertificationFactory(enterprise=firm, cert_type="zhejiang_international", number="ZJI-2023-001",
                                scope="齿轮", product_domain="机械", issued_on=D(2023, 5, 1),
                                expires_on=D(2026, 4, 30))
    db.session.commit()
    (item,) = counting.records(get_rule("zhejiang_international_certs"), END)
    assert {k: item[k] for k in ("key", "source", "record_id", "enterprise_id", "jurisdiction_id", "number",
                                 "title", "kind_code", "start", "end", "expires")} == {
        "key": cert.id, "source": "certificate", "record_id": cert.id, "enterprise_id": firm.id,
        "jurisdiction_id": firm.jurisdiction_id, "number": "ZJI-2023-001", "title": "齿轮", "kind_code": "机械",
        "start": D(2023, 5, 1), "end": None, "expires": D(2026, 4, 30)}
    assert item["enterprises"] == [{"id": firm.id, "name": firm.name, "jurisdiction_id": firm.jurisdiction_id}]


def test_a_first_certificate_counts_from_the_day_it_is_issued():
    """培育 counts an enterprise on the day its first 品字标 certificate is issued, not the day after (mutation run:
    'issued_on <= day' -> '<' survived)."""
    from tests.targets.factories import CertificationFactory

    firm = EnterpriseFactory()
    CertificationFactory(enterprise=firm, cert_type="pinzibiao", issued_on=D(2024, 6, 3), expires_on=D(2027, 6, 2))
    db.session.commit()
    rule = get_rule("pinzibiao_enterprises")
    assert counting.count(rule, D(2024, 6, 2)).total == 0
    assert counting.count(rule, D(2024, 6, 3)).total == 1
    (item,) = counting.records(rule, D(2024, 6, 3))
    assert {k: item[k] for k in ("key", "source", "record_id", "enterprise_id", "number", "kind_code", "start",
                                 "title")} == {
        "key": firm.id, "source": "first_certificate", "record_id": firm.id, "enterprise_id": firm.id,
        "number": firm.uscc, "kind_code": "pinzibiao", "start": D(2024, 6, 3), "title": None}


def test_the_plan_period_is_2021_01_01_to_2025_12_31_both_days_included():
    """The share of the plan period passed on a day (the dashboard's "expected to date" and projection)."""
    from datetime import date

    from registry.targets.services import elapsed_share

    days = (date(2025, 12, 31) - date(2021, 1, 1)).days + 1  # 1,826
    assert elapsed_share(date(2020, 12, 31)) == 0.0
    assert elapsed_share(date(2021, 1, 1)) == 1 / days
    assert elapsed_share(date(2023, 7, 2)) == 913 / days
    assert elapsed_share(date(2025, 12, 30)) == (days - 1) / days
    assert elapsed_share(date(2025, 12, 31)) == 1.0 == elapsed_share(date(2026, 6, 1))


def test_a_cumulative_first_certificate_rule_counts_each_year_end_by_the_certificate_then_in_good_standing():
    """A year column of a cumulative rule asks "in good standing on 31 December" of each year: a day the facts
    were not computed for, so the rule's own correlated test (``alive``) answers. No rule of today's plan is both
    cumulative and first-certificate; the language allows it, and this is how it must count."""
    from dataclasses import replace

    from tests.targets.factories import CertificationFactory

    held, also_held, revoked = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    for firm in (held, also_held):
        CertificationFactory(enterprise=firm, cert_type="pinzibiao", issued_on=D(2022, 3, 1), expires_on=D(2030, 1, 1))
    CertificationFactory(enterprise=revoked, cert_type="pinzibiao", issued_on=D(2022, 4, 1), expires_on=D(2030, 1, 1),
                         status="revoked", status_changed_on=D(2023, 5, 1))
    db.session.commit()
    rule = replace(get_rule("pinzibiao_enterprises"), kind=counting.CUMULATIVE)
    result = counting.count(rule, D(2024, 6, 30))
    assert result.total == 2
    assert {y: result.by_year[y] for y in (2021, 2022, 2023, 2024)} == {2021: 0, 2022: 3, 2023: 2, 2024: 2}
