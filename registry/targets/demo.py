"""Demo figures of the targets area: the bureau's reported statistics for 2021-2025, official figures beside two
derived indicators (one with its official list), and an issued 2024 annual monitoring report."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from registry.extensions import db
from registry.models import User
from registry.models.accounts import ROLE_BUREAU
from registry.targets.counting import records
from registry.targets.models import PLAN_14TH, REVIEW_ANNUAL, Indicator, PlanReview, ReportedValue
from registry.targets.rules import get_rule

# Table 2's reported indicators: (value per year 2021..2025, source)
REPORTED = {
    "制造业产品质量合格率": ((95.8, 96.1, 96.3, 96.6, 96.9), "台州市市场监管局产品质量监督抽查年报"),
    "农产品质量安全监测合格率": ((98.3, 98.4, 98.6, 98.5, 98.7), "临海市农业农村局农产品质量安全例行监测"),
    "规模以上工业新产品产值率": ((42.6, 43.4, 44.1, 44.8, 45.6), "临海市统计局规上工业统计快报"),
    "城市空气质量优良天数比例": ((94.8, 95.3, 96.2, 96.7, 97.1), "台州市生态环境局临海分局环境质量公报"),
    "全市河流I-III类水质断面比例": ((92.9, 93.3, 93.8, 94.1, 94.4), "台州市生态环境局临海分局环境质量公报"),
    "县级以上城市集中式饮用水水源地水质达标率": ((100, 100, 100, 100, 100), "临海市水利局水源地水质监测"),
    "自主品牌产品出口比重": ((11.2, 12.0, 13.1, 14.2, 15.3), "临海海关统计"),
    "创建全国质量品牌提升示范区（新增）": ((0, 0, 0, 1, 0), "国家市场监督管理总局公告"),
    "国内有效商标注册数（累计）": ((3.52, 3.78, 4.01, 4.19, 4.36), "国家知识产权局商标注册统计"),
}


def seed_demo_targets() -> dict:
    """Reported values, official figures and an issued annual report; does nothing when the indicators are not
    seeded or a report already exists (a second run writes nothing). Returns what it added."""
    from registry.targets import reviews

    indicators = {i.name: i for i in db.session.scalars(select(Indicator).where(Indicator.plan == PLAN_14TH))}
    if not indicators or db.session.scalar(select(PlanReview.id).limit(1)) is not None:
        return {}
    bureau = db.session.scalar(select(User).where(User.role == ROLE_BUREAU).order_by(User.id))
    added = 0
    for name, (values, source) in REPORTED.items():
        indicator = indicators.get(name)
        if indicator is None or indicator.values:
            continue
        for year, value in zip(range(2021, 2026), values):
            db.session.add(ReportedValue(indicator_id=indicator.id, year=year, value=value, source=source,
                                         published_on=date(year + 1, 3, 15),
                                         entered_by_id=bureau.id if bureau else None))
            added += 1
    for rule_name, year, extra, source in (
            ("zzb_standards", 2024, ["T/ZZB 3999-2024"], "浙江省市场监管局“品字标”品牌建设年度通报"),
            ("pinzibiao_enterprises", 2024, [], "浙江省“品字标”品牌综合服务平台")):
        indicator = next((i for i in indicators.values() if i.rule == rule_name), None)
        if indicator is None or indicator.values:
            continue
        counted = records(get_rule(rule_name), date(year, 12, 31))
        listed = [item["number"] for item in counted[1:]] + extra  # the official list misses one and adds one
        db.session.add(ReportedValue(indicator_id=indicator.id, year=year, value=float(len(listed)), source=source,
                                     published_on=date(year + 1, 1, 20), items="\n".join(listed) or None,
                                     entered_by_id=bureau.id if bureau else None))
        added += 1
    db.session.commit()
    review = reviews.start(bureau, REVIEW_ANNUAL, 2024) if bureau else None
    if review is not None:
        reviews.run(review.id)  # built here, not on a worker, so the demo shows it at once
        reviews.issue(bureau, review.id)
    return {"values": added, "reviews": 1 if review else 0}
