"""The eligibility stage's use cases: run the registry check, the bureau's per-rule corrections and decision,
late credit-listing flags."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from registry.awards import eligibility
from registry.awards.access import get_entry, require_bureau
from registry.awards.models import AwardEntry, AwardRound
from registry.clock import local_date
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.models import User
from registry.services.errors import ValidationFailed


def run_check(entry_id: int, now: datetime, actor: User | None = None) -> AwardEntry:
    """Run the rules on the entry's enterprise as of ``now`` and store the snapshot (clears an earlier decision,
    per-rule corrections and credit flag: a new check needs a new decision). ``actor`` None: the system. Commits."""
    if actor is not None:
        require_bureau(actor)
    begin_write()
    entry = get_entry(None, entry_id)
    results = eligibility.check(entry.enterprise, local_date(now), entry)
    set_actor(db.session, actor.id if actor else None)
    entry.eligibility = {"checked_at": now.isoformat(), "as_of": local_date(now).isoformat(),
                         "level": entry.round.level, "passed": all(r["passed"] for r in results), "results": results,
                         "credit_record_ids": eligibility.known_credit_ids(entry.enterprise_id)}
    entry.eligibility_decision = entry.eligibility_reason = None
    entry.eligibility_decided_by_id = entry.eligibility_decided_at = None
    entry.credit_flag_record_id = entry.credit_flagged_at = None
    db.session.commit()
    return entry


def override_rule(entry_id: int, actor: User, rule: str, passed: bool, reason: str | None, now: datetime
                  ) -> AwardEntry:
    """The bureau corrects one rule's outcome (the registry is out of date, a certificate is being renewed, a
    grade is not yet published...): the reason is required and kept beside the registry's evidence, which stays
    as the check found it. Setting a rule back to what the check found removes the correction. Clears an earlier
    decision (it was made on other grounds). Raises Forbidden, NotFound, ValidationFailed."""
    require_bureau(actor)
    entry = get_entry(actor, entry_id)
    snapshot = entry.eligibility
    errors: dict[str, list[str]] = {}
    found = next((r for r in (snapshot or {}).get("results", []) if r["rule"] == rule), None)
    if snapshot is None:
        errors["rule"] = ["请先运行资格自动核查。"]
    elif found is None:
        errors["rule"] = ["本次核查没有该条件。"]
    elif passed != found["passed"] and not (reason or "").strip():
        errors["reason"] = ["更正核查结果时必须填写理由。"]
    if errors:
        raise ValidationFailed(errors)
    begin_write()
    entry = get_entry(actor, entry_id)
    set_actor(db.session, actor.id)
    overrides = dict(entry.eligibility.get("overrides") or {})
    if passed == found["passed"]:
        overrides.pop(rule, None)
    else:
        overrides[rule] = {"passed": passed, "reason": reason.strip(), "by_id": actor.id,
                           "by": actor.display_name, "at": now.isoformat()}
    updated = {**entry.eligibility, "overrides": overrides}
    updated["passed"] = eligibility.outcome(updated)
    entry.eligibility = updated
    entry.eligibility_decision = entry.eligibility_reason = None
    entry.eligibility_decided_by_id = entry.eligibility_decided_at = None
    db.session.commit()
    return entry


def decide(entry_id: int, actor: User, decision: str, reason: str | None, now: datetime) -> AwardEntry:
    """The bureau confirms the check or overrides it. A decision against the check's outcome (with the per-rule
    corrections), or any decision on an entry flagged for a late credit listing, needs a reason.
    Raises Forbidden, NotFound, ValidationFailed."""
    require_bureau(actor)
    entry = get_entry(actor, entry_id)
    errors: dict[str, list[str]] = {}
    if decision not in ("eligible", "ineligible"):
        errors["decision"] = ["请选择审查结论。"]
    if entry.eligibility is None:
        errors["decision"] = ["请先运行资格自动核查。"]
    elif decision in ("eligible", "ineligible"):
        overrides = (decision == "eligible") != eligibility.outcome(entry.eligibility)
        if (overrides or entry.credit_flag_record_id) and not (reason or "").strip():
            errors["reason"] = ["结论与自动核查结果不一致（或有新增失信记录）时，必须填写理由。"]
    if errors:
        raise ValidationFailed(errors)
    begin_write()
    entry = get_entry(actor, entry_id)
    set_actor(db.session, actor.id)
    entry.eligibility_decision = decision
    entry.eligibility_reason = (reason or "").strip() or None
    entry.eligibility_decided_by_id = actor.id
    entry.eligibility_decided_at = now
    # What the bureau confirmed, kept with the decision: the rules of the check it saw, each with its evidence.
    entry.eligibility = {**entry.eligibility, "confirmed": confirmed_rules(entry.eligibility)}
    db.session.commit()
    return entry


def confirmed_rules(snapshot: dict) -> list[dict]:
    """The check's rules as the decision confirms them: label, outcome (the bureau's correction where it made one)
    and the evidence texts of each, the correction's reason last."""
    overrides = snapshot.get("overrides") or {}
    out = []
    for r in snapshot.get("results", []):
        evidence = [e["text"] for e in r.get("evidence", [])]
        corrected = overrides.get(r["rule"])
        if corrected:
            evidence.append(f"市局更正：{corrected['reason']}")
        out.append({"rule": r["rule"], "label": r["label"], "passed": corrected["passed"] if corrected else r["passed"],
                    "detail": r["detail"], "evidence": evidence})
    return out


def confirmation_text(entry: AwardEntry) -> str:
    """One paragraph for the history and the applicant's message: the conclusion, then each rule confirmed with
    its evidence, e.g. "资格审查结论：符合申报条件。已核查 4 项条件（基准日 2026-03-10）：成立年限：通过（成立日期：…）；…"."""
    snapshot = entry.eligibility or {}
    rules = snapshot.get("confirmed") or confirmed_rules(snapshot)
    verdict = "符合申报条件" if entry.eligibility_decision == "eligible" else "不符合申报条件"
    parts = [f"{r['label']}：{'通过' if r['passed'] else '不通过'}（{'；'.join(r['evidence']) or r['detail']}）"
             for r in rules]
    text = f"资格审查结论：{verdict}。已核查 {len(rules)} 项条件（基准日 {snapshot.get('as_of', '')}）：" + "；".join(parts) + "。"
    if entry.eligibility_reason:
        text += f"理由：{entry.eligibility_reason}"
    return text


def flag_late_credit_listings(now: datetime, enterprise_id: int | None = None) -> int:
    """Flag open entries whose enterprise got a credit listing recorded after its eligibility check.

    Idempotent: an entry already flagged stays as it is. ``enterprise_id`` limits the sweep (the registry
    calls it right after recording a listing). Returns how many entries were newly flagged. Commits.
    """
    query = select(AwardEntry).join(AwardRound).where(
        AwardRound.status != "finalised", AwardEntry.eligibility.is_not(None),
        AwardEntry.credit_flag_record_id.is_(None), AwardEntry.honour_id.is_(None))
    if enterprise_id is not None:
        query = query.where(AwardEntry.enterprise_id == enterprise_id)
    day = local_date(now)
    if not any(eligibility.late_listing(e, day) for e in db.session.scalars(query).all()):
        return 0  # nothing to flag: no write lock taken (the hourly sweep usually ends here)
    begin_write()
    flagged = 0
    set_actor(db.session, None, "新增信用记录，系统标记")
    for entry in db.session.scalars(query).all():  # again, under the write lock
        record = eligibility.late_listing(entry, day)
        if record is not None:
            entry.credit_flag_record_id = record.id
            entry.credit_flagged_at = now
            flagged += 1
    db.session.commit()
    return flagged
