"""Guards and effects of the 品字标 workflow: the registry side of its actions (standards, certificates).

The standard an application names (at creation, on its draft, by 关联标准) is a 浙江制造 (T/ZZB) standard that is
not withdrawn: one the applicant's enterprise drafted (lead or participant) links directly, and once published the
standard-drafting stage completes by itself; one drafted by others must be published (certification against an
existing standard) and lets the application past standard drafting only after the bureau's 确认标准 (recorded in
the history, with its reason) that it covers the product.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from registry import settings
from registry.clock import local_date
from registry.vocab import STANDARD_STATUSES
from registry.extensions import db
from registry.models import Certification, CertificationBody, Standard, StandardDrafter
from registry.services.errors import ValidationFailed

PUBLISHED = ("published", "in_force")
ZZB = "group_zzb"
CONFIRMED = "confirmed_standard_id"  # application.data: the standard the bureau confirmed covers the product


def drafted_by(enterprise_id: int, standard_id: int) -> bool:
    return db.session.scalar(select(StandardDrafter.id).where(StandardDrafter.enterprise_id == enterprise_id,
                                                              StandardDrafter.standard_id == standard_id)) is not None


def nameable_standards(enterprise_id: int) -> list[tuple[Standard, bool]]:
    """The standards an application of ``enterprise_id`` may name, with whether the enterprise drafted each: its own
    T/ZZB standards (not withdrawn), then others' published ones, each by number (500 at most)."""
    own = {i for i in db.session.scalars(select(StandardDrafter.standard_id)
                                         .where(StandardDrafter.enterprise_id == enterprise_id))}
    rows = db.session.scalars(select(Standard).where(
        Standard.level == ZZB, (Standard.id.in_(own) & (Standard.status != "withdrawn")) | Standard.status.in_(PUBLISHED))
        .order_by(Standard.number).limit(500))
    found = [(s, s.id in own) for s in rows]
    return sorted(found, key=lambda pair: not pair[1])


def standard_options(enterprise_id: int) -> list[tuple[str, str]]:
    """What pages offer for a standard field: ``nameable_standards`` as (id, label), those others drafted marked (the
    bureau confirms that such a standard covers the product)."""
    from flask_babel import gettext as _

    return [(str(s.id), f"{s.number} {s.title}" + ("" if own else _("（他人起草，须经市局确认覆盖本产品）")))
            for s, own in nameable_standards(enterprise_id)]


def standard_problem(enterprise_id: int, _actor, standard_id: int) -> str | None:
    """Why an application of ``enterprise_id`` may not name ``standard_id`` (None: it may)."""
    standard = db.session.get(Standard, standard_id)
    if standard is None:
        return "未找到该标准。"
    if standard.level != ZZB:
        return "只能选择“浙江制造”（T/ZZB）标准。"
    if standard.status == "withdrawn":
        return "该标准已废止。"
    if standard.status not in PUBLISHED and not drafted_by(enterprise_id, standard_id):
        return "他人起草的标准须已发布才能关联；本企业参与起草的，请先在企业的标准记录中登记。"
    return None


def needs_confirmation(application, _actor, _values) -> str | None:
    """Guard of 确认标准: a published standard others drafted is linked and not yet confirmed."""
    if application.standard_id is None:
        return "尚未关联“浙江制造”标准。"
    if drafted_by(application.enterprise_id, application.standard_id):
        return "关联的是本企业起草的标准，无需确认。"
    if (application.data or {}).get(CONFIRMED) == application.standard_id:
        return "已确认该标准覆盖本产品。"
    status = db.session.scalar(select(Standard.status).where(Standard.id == application.standard_id))
    return None if status in PUBLISHED else "关联的标准尚未发布。"


def confirm_standard(application, _actor, _values, _now) -> None:
    application.data = {**(application.data or {}), CONFIRMED: application.standard_id}


def ready_to_submit(application, _actor, _values) -> str | None:
    data = application.data or {}
    missing = []
    if not (data.get("product") or "").strip():
        missing.append("产品名称")
    if not (application.standard_id or (data.get("standard_proposal") or "").strip()):
        missing.append("“浙江制造”标准（已有标准或拟制定标准的名称）")
    if not (data.get("self_assessment") or "").strip():
        missing.append("自评价")
    return "请先填写：" + "、".join(missing) if missing else None


def standard_published(application, _actor, _values) -> str | None:
    if application.standard_id is None:
        return "尚未关联“浙江制造”标准。"
    status = db.session.scalar(select(Standard.status).where(Standard.id == application.standard_id))
    if status not in PUBLISHED:
        return "关联的标准尚未发布。"
    if not drafted_by(application.enterprise_id, application.standard_id) and \
            (application.data or {}).get(CONFIRMED) != application.standard_id:
        return "关联的是他人起草的标准，须经市局确认该标准覆盖本产品。"
    return None


def link_standard(application, _actor, values, _now) -> None:
    """The field's check (``standard_problem``) passed in the engine."""
    application.standard_id = values["standard_id"]


def body_choices() -> list[tuple[str, str]]:
    """The active certification bodies of the catalogue, as (id, name) for the body picker."""
    rows = db.session.execute(select(CertificationBody.id, CertificationBody.name)
                              .where(CertificationBody.active.is_(True))
                              .order_by(CertificationBody.sort_order, CertificationBody.id))
    return [(str(body_id), name) for body_id, name in rows]


def body_problem(_enterprise_id: int, _actor, body_id: int) -> str | None:
    """Why ``body_id`` may not be chosen as the application's certification body (None: it may)."""
    body = db.session.get(CertificationBody, body_id)
    return None if body is not None and body.active else "请从目录中选择启用的认证机构。"


def assign_body(application, _actor, values, _now) -> None:
    """The application goes to the chosen body (an active catalogue entry; any other id is refused)."""
    body = db.session.get(CertificationBody, values["certification_body_id"])
    if body is None or not body.active:
        raise ValidationFailed({"certification_body_id": ["请从目录中选择启用的认证机构。"]})
    application.certification_body_id = body.id
    application.data = {**(application.data or {}), "certification_body": body.name}


def note_recorder(application, actor, values, _now) -> None:
    """Mark in the history row (its payload) who recorded a certification body's step: the body itself, or the
    bureau on the body's behalf from a paper result (代录)."""
    from registry import policy

    rels = policy.relations(actor, application)
    if "certifier" in rels:
        values["recorded_by"] = "certifier"
    elif "bureau" in rels:
        values["recorded_by"] = "bureau_from_paper"


def issue_certificate(cert_type: str):
    """The effect registering the recorded certificate as a registry Certification of ``cert_type`` (品字标浙江制造,
    or a 认定/自我声明 route's own type), issued by the application's certification body (or, for one without,
    the body named in ``issuer``)."""

    def effect(application, _actor, values, _now) -> None:
        issued: date = values["issued_on"]
        expires: date | None = values.get("expires_on")
        if expires is None:
            years = int(settings.get("pinzibiao.validity_years"))
            expires = issued.replace(year=issued.year + years) if not (issued.month == 2 and issued.day == 29) \
                else date(issued.year + years, 3, 1)
        if expires <= issued:
            raise ValidationFailed({"expires_on": ["有效期至必须晚于发证日期。"]})
        number = values["cert_number"]
        taken = db.session.scalar(select(Certification.id).where(Certification.cert_type == cert_type,
                                                                 Certification.number == number))
        if taken:
            raise ValidationFailed({"cert_number": ["该证书编号已登记。"]})
        body = db.session.get(CertificationBody, application.certification_body_id) \
            if application.certification_body_id else None
        issuer = body.name if body is not None else values.get("issuer")
        if not issuer:
            raise ValidationFailed({"issuer": ["请填写认证机构。"]})
        cert = Certification(enterprise_id=application.enterprise_id, cert_type=cert_type, number=number,
                             issuer=issuer, scope=(application.data or {}).get("product"), issued_on=issued,
                             expires_on=expires, status="valid")
        db.session.add(cert)
        db.session.flush()
        application.certification_id = cert.id

    effect.__name__ = f"create_certification_{cert_type}"
    return effect


create_certification = issue_certificate("pinzibiao")


def _set_certificate_status(status: str):
    def effect(application, _actor, _values, now) -> None:
        cert = db.session.get(Certification, application.certification_id) if application.certification_id else None
        if cert is not None:
            cert.status = status
            cert.status_changed_on = local_date(now) if status != "valid" else None
    effect.__name__ = f"certificate_{status}"
    return effect


cancel_certificate = _set_certificate_status("cancelled")
suspend_certificate = _set_certificate_status("suspended")
restore_certificate = _set_certificate_status("valid")
revoke_certificate = _set_certificate_status("revoked")


def record_surveillance(application, _actor, values, now) -> None:
    records = list((application.data or {}).get("surveillances", []))
    records.append({"on": values["surveyed_on"].isoformat(), "result": values.get("result", ""),
                    "recorded_at": now.isoformat()})
    application.data = {**(application.data or {}), "surveillances": records}


def record_failed_surveillance(application, actor, values, now) -> None:
    """A surveillance audit that failed (监督审核不通过): logged as such; the action also suspends the certificate."""
    record_surveillance(application, actor, {**values, "result": "不通过"}, now)


# --- after certification: 再认证, 扩项, 变更 (the registry Certification changes; its history records who and when) ---

def _certificate(application) -> Certification:
    cert = db.session.get(Certification, application.certification_id) if application.certification_id else None
    if cert is None:
        raise ValidationFailed({"action": ["该申请没有登记的证书。"]})
    return cert


def _log_event(application, kind: str, now, **details) -> None:
    events = list((application.data or {}).get("certificate_events", []))
    events.append({"kind": kind, "on": local_date(now).isoformat(), **details})
    application.data = {**(application.data or {}), "certificate_events": events}


def recertify(application, _actor, values, now) -> None:
    """再认证 at expiry: the certificate runs to the new expiry date (and takes a new number if one is given)."""
    cert = _certificate(application)
    expires: date = values["expires_on"]
    if expires <= (cert.expires_on or cert.issued_on):
        raise ValidationFailed({"expires_on": ["再认证后的有效期至必须晚于原有效期。"]})
    number = values.get("cert_number")
    if number and number != cert.number:
        if db.session.scalar(select(Certification.id).where(Certification.cert_type == cert.cert_type,
                                                            Certification.number == number)):
            raise ValidationFailed({"cert_number": ["该证书编号已登记。"]})
        cert.number = number
    _log_event(application, "recertified", now, expires_on=expires.isoformat(), number=cert.number,
               previous_expiry=cert.expires_on.isoformat() if cert.expires_on else None)
    cert.expires_on = expires


def extend_scope(application, _actor, values, now) -> None:
    """扩项: products or models added to the certificate's scope."""
    cert = _certificate(application)
    scope = "；".join(part for part in (cert.scope, values["scope_added"]) if part)
    if len(scope) > 300:
        raise ValidationFailed({"scope_added": ["证书范围不能超过 300 个字符。"]})
    cert.scope = scope
    _log_event(application, "scope_extended", now, added=values["scope_added"])


def change_certificate(application, _actor, values, now) -> None:
    """变更: what changed on the certificate (name, address, models...); a new scope replaces the old one."""
    cert = _certificate(application)
    scope = values.get("scope")
    if scope:
        if len(scope) > 300:
            raise ValidationFailed({"scope": ["证书范围不能超过 300 个字符。"]})
        cert.scope = scope
    _log_event(application, "changed", now, note=values["change_note"], scope=scope or None)


# --- the 浙江制造 standard, made in provincial batches: 立项 → 起草 → 征求意见 → 评审 → 发布 -------------------------

STANDARD_STEPS = ("approved", "drafting", "consultation", "review", "published")


def standard_step_choices() -> list[tuple[str, str]]:
    return [(step, str(STANDARD_STATUSES.label(step))) for step in STANDARD_STEPS]


def not_yet_initiated(application, _actor, _values) -> str | None:
    steps = (application.data or {}).get("standard_steps", [])
    return "标准已立项。" if any(s.get("step") == "approved" for s in steps) else None


def record_standard_step(application, _actor, values, _now) -> None:
    """The next step of the standard's batch, with its date: in order, never before the previous one; 立项 names
    the batch. A linked standard record moves to the step (发布 sets its publication date), never back."""
    step, on = values["standard_step"], values["step_on"]
    if step not in STANDARD_STEPS:
        raise ValidationFailed({"standard_step": ["请选择环节。"]})
    steps = [s for s in (application.data or {}).get("standard_steps", []) if s.get("step") in STANDARD_STEPS]
    if len(steps) == len(STANDARD_STEPS):
        raise ValidationFailed({"standard_step": ["标准已发布，各环节均已记录。"]})
    expected = STANDARD_STEPS[len(steps)]
    if step != expected:
        raise ValidationFailed({"standard_step": [f"下一个环节应是“{STANDARD_STATUSES.label(expected)}”。"]})
    if steps and on < date.fromisoformat(steps[-1]["on"]):
        raise ValidationFailed({"step_on": ["日期不能早于上一个环节。"]})
    batch = values.get("batch") or (application.data or {}).get("standard_batch")
    if step == "approved" and not batch:
        raise ValidationFailed({"batch": ["立项时请填写批次。"]})
    steps.append({"step": step, "on": on.isoformat(), "batch": batch})
    application.data = {**(application.data or {}), "standard_steps": steps, "standard_batch": batch}
    standard = db.session.get(Standard, application.standard_id) if application.standard_id else None
    if standard is not None and standard.status in STANDARD_STEPS and \
            STANDARD_STEPS.index(standard.status) < STANDARD_STEPS.index(step):
        standard.status = step
        if step == "published":
            standard.published_on = on


def record_initiation_refused(application, _actor, values, _now) -> None:
    """立项未通过: logged (with the batch) in the application's standard steps; the action returns the application."""
    refusals = list((application.data or {}).get("standard_refusals", []))
    refusals.append({"on": values["step_on"].isoformat(), "batch": values.get("batch")})
    application.data = {**(application.data or {}), "standard_refusals": refusals}
