"""Eligibility (资格审查) from the registry: rules as data, each giving pass/fail with the record that decided it.

The rules and their parameters are settings (``registry.awards.settings``); a level may set its own parameters
(``awards.eligibility.by_level``: the province asks 5 years in operation where the county asks 3), and the
round's level decides which apply. ``check`` changes nothing; ``run_check`` stores the snapshot on the entry;
the bureau corrects a single rule's outcome with a reason (``override_rule``) and then confirms the whole or
overrides it with a reason (``decide``). ``flag_late_credit_listings`` marks open entries whose enterprise got a
credit listing after their check (called by a beat job and by whoever records a credit listing).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from sqlalchemy import select

from registry import settings
from registry.awards.models import AwardEntry
from registry.extensions import db
from registry.models import BenefitGrade, Certification, CreditRecord, Enterprise, Honour, IncidentRecord
from registry.vocab import (BENEFIT_GRADES, CERTIFICATION_TYPES, CREDIT_LIST_TYPES, HONOUR_LEVELS, HONOUR_TYPES,
                            INCIDENT_KINDS)


@dataclass(frozen=True)
class Context:
    """What a rule may know beyond the enterprise: the round's level and what the application declared."""
    level: str | None = None
    entry_id: int | None = None
    excellence_since: int | None = None  # the year the applicant began 卓越绩效管理 (申报书)

    @classmethod
    def of(cls, entry: AwardEntry | None) -> "Context":
        if entry is None:
            return cls()
        return cls(level=entry.round.level, entry_id=entry.id, excellence_since=entry.excellence_since)


def param(name: str, level: str | None) -> Any:
    """A rule parameter: the level's own value (``awards.eligibility.by_level``) or the general one."""
    own = (settings.get("awards.eligibility.by_level") or {}).get(level or "", {})
    return own[name] if name in own else settings.get(f"awards.eligibility.{name}")


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _evidence(model: str, obj_id: int, text: str) -> dict:
    return {"model": model, "id": obj_id, "text": text}


def _years_in_operation(enterprise: Enterprise, as_of: date, ctx: Context) -> tuple[bool, str, list[dict]]:
    years = param("min_years", ctx.level)
    if enterprise.established_on is None:
        return False, "企业主档未登记成立日期。", [_evidence("Enterprise", enterprise.id, "成立日期：未登记")]
    ok = enterprise.established_on <= years_before(as_of, years)
    text = f"成立日期：{enterprise.established_on.isoformat()}"
    return ok, (f"成立满 {years} 年。" if ok else f"成立不满 {years} 年。"), [_evidence("Enterprise", enterprise.id, text)]


def _credit(enterprise: Enterprise, as_of: date, ctx: Context) -> tuple[bool, str, list[dict]]:
    years = param("credit_lookback_years", ctx.level)
    cutoff = years_before(as_of, years)
    rows = db.session.scalars(select(CreditRecord).where(
        CreditRecord.enterprise_id == enterprise.id,
        CreditRecord.list_type.in_(param("credit_list_types", ctx.level)),
        CreditRecord.listed_on <= as_of).order_by(CreditRecord.listed_on)).all()
    # A listing counts if it was in force at any time in the look-back window.
    hits = [r for r in rows if r.removed_on is None or r.removed_on >= cutoff]
    if hits:
        return False, f"{years} 年内有失信或异常名录记录。", [_evidence(
            "CreditRecord", r.id, f"{CREDIT_LIST_TYPES.label(r.list_type)}：{r.listed_on.isoformat()} 列入"
            + (f"，{r.removed_on.isoformat()} 移出" if r.removed_on else "，未移出")) for r in hits]
    return True, f"{years} 年内无失信或异常名录记录。", [_evidence("Enterprise", enterprise.id,
                                                        f"信用记录：{cutoff.isoformat()} 以来无列入记录")]


def _incidents(enterprise: Enterprise, as_of: date, ctx: Context) -> tuple[bool, str, list[dict]]:
    years = param("incident_lookback_years", ctx.level)
    cutoff = years_before(as_of, years)
    hits = db.session.scalars(select(IncidentRecord).where(
        IncidentRecord.enterprise_id == enterprise.id,
        IncidentRecord.kind.in_(param("incident_kinds", ctx.level)),
        IncidentRecord.occurred_on >= cutoff, IncidentRecord.occurred_on <= as_of,
    ).order_by(IncidentRecord.occurred_on)).all()
    if hits:
        return False, f"{years} 年内有重大事故、抽查不合格或重大有效投诉。", [_evidence(
            "IncidentRecord", r.id, f"{INCIDENT_KINDS.label(r.kind)}：{r.occurred_on.isoformat()}") for r in hits]
    return True, f"{years} 年内无重大事故、抽查不合格或重大有效投诉。", [_evidence(
        "Enterprise", enterprise.id, f"事故与抽查记录：{cutoff.isoformat()} 以来无")]


def _certification(enterprise: Enterprise, as_of: date, ctx: Context) -> tuple[bool, str, list[dict]]:
    types = param("certificate_types", ctx.level)
    names = "、".join(CERTIFICATION_TYPES.label(t) for t in types)
    rows = db.session.scalars(select(Certification).where(
        Certification.enterprise_id == enterprise.id, Certification.cert_type.in_(types),
    ).order_by(Certification.expires_on.desc().nulls_first())).all()
    valid = [c for c in rows if c.is_valid_on(as_of)]
    if valid:
        c = valid[0]
        return True, f"持有有效的{names}证书。", [_evidence(
            "Certification", c.id, f"{CERTIFICATION_TYPES.label(c.cert_type)} {c.number}，有效期至 "
            + (c.expires_on.isoformat() if c.expires_on else "长期"))]
    evidence = [_evidence("Certification", c.id, f"{c.number}：{c.status_on(as_of)}") for c in rows]
    return False, f"未持有有效的{names}证书。", evidence or [_evidence("Enterprise", enterprise.id, "认证记录：无")]


def _excellence_practice(enterprise: Enterprise, as_of: date, ctx: Context) -> tuple[bool, str, list[dict]]:
    """Years of 卓越绩效管理 practice, from the year the application declares (its reports are the proof)."""
    years = param("excellence_years", ctx.level)
    if ctx.excellence_since is None:
        return False, "申报书未填写导入卓越绩效管理模式的年份。", [_evidence(
            "AwardEntry", ctx.entry_id or 0, "导入卓越绩效管理模式年份：未填写")]
    practised = as_of.year - ctx.excellence_since
    ok = practised >= years
    return ok, (f"推行卓越绩效管理满 {years} 年。" if ok else f"推行卓越绩效管理不满 {years} 年。"), [_evidence(
        "AwardEntry", ctx.entry_id or 0, f"申报书填报：{ctx.excellence_since} 年导入卓越绩效管理模式")]


def _no_recent_win(enterprise: Enterprise, as_of: date, ctx: Context) -> tuple[bool, str, list[dict]]:
    """No award of the configured types at the round's level (any level without a round) within N years."""
    years = param("recent_win_years", ctx.level)
    cutoff = years_before(as_of, years)
    query = select(Honour).where(Honour.enterprise_id == enterprise.id,
                                 Honour.honour_type.in_(param("recent_win_types", ctx.level)))
    if ctx.level:
        query = query.where(Honour.level == ctx.level)
    won = [h for h in db.session.scalars(query.order_by(Honour.year.desc())).all()
           if (h.awarded_on > cutoff if h.awarded_on else h.year > as_of.year - years)]
    if won:
        return False, f"{years} 年内已获得本级政府质量奖。", [_evidence(
            "Honour", h.id, f"{h.year} {HONOUR_LEVELS.label(h.level)}{HONOUR_TYPES.label(h.honour_type)}"
            + (f"（{h.awarded_on.isoformat()} 授予）" if h.awarded_on else "")) for h in won]
    return True, f"{years} 年内未获得本级政府质量奖。", [_evidence(
        "Enterprise", enterprise.id, f"荣誉记录：{cutoff.isoformat()} 以来无本级政府质量奖")]


def _benefit_grade(enterprise: Enterprise, as_of: date, ctx: Context) -> tuple[bool, str, list[dict]]:
    """The newest 亩均效益评价 grade no older than the configured age must be one of the accepted classes.
    Organisations the evaluation does not cover (hospitals, schools, ...) pass with that as the evidence."""
    accepted = param("benefit_grades", ctx.level)
    names = "、".join(f"{g}类" for g in accepted)
    if enterprise.org_type not in param("benefit_org_types", ctx.level):
        return True, "该组织类型不参加亩均效益评价。", [_evidence("Enterprise", enterprise.id, "组织类型：非企业")]
    oldest = as_of.year - param("benefit_max_age_years", ctx.level)
    grade = db.session.scalar(select(BenefitGrade).where(
        BenefitGrade.enterprise_id == enterprise.id, BenefitGrade.year >= oldest, BenefitGrade.year <= as_of.year,
    ).order_by(BenefitGrade.year.desc()).limit(1))
    if grade is None:
        return False, f"登记库中没有 {oldest} 年以来的亩均效益评价结果。", [_evidence(
            "Enterprise", enterprise.id, f"亩均效益评价：{oldest} 年以来未登记")]
    ok = grade.grade in accepted
    return ok, (f"亩均效益评价为{names}。" if ok else f"亩均效益评价不是{names}。"), [_evidence(
        "BenefitGrade", grade.id, f"{grade.year} 年度亩均效益评价：{BENEFIT_GRADES.label(grade.grade)}")]


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    check: Callable[[Enterprise, date, Context], tuple[bool, str, list[dict]]]


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("years_in_operation", "成立年限", _years_in_operation),
    Rule("excellence_practice", "推行卓越绩效管理年限", _excellence_practice),
    Rule("no_recent_win", "近年未获本级政府质量奖", _no_recent_win),
    Rule("benefit_grade", "亩均效益评价等级", _benefit_grade),
    Rule("credit", "信用记录", _credit),
    Rule("incidents", "质量安全事故、抽查与投诉", _incidents),
    Rule("certification", "管理体系认证", _certification),
)}


def check(enterprise: Enterprise, as_of: date, entry: AwardEntry | None = None) -> list[dict]:
    """Run the configured rules for ``enterprise`` as of a date (with the entry's round level and declarations
    when given): one result per rule with its evidence."""
    ctx = Context.of(entry)
    results = []
    for code in param("rules", ctx.level):
        rule = RULES[code]
        passed, detail, evidence = rule.check(enterprise, as_of, ctx)
        results.append({"rule": code, "label": rule.label, "passed": passed, "detail": detail, "evidence": evidence})
    return results


def outcome(snapshot: dict) -> bool:
    """The check's overall outcome: every rule passed, counting the bureau's per-rule corrections."""
    overrides = snapshot.get("overrides") or {}
    return all(overrides[r["rule"]]["passed"] if r["rule"] in overrides else r["passed"] for r in snapshot["results"])


def known_credit_ids(enterprise_id: int) -> list[int]:
    """Ids of the enterprise's credit records now (stored with a check, so later listings stand out)."""
    return list(db.session.scalars(select(CreditRecord.id).where(CreditRecord.enterprise_id == enterprise_id)))


def late_listing(entry: AwardEntry, as_of: date) -> CreditRecord | None:
    """A credit listing of the entry's enterprise recorded after its eligibility check (not among the records the
    check saw) and in force within the look-back window as of ``as_of``; None if there is none."""
    seen = set(entry.eligibility.get("credit_record_ids", []))
    cutoff = years_before(as_of, param("credit_lookback_years", entry.round.level))
    rows = db.session.scalars(select(CreditRecord).where(
        CreditRecord.enterprise_id == entry.enterprise_id,
        CreditRecord.list_type.in_(param("credit_list_types", entry.round.level)),
    ).order_by(CreditRecord.id)).all()
    return next((r for r in rows if r.id not in seen and (r.removed_on is None or r.removed_on >= cutoff)), None)
