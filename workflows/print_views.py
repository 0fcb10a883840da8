"""Print pages of a 品字标 application that officials sign and stamp (盖章): the enterprise's 申报表, the town's
推荐意见表 and the bureau's 审核意见表. Plain HTML with print CSS (A4); the stamped scan goes back through the
application page's upload (slot ``stamped_form``), onto the stage the application is at.

Who prints what: the applicant and staff the 申报表; town and bureau the 推荐意见表; the bureau the 审核意见表.
Scope is the application page's (``applications.get``): anyone else gets 404, as for an id that does not exist.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from registry import clock, policy
from registry.extensions import db
from registry.models import Certification, Standard
from registry.services import records
from registry.vocab import CERTIFICATION_TYPES, ENTERPRISE_ROLES, HONOUR_LEVELS, HONOUR_TYPES, STANDARD_STATUSES
from workflows import engine
from workflows.services import applications, attachments
from workflows.views import bp


@dataclass(frozen=True)
class PrintForm:
    template: str
    relations: frozenset[str]  # who may print it (relations to the application, see registry.policy.applications)
    label: object


FORMS = {
    "application": PrintForm("workflows/print_application.html", frozenset({"applicant", "town", "bureau"}),
                             _l("打印申报表")),
    "recommendation": PrintForm("workflows/print_recommendation.html", frozenset({"town", "bureau"}),
                                _l("打印镇街推荐意见表")),
    "review": PrintForm("workflows/print_review.html", frozenset({"bureau"}), _l("打印市局审核意见表")),
}

# The enterprise's records a 品字标 application rests on: management-system and product certificates, and the
# quality and standardisation honours (registry.vocab codes).
RELEVANT_CERTIFICATIONS = ("pinzibiao", "zhejiang_international", "iso9001", "iso14001", "iso45001", "iso10012",
                           "green_product")
RELEVANT_HONOURS = ("quality_award", "quality_award_nomination", "zhejiang_boutique", "single_champion",
                    "standard_innovation", "standard_internationalisation_pilot", "standardisation_pilot",
                    "zhejiang_export_brand")


def _printable(application) -> list[str]:
    """The forms the signed-in user may print for ``application`` (none outside the 品字标 pages)."""
    if engine.definition_of(application).page_endpoint != "workflows.show":
        return []
    rels = policy.relations(current_user, application)
    return [name for name, form in FORMS.items() if form.relations & rels]


@bp.app_template_global()
def workflow_print_forms(application) -> list[tuple[str, object]]:
    """(form name, link label) of the print pages the signed-in user may open, for the application page."""
    return [(name, FORMS[name].label) for name in _printable(application)]


def _registry_records(application) -> dict:
    """The enterprise's valid certificates, standing honours and 浙江制造 standards, as of today."""
    today = clock.today()
    enterprise_id = application.enterprise_id
    certifications = [c for c in records.list_records(current_user, enterprise_id, "certifications")
                      if c.cert_type in RELEVANT_CERTIFICATIONS and c.status_on(today) == "valid"]
    certifications.sort(key=lambda c: (RELEVANT_CERTIFICATIONS.index(c.cert_type), c.issued_on))
    honours = [h for h in records.list_records(current_user, enterprise_id, "honours")
               if h.honour_type in RELEVANT_HONOURS and h.counts_on(today)]
    honours.sort(key=lambda h: (-h.year, RELEVANT_HONOURS.index(h.honour_type)))
    standards = [d for d in records.list_records(current_user, enterprise_id, "standards")
                 if d.standard.level == "group_zzb"]
    return {"certifications": certifications, "honours": honours, "zzb_standards": standards}


def _latest_files(application_id: int) -> list:
    """The newest version of each attachment slot except the stamped scans (the 附件清单 of the 申报表)."""
    latest = {}
    for row in attachments.listing(application_id):  # newest version first within a slot
        if row.slot != "stamped_form":
            latest.setdefault(row.slot, row)
    return [latest[slot] for slot in attachments.SLOTS if slot in latest]


def _history(application_id: int) -> dict:
    """The history as the opinion sheets read it: who acted, the town's steps, the bureau's (and the system's
    automatic ones), and the last decision of each reviewing stage."""
    history = applications.history(application_id)
    people = applications.actors_of(history)
    role_of = {uid: u.role for uid, u in people.items()}
    town_steps = [t for t in history if role_of.get(t.actor_id) == "town"]
    bureau_steps = [t for t in history if role_of.get(t.actor_id) in policy.roles.STAFF
                    or (t.actor_id is None and t.from_stage is not None)]
    return {"people": people, "town_steps": town_steps, "bureau_steps": bureau_steps,
            "submitted": next((t for t in history if t.action == "submit"), None),
            "recommended": next((t for t in reversed(history) if t.action == "recommend"), None),
            "town_decision": next((t for t in reversed(town_steps) if t.from_stage == "town_recommendation"), None),
            "pool_decision": next((t for t in reversed(bureau_steps) if t.from_stage == "pool_review"), None)}


@bp.route("/applications/<int:application_id>/print/<form>")
@login_required
def print_form(application_id: int, form: str):
    application = applications.get(current_user, application_id)
    if form not in FORMS or form not in _printable(application):
        abort(404)
    standard = db.session.get(Standard, application.standard_id) if application.standard_id else None
    certificate = db.session.get(Certification, application.certification_id) \
        if application.certification_id else None
    return render_template(
        FORMS[form].template, application=application, firm=application.enterprise, data=application.data or {},
        standard=standard, certificate=certificate, files=_latest_files(application_id), slots=attachments.SLOTS,
        printed_on=clock.today(), cert_types=CERTIFICATION_TYPES, honour_types=HONOUR_TYPES,
        honour_levels=HONOUR_LEVELS, drafter_roles=ENTERPRISE_ROLES, standard_statuses=STANDARD_STATUSES,
        **_history(application_id), **(_registry_records(application) if form == "application" else {}))
