"""Eligibility (资格审查) from the registry: rules as data, each giving pass/fail with the record that decided it.

The rules and their parameters are settings (``registry.awards.settings``). ``check`` changes nothing;
``run_check`` stores the snapshot on the entry; the bureau then confirms it or overrides it with a reason
(``decide``). ``flag_late_credit_listings`` marks open entries whose enterprise got a credit listing after
their check (called by a beat job and by whoever records a credit listing).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from sqlalchemy import select

from registry import settings
from registry.awards.models import AwardEntry
from registry.extensions import db
from registry.models import Certification, CreditRecord, Enterprise, IncidentRecord
from registry.vocab import CERTIFICATION_TYPES, CREDIT_LIST_TYPES, INCIDENT_KINDS


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _evidence(model: str, obj_id: int, text: str) -> dict:
    return {"model": model, "id": obj_id, "text": text}


def _years_in_operation(enterprise: Enterprise, as_of: date) -> tuple[bool, str, list[dict]]:
    years = settings.get("awards.eligibility.min_years")
    if enterprise.established_on is None:
        return False, "企业主档未登记成立日期。", [_evidence("Enterprise", enterprise.id, "成立日期：未登记")]
    ok = enterprise.established_on <= years_before(as_of, years)
    text = f"成立日期：{enterprise.established_on.isoformat()}"
    return ok, (f"成立满 {years} 年。" if ok else f"成立不满 {years} 年。"), [_evidence("Enterprise", enterprise.id, text)]


def _credit(enterprise: Enterprise, as_of: date) -> tuple[bool, str, list[dict]]:
    years = settings.get("awards.eligibility.credit_lookback_years")
    cutoff = years_before(as_of, years)
    rows = db.session.scalars(select(CreditRecord).where(
        CreditRecord.enterprise_id == enterprise.id,
        CreditRecord.list_type.in_(settings.get("awards.eligibility.credit_list_types")),
        CreditRecord.listed_on <= as_of).order_by(CreditRecord.listed_on)).all()
    # A listing counts if it was in force at any time in the look-back window.
    hits = [r for r in rows if r.removed_on is None or r.removed_on >= cutoff]
    if hits:
        return False, f"{years} 年内有失信或异常名录记录。", [_evidence(
            "CreditRecord", r.id, f"{CREDIT_LIST_TYPES.label(r.list_type)}：{r.listed_on.isoformat()} 列入"
            + (f"，{r.removed_on.isoformat()} 移出" if r.removed_on else "，未移出")) for r in hits]
    return True, f"{years} 年内无失信或异常名录记录。", [_evidence("Enterprise", enterprise.id,
                                                        f"信用记录：{cutoff.isoformat()} 以来无列入记录")]


def _incidents(enterprise: Enterprise, as_of: date) -> tuple[bool, str, list[dict]]:
    years = settings.get("awards.eligibility.incident_lookback_years")
    cutoff = years_before(as_of, years)
    hits = db.session.scalars(select(IncidentRecord).where(
        IncidentRecord.enterprise_id == enterprise.id,
        IncidentRecord.kind.in_(settings.get("awards.eligibility.incident_kinds")),
        IncidentRecord.occurred_on >= cutoff, IncidentRecord.occurred_on <= as_of,
    ).order_by(IncidentRecord.occurred_on)).all()
    if hits:
        return False, f"{years} 年内有重大事故、抽查不合格或重大有效投诉。", [_evidence(
            "IncidentRecord", r.id, f"{INCIDENT_KINDS.label(r.kind)}：{r.occurred_on.isoformat()}") for r in hits]
    return True, f"{years} 年内无重大事故、抽查不合格或重大有效投诉。", [_evidence(
        "Enterprise", enterprise.id, f"事故与抽查记录：{cutoff.isoformat()} 以来无")]


def _certification(enterprise: Enterprise, as_of: date) -> tuple[bool, str, list[dict]]:
    types = settings.get("awards.eligibility.certificate_types")
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


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    check: Callable[[Enterprise, date], tuple[bool, str, list[dict]]]


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("years_in_operation", "成立年限", _years_in_operation),
    Rule("credit", "信用记录", _credit),
    Rule("incidents", "质量安全事故、抽查与投诉", _incidents),
    Rule("certification", "管理体系认证", _certification),
)}


def check(enterprise: Enterprise, as_of: date) -> list[dict]:
    """Run the configured rules for ``enterprise`` as of a date: one result per rule with its evidence."""
    results = []
    for code in settings.get("awards.eligibility.rules"):
        rule = RULES[code]
        passed, detail, evidence = rule.check(enterprise, as_of)
        results.append({"rule": code, "label": rule.label, "passed": passed, "detail": detail, "evidence": evidence})
    return results


def known_credit_ids(enterprise_id: int) -> list[int]:
    """Ids of the enterprise's credit records now (stored with a check, so later listings stand out)."""
    return list(db.session.scalars(select(CreditRecord.id).where(CreditRecord.enterprise_id == enterprise_id)))


def late_listing(entry: AwardEntry, as_of: date) -> CreditRecord | None:
    """A credit listing of the entry's enterprise recorded after its eligibility check (not among the records the
    check saw) and in force within the look-back window as of ``as_of``; None if there is none."""
    seen = set(entry.eligibility.get("credit_record_ids", []))
    cutoff = years_before(as_of, settings.get("awards.eligibility.credit_lookback_years"))
    rows = db.session.scalars(select(CreditRecord).where(
        CreditRecord.enterprise_id == entry.enterprise_id,
        CreditRecord.list_type.in_(settings.get("awards.eligibility.credit_list_types")),
    ).order_by(CreditRecord.id)).all()
    return next((r for r in rows if r.id not in seen and (r.removed_on is None or r.removed_on >= cutoff)), None)
