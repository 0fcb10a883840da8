"""The 统计口径 a bureau can defend: cases where the plan's indicator means something other than "one row"."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.extensions import db
from registry.services import records
from registry.services import settings as setting_rows
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
    assert setting_rows.get("targets.quality_award_orgs.count_nomination") is False


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
    assert "其中:临海企业仅参与起草(无临海企业主导):1" in page
    book = load_workbook(io.BytesIO(client.get("/targets/export.xlsx?as_of=2025-12-31").data))
    texts = [c.value for row in book.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("其中:临海企业主导起草:0" in t and "仅参与起草(无临海企业主导):1" in t for t in texts)
