"""Demo applications on the other 品字标 routes (浙江农产 and 浙江服务 认定, 标准 + 自我声明公开 + 信用保证), through the
real engine: the 杜桥镇 reviewer finds a 浙江服务 recommendation waiting, the bureau a 浙江农产 site check and a
self-declaration's credit check, and one 浙江农产 认定 is registered (it counts in 培育品字标企业). Runs once (a
Setting marker), after ``seed_demo_applications``.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from registry import clock
from registry.demo.applications import DUQIAO, _applicant_for, _zzb_standard_for
from registry.extensions import db
from registry.models import Enterprise, Jurisdiction, Setting, User
from workflows.models import Application

MARKER_KEY = "demo.route_applications_seeded"
_FRONT = [("applicant", "submit"), ("town", "recommend"), ("bureau", "accept")]
# (route, product, the standard it meets (None: a 浙江制造 standard linked later), the steps in order)
_PLAN = [
    ("pinzibiao_service", "港口物流仓储服务", "T/ZZB 2840-2022 港口物流服务规范", [("applicant", "submit")]),
    ("pinzibiao_agri", "涌泉蜜桔", "T/ZNZ 126-2021 涌泉蜜桔", _FRONT + [("bureau", "review_passed")]),
    ("pinzibiao_agri", "临海西兰花", "T/ZNZ 088-2020 西兰花", _FRONT + [("bureau", "review_passed"),
                                                                   ("bureau", "site_check_passed"),
                                                                   ("bureau", "issue_certificate")]),
    ("pinzibiao_declaration", "户外休闲家具", None, _FRONT + [("bureau", "link_standard"),
                                                           ("bureau", "confirm_standard"),
                                                           ("bureau", "standard_published"),
                                                           ("applicant", "declare")]),
]


def _payload(action: str, enterprise: Enterprise, serial: int) -> dict:
    today = clock.today()
    if action == "link_standard":
        return {"standard_id": _zzb_standard_for(enterprise, borrowed=True)[0].id}  # others': the bureau confirms
    if action == "declare":
        return {"declared_on": (today - timedelta(days=3)).isoformat(),
                "declaration_url": f"https://www.cpzbz.cn/declaration/demo-{serial:03d}",
                "pledge_signed_on": (today - timedelta(days=3)).isoformat()}
    if action == "issue_certificate":
        return {"cert_number": f"ZJNC-DEMO-{serial:03d}", "issuer": "浙江省农业农村厅",
                "issued_on": (today - timedelta(days=120)).isoformat()}
    return {}


def seed_demo_route_applications() -> dict:
    """Create the route applications once; return how many per route (empty when already done)."""
    from workflows.services import applications

    if db.session.get(Setting, MARKER_KEY) is not None:
        return {}
    template = db.session.scalar(select(User).where(User.email == "qiye@linhai.example"))
    town = db.session.scalar(select(User).where(User.email == "duqiao@linhai.example"))
    bureau = db.session.scalar(select(User).where(User.email == "shiju@linhai.example"))
    duqiao = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == DUQIAO))
    if template is None or town is None or bureau is None or duqiao is None:
        return {}
    taken = select(Application.enterprise_id).distinct()
    firms = list(db.session.scalars(select(Enterprise).where(Enterprise.jurisdiction_id == duqiao.id,
                                                             Enterprise.id.not_in(taken))
                                    .order_by(func.length(Enterprise.name), Enterprise.id).limit(len(_PLAN))))
    made: dict[str, int] = {}
    for serial, ((route, product, standard, steps), firm) in enumerate(zip(_PLAN, firms), start=1):
        applicant = _applicant_for(firm, template)
        app = applications.start(applicant, route, None, {
            "product": product, "standard_proposal": standard or f"{product}“浙江制造”标准",
            "self_assessment": "对照标准逐项自评，关键指标均达到或优于标准要求；近三年无质量安全事故，无严重失信记录。"})
        actors = {"applicant": applicant, "town": town, "bureau": bureau}
        for who, action in steps:
            applications.act(actors[who], app.id, action, payload=_payload(action, firm, serial),
                             reason="经核查，该标准覆盖申请产品。" if action == "confirm_standard" else None)
        made[route] = made.get(route, 0) + 1
    db.session.add(Setting(key=MARKER_KEY, value=made))
    db.session.commit()
    return made
