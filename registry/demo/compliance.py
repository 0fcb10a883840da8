"""Demo credit listings (信用记录) on a handful of enterprises, some since removed, incidents, and the yearly
亩均效益评价 grades of the industrial enterprises."""
from __future__ import annotations

import random
from datetime import date, timedelta

from registry.demo import names
from registry.models import BenefitGrade, CreditRecord, Enterprise, IncidentRecord

_CREDIT = {
    "abnormal_operation": ("临海市市场监督管理局", ("未按规定期限公示年度报告。", "通过登记的住所或者经营场所无法联系。",
                                                 "公示企业信息隐瞒真实情况、弄虚作假。")),
    "serious_dishonesty": ("台州市市场监督管理局", ("被列入经营异常名录届满3年仍未履行相关义务。",
                                                 "提交虚假材料取得公司登记，情节严重。")),
    "quality_blacklist": ("临海市市场监督管理局", ("生产销售不合格产品，货值金额较大，情节严重。",
                                                "拒绝接受依法进行的产品质量监督抽查。")),
}
_INCIDENTS = {
    "failed_spot_check": "{year}年浙江省产品质量监督抽查中，{product}的{item}项目不合格，已责令整改并复查合格。",
    "major_complaint": "消费者投诉{product}存在质量问题，经调查投诉成立，企业已赔偿并整改。",
    "major_quality": "{product}批次质量问题导致下游客户召回，经调查认定为重大质量事故。",
    "safety": "车间发生机械伤害事故，造成一人重伤，应急管理部门已结案处理。",
    "environmental": "废水超标排放，被生态环境部门责令停产整治。",
}
_ITEMS = ("标志和使用说明", "耐久性", "尺寸偏差", "有害物质限量", "力学性能", "微生物指标")


def build_credit_records(rng: random.Random, enterprises: list[Enterprise], count: int) -> list[CreditRecord]:
    """``count`` listings over distinct small enterprises; about half are removed (移出) by now."""
    small = [e for e in enterprises if not e.above_scale] or enterprises
    out = []
    for e in rng.sample(small, min(count, len(small))):
        list_type = rng.choices(tuple(_CREDIT), weights=(6, 2, 2))[0]
        authority, reasons = _CREDIT[list_type]
        listed = names.day_between(rng, date(2016, 6, 1), date(2026, 9, 30))
        removed = None
        if rng.random() < 0.5 and listed < date(2026, 3, 1):
            removed = names.day_between(rng, listed + timedelta(days=60), date(2026, 10, 31))
        out.append(CreditRecord(enterprise_id=e.id, list_type=list_type, listed_on=listed, removed_on=removed,
                                authority=authority, reason=rng.choice(reasons)))
    return out


def build_incidents(rng: random.Random, enterprises: list[Enterprise], industry_codes: dict[int, str],
                    count: int) -> list[IncidentRecord]:
    """``count`` incidents, mostly failed spot checks and complaints, a few accidents."""
    out = []
    for _ in range(count):
        e = rng.choice(enterprises)
        kind = rng.choices(tuple(_INCIDENTS), weights=(10, 4, 1, 1, 1))[0]
        day = names.day_between(rng, date(2016, 3, 1), date(2026, 10, 15))
        product = rng.choice(names.products_for(e.name, industry_codes[e.industry_id]))
        text = _INCIDENTS[kind].format(year=day.year, product=product, item=rng.choice(_ITEMS))
        out.append(IncidentRecord(enterprise_id=e.id, occurred_on=day, kind=kind, description=text))
    return out


def build_benefit_grades(rng: random.Random, enterprises: list[Enterprise], years=(2023, 2024, 2025)
                         ) -> list[BenefitGrade]:
    """A grade per year for every enterprise above designated size (the evaluation covers industry), mostly A and B;
    a firm's grade drifts by at most one class a year."""
    out = []
    for e in enterprises:
        if not e.above_scale or e.org_type != "enterprise":
            continue
        grade = rng.choices("ABCD", weights=(3, 5, 2, 1))[0]
        for year in years:
            out.append(BenefitGrade(enterprise_id=e.id, year=year, grade=grade, authority="临海市经济和信息化局",
                                    note="工业企业亩均效益综合评价"))
            grade = "ABCD"[min(3, max(0, "ABCD".index(grade) + rng.choice((-1, 0, 0, 1))))]
    return out
