"""The plan's reviews (section 八(三)): 年度监测报告 for any plan year, 中期评估 (2023) and 总结评估 (2025).

A review states, for every indicator of Table 2: its baseline (the 十三五 result of Table 1 where the plan has a
matching indicator, else the registry or the reported value at 2020-12-31; 新增 indicators start from 0), its
value at the end of each plan year up to the review's year, the official figure, the 2025 target, the progress
made along the path from baseline to target, whether that keeps up with the time elapsed, and the figures by town
and by industry. The worker builds it (``targets.review``) with progress; the bureau issues it, after which it
never changes.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from registry.database import begin_write
from registry.extensions import db
from registry.models import Industry, Jurisdiction, User
from registry.models.base import utcnow
from registry.services.errors import Conflict, NotFound, ValidationFailed
from registry.targets import figures, services
from registry.targets.counting import BASE_YEAR, PLAN_YEARS
from registry.targets.models import (KIND_GROWTH, KIND_NEW, METHOD_DERIVED, PLAN_13TH, PLAN_14TH, REVIEW_ANNUAL,
                                     REVIEW_FINAL, REVIEW_MIDTERM, Indicator, PlanReview)
from registry.targets.rules import all_rules
from workflows import dispatch

KINDS = {REVIEW_ANNUAL: "年度监测报告", REVIEW_MIDTERM: "中期评估", REVIEW_FINAL: "总结评估"}
FIXED_YEAR = {REVIEW_MIDTERM: 2023, REVIEW_FINAL: 2025}
# Table 2 indicator -> the Table 1 (十三五) indicator that measured the same thing: its 2020 result is the baseline.
TABLE_1_MATCH = {
    "制造业产品质量合格率": "制造业产品质量合格率（%）",
    "规模以上工业新产品产值率": "规上工业新产品产值率（%）",
    "自主品牌产品出口比重": "自主品牌产品出口比重（%）",
    "城市空气质量优良天数比例": "全市环境空气 AQI 优良率（%）",
    "市级以上政府质量奖获奖组织（新增）": "市政府质量奖企业（个）",
    "制定“浙江制造”标准（新增）": "制定“浙江制造”标准（项）",
    "培育“品字标”企业（新增）": "“浙江制造”品牌认证企业（个）",
}


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _table_1() -> dict[str, float | None]:
    rows = db.session.execute(select(Indicator.name, Indicator.baseline_result_text)
                              .where(Indicator.plan == PLAN_13TH)).all()
    return {name: _number(result) for name, result in rows}


def _baseline(indicator: Indicator, row: dict, table_1: dict) -> tuple[float | None, str, float | None]:
    """(baseline, where it comes from, the 十三五 result shown beside it)."""
    previous = table_1.get(TABLE_1_MATCH.get(indicator.name, ""))
    if indicator.kind == KIND_NEW:
        return 0.0, "新增指标自 2021 年起计", previous
    if previous is not None:
        return previous, "十三五规划表1 2020年完成情况", previous
    if row.get("baseline") is not None:
        source = "登记库 2020-12-31" if indicator.method == METHOD_DERIVED else "2020 年填报值"
        return row["baseline"], source, None
    return None, "无基期数据", None


def _progress(value, baseline, target) -> float | None:
    """Per cent of the way from ``baseline`` to ``target`` that ``value`` has come. A target the baseline already
    meets (a ≥ target set below the 2020 level) is 100 % while it is still met, else the share of it reached."""
    if value is None or target is None or baseline is None:
        return None
    if target <= baseline:
        return 100.0 if value >= target else (round(value * 100.0 / target, 1) if target else None)
    return round((value - baseline) * 100.0 / (target - baseline), 1)


def _row(indicator: Indicator, by_year: dict[int, dict], year: int, table_1: dict) -> dict:
    last = by_year[year][indicator.code]
    baseline, baseline_source, previous = _baseline(indicator, last, table_1)
    expected = round((year - BASE_YEAR) * 100.0 / len(PLAN_YEARS), 1)
    progress = None if indicator.kind == KIND_GROWTH else _progress(last["value"], baseline, indicator.target_value)
    on_track = last["on_pace"] if indicator.kind == KIND_GROWTH else (
        None if progress is None else progress >= expected)
    officials = {v.year: {"value": v.value, "source": v.source} for v in indicator.values if v.year <= year}
    return {"code": indicator.code, "category": indicator.category, "name": indicator.name, "unit": indicator.unit,
            "kind": indicator.kind, "method": indicator.method, "target": indicator.target_text,
            "target_value": indicator.target_value, "baseline": baseline, "baseline_source": baseline_source,
            "previous_plan_result": previous,
            "values": {str(y): by_year[y][indicator.code]["value"] for y in sorted(by_year)},
            "official": {str(y): o for y, o in officials.items()} if indicator.method == METHOD_DERIVED else {},
            "value": last["value"], "progress": progress, "expected": expected, "on_track": on_track}


def _breakdown(rules: dict[str, str], day: date, kind: str) -> dict:
    """Every derived indicator's value by town (``kind='towns'``) or by industry on ``day``."""
    names = sorted(set(rules.values()))
    if kind == "towns":
        places = list(db.session.scalars(select(Jurisdiction).where(Jurisdiction.active.is_(True))
                                          .order_by(Jurisdiction.sort_order, Jurisdiction.id)))
        per_rule = figures.town_counts(names, day)
        cells = {p.id: {code: per_rule[rule].get(p.id, (0, 0))[0] for code, rule in rules.items()} for p in places}
    else:
        places = list(db.session.scalars(select(Industry).where(Industry.active.is_(True))
                                          .order_by(Industry.sort_order, Industry.id)))
        cells = {}
        for place in places:
            counts = figures.rule_counts(names, day, None, place.id)
            cells[place.id] = {code: counts[rule].total for code, rule in rules.items()}
    return {"rows": [{"name": p.name, "values": cells[p.id]} for p in places]}


def _check(kind: str, year: int) -> None:
    errors = {}
    if kind not in KINDS:
        errors["kind"] = ["请选择评估类型。"]
    elif kind in FIXED_YEAR and year != FIXED_YEAR[kind]:
        errors["year"] = [f"{KINDS[kind]}的年度为 {FIXED_YEAR[kind]} 年。"]
    if not isinstance(year, int) or year not in PLAN_YEARS:
        errors["year"] = ["年度应在规划期 2021-2025 年内。"]
    if errors:
        raise ValidationFailed(errors)


def start(user: User, kind: str, year: int) -> PlanReview:
    """Record a review to build and its hand-off to the worker (outbox). Raises Forbidden, ValidationFailed."""
    services.require_viewer(user)
    _check(kind, year)
    begin_write()
    found = PlanReview(kind=kind, year=year, as_of=date(year, 12, 31), status="pending", progress=0,
                       total=len([y for y in PLAN_YEARS if y <= year]) + 2, created_by_id=user.id)
    db.session.add(found)
    db.session.flush()
    dispatch.hand_off("targets.review", found.id)
    db.session.commit()
    dispatch.send_handed_off()
    return found


def _step(review: PlanReview) -> None:
    begin_write()  # the figures were read in a transaction of their own: write in a fresh one (SQLite)
    review.progress += 1
    db.session.commit()


def run(review_id: int) -> str:
    """Build the review's figures; idempotent (a built or issued review is left as it is). Returns its status."""
    begin_write()
    review = db.session.get(PlanReview, review_id)
    if review is None or review.status == "done" or review.issued_at is not None:
        db.session.rollback()
        return review.status if review else "missing"
    review.status, review.progress, review.error = "running", 0, None
    db.session.commit()
    try:
        indicators = services.plan_indicators(PLAN_14TH)
        by_year = {}
        for year in (y for y in PLAN_YEARS if y <= review.year):
            rows = services.indicator_rows(indicators, services.Filters(date(year, 12, 31)))
            by_year[year] = {r["code"]: r for r in rows}
            _step(review)
        table_1 = _table_1()
        rules = {i.code: i.rule for i in indicators if i.method == METHOD_DERIVED and i.rule in all_rules()}
        towns = _breakdown(rules, review.as_of, "towns")
        _step(review)
        industries = _breakdown(rules, review.as_of, "industries")
        payload = {
            "kind": review.kind, "title": f"临海市质量发展“十四五”规划{review.year}年{KINDS[review.kind]}"
            if review.kind == REVIEW_ANNUAL else f"临海市质量发展“十四五”规划{KINDS[review.kind]}",
            "year": review.year, "as_of": review.as_of.isoformat(),
            "expected": round((review.year - BASE_YEAR) * 100.0 / len(PLAN_YEARS), 1),
            "years": [str(y) for y in sorted(by_year)],
            "rows": [_row(i, by_year, review.year, table_1) for i in indicators],
            "breakdown_columns": [{"code": i.code, "name": i.name} for i in indicators if i.code in rules],
            "towns": towns, "industries": industries}
        begin_write()
        review.payload = payload
        review.progress, review.status, review.finished_at = review.total, "done", utcnow()
    except Exception as exc:  # noqa: BLE001  (recorded on the review for the bureau; the task does not retry)
        db.session.rollback()
        begin_write()
        review = db.session.get(PlanReview, review_id)
        review.status, review.error = "failed", str(exc)[:500]
    db.session.commit()
    return review.status


def issue(user: User, review_id: int) -> PlanReview:
    """Issue a built review: from now on it is the report as sent upward and never changes.
    Raises Forbidden, NotFound, Conflict."""
    services.require_viewer(user)
    begin_write()
    review = get(user, review_id)
    if review.status != "done":
        raise Conflict("评估报告尚未生成完成，不能印发。")
    if review.issued_at is not None:
        raise Conflict("该评估报告已印发。")
    review.issued_at, review.issued_by_id = utcnow(), user.id
    db.session.commit()
    return review


def rebuild(user: User, review_id: int) -> PlanReview:
    """Build a draft review again from today's registry (an issued one is refused). Raises as ``issue``."""
    services.require_viewer(user)
    begin_write()
    review = get(user, review_id)
    if review.issued_at is not None:
        raise Conflict("已印发的评估报告不能重新生成。")
    review.status, review.progress, review.payload, review.error = "pending", 0, None, None
    dispatch.hand_off("targets.review", review.id)
    db.session.commit()
    dispatch.send_handed_off()
    return review


def get(user: User, review_id: int) -> PlanReview:
    services.require_viewer(user)
    review = db.session.get(PlanReview, review_id)
    if review is None:
        raise NotFound("未找到该评估报告。")
    return review


def recent(user: User) -> list[PlanReview]:
    services.require_viewer(user)
    return list(db.session.scalars(select(PlanReview).order_by(PlanReview.year.desc(), PlanReview.id.desc())))
