"""Guards and effects of the 品字标 workflow: the registry side of its actions (standards, certificates)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from registry import settings
from registry.clock import local_date
from registry.extensions import db
from registry.models import Certification, CertificationBody, Standard
from registry.services.errors import ValidationFailed

PUBLISHED = ("published", "in_force")


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
    return None if status in PUBLISHED else "关联的标准尚未发布。"


def link_standard(application, _actor, values, _now) -> None:
    from workflows.services.applications import check_standard

    problem = check_standard(application.enterprise_id, values["standard_id"])
    if problem:
        raise ValidationFailed({"standard_id": [problem]})
    standard = db.session.get(Standard, values["standard_id"])
    application.standard_id = standard.id


def body_choices() -> list[tuple[str, str]]:
    """The active certification bodies of the catalogue, as (id, name) for the body picker."""
    rows = db.session.execute(select(CertificationBody.id, CertificationBody.name)
                              .where(CertificationBody.active.is_(True))
                              .order_by(CertificationBody.sort_order, CertificationBody.id))
    return [(str(body_id), name) for body_id, name in rows]


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
    from workflows import actors

    rels = actors.relations(actor, application)
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


suspend_certificate = _set_certificate_status("suspended")
restore_certificate = _set_certificate_status("valid")
revoke_certificate = _set_certificate_status("revoked")


def record_surveillance(application, _actor, values, now) -> None:
    records = list((application.data or {}).get("surveillances", []))
    records.append({"on": values["surveyed_on"].isoformat(), "result": values.get("result", ""),
                    "recorded_at": now.isoformat()})
    application.data = {**(application.data or {}), "surveillances": records}
