"""Revoking an honour (撤销荣誉) later, with the reason and the evidence; the targets stop counting it from then."""
from __future__ import annotations

from datetime import date

from registry.awards.access import require_bureau
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.models import Honour, User
from registry.services.errors import Conflict, NotFound, ValidationFailed


def apply_revocation(honour: Honour, *, reason: str, evidence: str, on: date) -> None:
    """Validate and set the revocation on ``honour`` (no commit: also the workflow's revoke effect).
    Raises ValidationFailed, Conflict (already revoked)."""
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = ["请填写撤销原因。"]
    if not (evidence or "").strip():
        errors["evidence"] = ["请填写撤销依据（文号或证据）。"]
    if errors:
        raise ValidationFailed(errors)
    if honour.revoked_on is not None:
        raise Conflict("该荣誉已被撤销。")
    if honour.awarded_on and on < honour.awarded_on:
        raise ValidationFailed({"on": ["撤销日期不能早于授予日期。"]})
    honour.revoked_on = on
    honour.revoke_reason = f"{reason.strip()}（依据：{evidence.strip()}）"


def revoke(honour_id: int, actor: User, *, reason: str, evidence: str, on: date) -> Honour:
    """Revoke an honour with the reason and evidence and commit; audited by the history hook.
    Raises Forbidden, NotFound, Conflict (already revoked), ValidationFailed."""
    require_bureau(actor)
    begin_write()
    honour = db.session.get(Honour, honour_id)
    if honour is None:
        raise NotFound("未找到该荣誉。")
    set_actor(db.session, actor.id, "撤销荣誉")
    try:
        apply_revocation(honour, reason=reason, evidence=evidence, on=on)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return honour
