"""Demo 品字标 applications at every stage, pushed through the real engine by the demo accounts.

So that each demo account opens to work: the 杜桥镇 reviewer finds recommendations waiting (bulk recommend),
the bureau finds pool reviews, a return for material, certification steps; the demo enterprise follows its
own application and a draft. Runs once (a Setting marker), after ``seed_demo``.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from registry import clock
from registry.extensions import db
from registry.models import Enterprise, Jurisdiction, Setting, Standard, StandardDrafter, User

MARKER_KEY = "demo.applications_seeded"
_IN_FORCE = ("published", "in_force")
DUQIAO = "331082112"

# (how far each application goes, how many): the steps are applied in order by the actor named.
_PATHS = {
    "draft": [],
    "town": [("applicant", "submit", None)],
    "pool": [("applicant", "submit", None), ("town", "recommend", None)],
    "returned": [("applicant", "submit", None), ("town", "recommend", None),
                 ("bureau", "return", "请补充近三年产品检验报告和质量管理体系证书扫描件。")],
    "drafting": [("applicant", "submit", None), ("town", "recommend", None), ("bureau", "accept", None)],
}
_TO_BODY = _PATHS["drafting"] + [("bureau", "link_standard", None), ("bureau", "standard_published", None)]
# the certification body's steps (浙江制造认证实施细则), taken by the demo body's auditor
_PATHS.update({
    "body_choice": _TO_BODY,
    "cert_acceptance": _TO_BODY + [("applicant", "choose_body", None)],
    "product_testing": _TO_BODY + [("applicant", "choose_body", None), ("certifier", "body_accepted", None)],
    # the bureau records the test result on the body's behalf from the paper report (marked in the history)
    "factory_audit": _TO_BODY + [("applicant", "choose_body", None), ("certifier", "body_accepted", None),
                                 ("bureau", "testing_passed", None)],
    "cert_decision": _TO_BODY + [("applicant", "choose_body", None), ("certifier", "body_accepted", None),
                                 ("certifier", "testing_passed", None), ("certifier", "audit_passed", None)],
})
_PATHS["certified"] = _PATHS["cert_decision"] + [("certifier", "issue_certificate", None)]
# What happens next on some of them (path, n-th of that path): the standard's provincial batch steps; after
# certification a surveillance audit and a 扩项 on the certificate that expires soon (the other one's surveillance
# reminder stays due).
_AFTERWARDS = {
    ("drafting", 0): [("bureau", "record_standard_step", None,
                       {"standard_step": "approved", "step_on": -75, "batch": "2026年第一批"}),
                      ("bureau", "record_standard_step", None, {"standard_step": "drafting", "step_on": -40}),
                      ("bureau", "record_standard_step", None, {"standard_step": "consultation", "step_on": -10})],
    ("certified", 1): [("certifier", "record_surveillance", None, {"surveyed_on": -30, "result": "通过"}),
                       ("certifier", "extend_scope", None, {"scope_added": "新增型号 B 系列"})],
}


def _dated(payload: dict) -> dict:
    """A payload whose int values are days from today (dates in the demo move with the day it is loaded)."""
    return {key: (clock.today() + timedelta(days=value)).isoformat() if isinstance(value, int) else value
            for key, value in payload.items()}


_STEP_PAYLOADS = {"body_accepted": {"accepted_on": "today"}, "testing_passed": {"test_report_no": "JY{serial:04d}"},
                  "audit_passed": {"audited_on": "today", "audit_report_no": "SH{serial:04d}"}}


def _applicant_for(enterprise: Enterprise, template: User) -> User:
    """The enterprise's demo account: the printed one for the demo enterprise, else a quiet per-firm account."""
    user = db.session.scalar(select(User).where(User.role == "enterprise", User.enterprise_id == enterprise.id))
    if user is None:
        user = User(email=f"demo-ent-{enterprise.id}@linhai.example", display_name=f"{enterprise.name[:20]}填报员",
                    role="enterprise", enterprise_id=enterprise.id, password_hash=template.password_hash)
        db.session.add(user)
        db.session.commit()
    return user


def _zzb_standard_for(enterprise: Enterprise, borrowed: bool) -> tuple[Standard, bool]:
    """A published 浙江制造 standard for the enterprise's application, and whether the enterprise drafted it: its own
    when it has one (unless ``borrowed``), else one drafted by others (the bureau then confirms that it covers the
    product: certification against an existing standard)."""
    drafted = select(StandardDrafter.standard_id).where(StandardDrafter.enterprise_id == enterprise.id)
    published = select(Standard).where(Standard.level == "group_zzb", Standard.status.in_(_IN_FORCE)).order_by(Standard.id)
    own = None if borrowed else db.session.scalar(published.where(Standard.id.in_(drafted)).limit(1))
    if own is not None:
        return own, True
    return db.session.scalar(published.where(Standard.id.not_in(drafted)).limit(1)), False


def _certificate_dates(n: int) -> tuple[date, date]:
    """The demo certificates' dates, so reminders are due on the first sign-in: the first one's yearly surveillance
    falls in 20 days, the second one expires in 60 days."""
    today = clock.today()
    if n == 0:
        issued = today - timedelta(days=345)
        return issued, issued + timedelta(days=3 * 365)
    expires = today + timedelta(days=60)
    return expires - timedelta(days=3 * 365), expires


def seed_demo_applications() -> dict:
    """Create the demo applications once; return how many were created per path (empty when already done)."""
    from workflows.services import applications

    if db.session.get(Setting, MARKER_KEY) is not None:
        return {}
    demo_applicant = db.session.scalar(select(User).where(User.email == "qiye@linhai.example"))
    town = db.session.scalar(select(User).where(User.email == "duqiao@linhai.example"))
    bureau = db.session.scalar(select(User).where(User.email == "shiju@linhai.example"))
    certifier = db.session.scalar(select(User).where(User.email == "renzheng@linhai.example"))
    if demo_applicant is None or town is None or bureau is None or certifier is None:
        return {}
    duqiao = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == DUQIAO))
    firms = list(db.session.scalars(select(Enterprise).where(Enterprise.jurisdiction_id == duqiao.id,
                                                             Enterprise.id != demo_applicant.enterprise_id)
                                    .order_by(Enterprise.above_scale.desc(), func.length(Enterprise.name),
                                              Enterprise.id).limit(15)))
    plan = [(demo_applicant.enterprise, "town"), (demo_applicant.enterprise, "draft")]
    plan += [(firm, path) for firm, path in zip(firms, ["town", "town", "town", "pool", "pool", "returned",
                                                        "drafting", "certified", "certified", "body_choice",
                                                        "cert_acceptance", "product_testing", "factory_audit",
                                                        "cert_decision"])]
    made: dict[str, int] = {}
    for serial, (enterprise, path) in enumerate(plan, start=1):
        applicant = demo_applicant if enterprise.id == demo_applicant.enterprise_id else \
            _applicant_for(enterprise, demo_applicant)
        product = f"{enterprise.name.split('有限')[0][-6:]}系列产品"
        app = applications.start(applicant, "pinzibiao", None, {
            "product": product, "standard_proposal": f"{product}“浙江制造”标准",
            "self_assessment": "产品性能指标对标国际先进水平，质量管理体系运行有效，近三年无质量安全事故。"})
        actors = {"applicant": applicant, "town": town, "bureau": bureau, "certifier": certifier}
        for who, action, reason in _PATHS[path]:
            payload = {key: clock.today().isoformat() if value == "today" else value.format(serial=serial)
                       for key, value in _STEP_PAYLOADS.get(action, {}).items()}
            if action == "choose_body":
                payload = {"certification_body_id": certifier.certification_body_id}
            if action == "link_standard":
                standard, own = _zzb_standard_for(enterprise, borrowed=made.get("certified", 0) == 1)
                applications.act(actors[who], app.id, action, payload={"standard_id": standard.id})
                if not own:  # certification against a standard others drafted: the bureau confirms it fits
                    applications.act(bureau, app.id, "confirm_standard",
                                     reason=f"经核查，{standard.number}《{standard.title}》覆盖申请产品，按该标准认证。")
                continue
            if action == "issue_certificate":
                issued, expires = _certificate_dates(made.get("certified", 0))
                payload = {"cert_number": f"CZJM-DEMO-{serial:04d}", "issued_on": issued.isoformat(), "expires_on": expires.isoformat()}
            applications.act(actors[who], app.id, action, reason=reason, payload=payload)
        for who, action, reason, payload in _AFTERWARDS.get((path, made.get(path, 0)), ()):
            applications.act(actors[who], app.id, action, reason=reason, payload=_dated(payload))
        made[path] = made.get(path, 0) + 1
    db.session.add(Setting(key=MARKER_KEY, value=made))
    db.session.commit()
    return made
