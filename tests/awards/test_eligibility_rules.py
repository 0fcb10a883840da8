"""The eligibility rules the award rules write (issue 15 item 8): years of 卓越绩效 practice, no win in the last five
years, the 亩均效益 grade, parameters per level, and the bureau's per-rule correction with a reason."""
from __future__ import annotations

import datetime as dt

import pytest

from registry import settings
from registry.awards import eligibility, rounds, screening
from registry.extensions import db
from registry.services.errors import Forbidden, ValidationFailed
from tests.awards.conftest import NOW, qualified, self_assessment
from tests.factories import BenefitGradeFactory, EnterpriseFactory, HonourFactory

AS_OF = dt.date(2026, 3, 10)


def result(entry, rule):
    return next(r for r in eligibility.check(entry.enterprise, AS_OF, entry) if r["rule"] == rule)


def test_excellence_practice_counts_from_the_declared_year(make_entry):
    long, short, silent = make_entry(excellence_since=2022), make_entry(excellence_since=2024), make_entry(
        excellence_since=None)
    ok = result(long, "excellence_practice")
    assert ok["passed"] and ok["evidence"] == [
        {"model": "AwardEntry", "id": long.id, "text": "申报书填报：2022 年导入卓越绩效管理模式"}]
    assert not result(short, "excellence_practice")["passed"]  # 2 years < 3
    bad = result(silent, "excellence_practice")
    assert not bad["passed"] and "未填写" in bad["detail"]


def test_a_win_at_the_same_level_within_five_years_blocks_with_the_honour(make_entry):
    won = EnterpriseFactory()
    honour = HonourFactory(enterprise=won, honour_type="quality_award", level="linhai", year=2022,
                           awarded_on=dt.date(2022, 1, 20))
    bad = result(make_entry(won), "no_recent_win")
    assert not bad["passed"] and bad["evidence"][0]["model"] == "Honour" and bad["evidence"][0]["id"] == honour.id
    assert "2022 临海市级政府质量奖" in bad["evidence"][0]["text"]

    older = EnterpriseFactory()  # five years ago: may apply again
    HonourFactory(enterprise=older, honour_type="quality_award", level="linhai", year=2021, awarded_on=dt.date(2021, 1, 5))
    elsewhere = EnterpriseFactory()  # a provincial award does not block the county's
    HonourFactory(enterprise=elsewhere, honour_type="quality_award", level="provincial", year=2024)
    nominated = EnterpriseFactory()  # the nomination prize does not block
    HonourFactory(enterprise=nominated, honour_type="quality_award_nomination", level="linhai", year=2025)
    for firm in (older, elsewhere, nominated):
        assert result(make_entry(firm), "no_recent_win")["passed"], firm
    settings.put("awards.eligibility.recent_win_types", ["quality_award", "quality_award_nomination"])
    db.session.commit()
    assert not result(_entry_of(nominated), "no_recent_win")["passed"]


def _entry_of(firm):
    from registry.awards.models import AwardEntry

    return db.session.query(AwardEntry).filter_by(enterprise_id=firm.id).one()


def test_benefit_grade_reads_the_newest_recent_grade(make_entry):
    a, c, stale, none = (EnterpriseFactory() for _ in range(4))
    BenefitGradeFactory(enterprise=a, year=2023, grade="C")
    grade = BenefitGradeFactory(enterprise=a, year=2025, grade="A")
    BenefitGradeFactory(enterprise=c, year=2025, grade="C")
    BenefitGradeFactory(enterprise=stale, year=2022, grade="A")  # older than two years
    ok = result(make_entry(a), "benefit_grade")
    assert ok["passed"] and ok["evidence"] == [
        {"model": "BenefitGrade", "id": grade.id, "text": "2025 年度亩均效益评价：A类（优先支持）"}]
    bad = result(make_entry(c), "benefit_grade")
    assert not bad["passed"] and bad["evidence"][0]["model"] == "BenefitGrade"
    assert not result(make_entry(stale), "benefit_grade")["passed"]
    assert not result(make_entry(none), "benefit_grade")["passed"]
    hospital = EnterpriseFactory(org_type="hospital")  # not covered by the evaluation
    assert result(make_entry(hospital), "benefit_grade")["passed"]
    settings.put("awards.eligibility.benefit_grades", ["A", "B", "C"])
    db.session.commit()
    assert result(_entry_of(c), "benefit_grade")["passed"]


def test_the_rounds_level_picks_its_parameters(bureau):
    """The province asks 5 years registered where the county asks 3 (awards.eligibility.by_level)."""
    firm = EnterpriseFactory(established_on=dt.date(2022, 1, 1))
    entries = {}
    for level in ("linhai", "provincial"):
        found = rounds.open_round(bureau, name=f"{level} 轮次", level=level, year=2026,
                                  call_opens_on=dt.date(2026, 3, 1), call_closes_on=dt.date(2026, 3, 31),
                                  quotas={"quality_award": 1})
        entries[level] = rounds.add_entry(found.id, firm.id, self_assessment=self_assessment(), declaration=True,
                                          now=NOW, excellence_since=2020)
    assert result(entries["linhai"], "years_in_operation")["passed"]
    assert not result(entries["provincial"], "years_in_operation")["passed"]
    settings.put("awards.eligibility.by_level", {"provincial": {"rules": ["credit"]}})
    db.session.commit()
    assert [r["rule"] for r in eligibility.check(firm, AS_OF, entries["provincial"])] == ["credit"]


def test_bureau_corrects_one_rule_with_a_reason_then_decides(make_entry, bureau, make_user):
    entry = make_entry(qualified(EnterpriseFactory()), excellence_since=2025)  # one year: fails that rule only
    snapshot = screening.run_check(entry.id, NOW).eligibility
    assert not snapshot["passed"]
    assert [r["rule"] for r in snapshot["results"] if not r["passed"]] == ["excellence_practice"]
    with pytest.raises(ValidationFailed) as err:
        screening.override_rule(entry.id, bureau, "excellence_practice", True, " ", NOW)
    assert "reason" in err.value.errors
    with pytest.raises(ValidationFailed) as err:
        screening.override_rule(entry.id, bureau, "no_such_rule", True, "x", NOW)
    assert "rule" in err.value.errors
    with pytest.raises(Forbidden):
        screening.override_rule(entry.id, make_user("town"), "excellence_practice", True, "x", NOW)

    corrected = screening.override_rule(entry.id, bureau, "excellence_practice", True,
                                        "2023 年起按卓越绩效准则自评，有历年自评报告", NOW).eligibility
    assert corrected["passed"]
    o = corrected["overrides"]["excellence_practice"]
    assert o["passed"] and o["reason"].startswith("2023 年起") and o["by_id"] == bureau.id
    failing = next(r for r in corrected["results"] if r["rule"] == "excellence_practice")
    assert not failing["passed"]  # the registry's finding stays as it was, the correction beside it
    decided = screening.decide(entry.id, bureau, "eligible", None, NOW)
    assert decided.eligibility_decision == "eligible"
    confirmed = next(r for r in decided.eligibility["confirmed"] if r["rule"] == "excellence_practice")
    assert confirmed["passed"] and confirmed["evidence"][-1] == "市局更正：2023 年起按卓越绩效准则自评，有历年自评报告"

    undone = screening.override_rule(entry.id, bureau, "excellence_practice", False, None, NOW)
    assert "excellence_practice" not in undone.eligibility["overrides"] and not undone.eligibility["passed"]
    assert undone.eligibility_decision is None  # the decision rested on the correction
    with pytest.raises(ValidationFailed):
        screening.decide(entry.id, bureau, "eligible", None, NOW)
