"""Award application pages: start and fill in (self-assessment, report, evidence, declaration), the application
page every party sees (scoped; the panel sealed to the applicant), workflow actions, eligibility, single draws,
uploads (stamped scans onto their stage) and downloads."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry import clock, policy
from registry.awards import files, flow, kinds, panels, screening, scoring
from registry.awards.access import get_round
from registry.awards.display import AWARD_TYPE_LABELS, flash_errors, run_and_flash
from registry.awards.forms import (ActionForm, CsrfForm, DrawForm, EligibilityForm, RuleOverrideForm, SelfAssessmentForm,
                                   UploadForm)
from registry.awards.gbt19580 import CATEGORIES
from registry.awards.models import AwardRound, StampedScan
from registry.awards.views import _stage_labels, bp
from registry.database import begin_write
from registry.downloads import send_download
from registry.extensions import db
from registry.models import Honour
from registry.services.errors import DomainError, ValidationFailed

STAMPED = {"stamped_application_form": "application_form", "stamped_recommendation": "recommendation",
           "stamped_review_opinion": "review_opinion"}


def load(application_id: int):
    """The award application if the current user may see it (404 otherwise: ids cannot be probed)."""
    from workflows.models import Application

    application = db.session.get(Application, application_id)
    if application is None or application.workflow != flow.WORKFLOW or \
            not policy.can(current_user, "application.view", application):
        abort(404)
    return application


@bp.route("/rounds/<int:round_id>/apply", methods=["POST"])
@login_required
def apply_start(round_id: int):
    """An enterprise account starts (or reopens) its application for an open call; refused calls say why."""
    if current_user.role != "enterprise":
        abort(404)
    get_round(round_id)  # 404 for a missing round
    try:
        application = flow.start_application(current_user, round_id)
    except ValidationFailed as exc:
        flash_errors(exc)
        return redirect(url_for(".index"))
    return redirect(url_for(".application_edit", application_id=application.id))


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
def application_edit(application_id: int):
    """The applicant fills in the self-assessment and declaration and uploads the report and evidence."""
    from workflows.services import applications

    application = load(application_id)
    if "applicant" not in policy.relations(current_user, application) or application.status not in ("draft", "returned"):
        abort(404)
    data = application.data or {}
    round_ = db.session.get(AwardRound, int(data.get("round_id") or 0))
    form = SelfAssessmentForm(data={**{f"self_{k}": v for k, v in (data.get("self_assessment") or {}).items()},
                                    "declaration": bool(data.get("declaration")),
                                    "excellence_since": data.get("excellence_since"),
                                    "kind": data.get("kind") or kinds.QUALITY})
    form.kind.choices = [(k, _(AWARD_TYPE_LABELS.label(k)))
                         for k in kinds.entry_kinds(round_.award_types if round_ else [kinds.QUALITY])]
    if application.status != "draft":  # the kind is fixed once the nomination entered the round
        form.kind.choices = [c for c in form.kind.choices if c[0] == (data.get("kind") or kinds.QUALITY)]
    upload = UploadForm()
    upload.slot.choices = [("report", files.SLOTS["report"]), ("evidence", files.SLOTS["evidence"])]
    if form.validate_on_submit():
        begin_write()
        application = load(application_id)
        if application.status not in ("draft", "returned"):
            abort(409)
        application.data = {**(application.data or {}), "kind": form.kind.data,
                            "declaration": bool(form.declaration.data),
                            "excellence_since": form.excellence_since.data,
                            "self_assessment": {c.code: float(getattr(form, f"self_{c.code}").data) for c in CATEGORIES}}
        db.session.commit()
        flash("已保存。", "success")
        if request.form.get("submit_now"):
            return _act(application_id, "submit" if application.status == "draft" else "resubmit")
        return redirect(url_for(".application_edit", application_id=application_id))
    return render_template("awards/edit.html", application=application, form=form, upload=upload,
                           returned=applications.return_notice(application),
                           round=round_, attachments=files.listing(application_id), categories=CATEGORIES,
                           history=applications.history(application_id))


def _act(application_id: int, action: str, reason: str | None = None, payload: dict | None = None):
    from workflows import engine

    application = load(application_id)
    try:
        engine.apply(application_id, action, current_user, reason=reason, version=application.version,
                     payload=payload or {})
    except ValidationFailed as exc:
        flash_errors(exc)
        return redirect(request.referrer or url_for(".application_show", application_id=application_id))
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        flow.advance(application_id)
        flash("已办理。", "success")
    return redirect(url_for(".application_show", application_id=application_id))


@bp.route("/applications/<int:application_id>/actions/<action>", methods=["POST"])
@login_required
def application_act(application_id: int, action: str):
    """Any action the engine allows this user now (recommend, return, reject, withdraw, revoke ...)."""
    load(application_id)  # 404 before anything else for an application out of scope
    form = ActionForm()
    if not form.validate_on_submit():
        flash("表单已过期，请刷新后重试。", "danger")
        return redirect(url_for(".application_show", application_id=application_id))
    payload = {k: v for k, v in request.form.items() if k.startswith(("revoke_", "evidence", "revoked_"))}
    return _act(application_id, action, form.reason.data, payload)


@bp.route("/applications/<int:application_id>")
@login_required
def application_show(application_id: int):
    from workflows import engine
    from workflows.services import applications

    application = load(application_id)
    entry = flow.entry_of(application)
    bureau = policy.can(current_user, "award.manage")
    seats = panels.members(entry.id) if entry and bureau else []
    review = {s: scoring.state(entry.id, s)["result"] for s in ("document", "presentation", "site")} \
        if entry else {}
    draw = panels.current_draw(entry.id) if entry and bureau else None
    upload = UploadForm()
    upload.slot.choices = [(k, v) for k, v in files.SLOTS.items() if k in STAMPED]  # reports: the edit page
    history = applications.history(application_id)
    return render_template(
        "awards/application.html", application=application, entry=entry, seats=seats, draw=draw, review=review,
        actions=engine.allowed_actions(application, current_user), action_form=ActionForm(),
        eligibility_form=EligibilityForm(), override_form=RuleOverrideForm(), draw_form=DrawForm(), upload=upload, bureau=bureau,
        attachments=files.listing(application_id), history=history,
        # the panel is sealed to everyone but the bureau: an expert's row names the role, not the person
        people={i: u for i, u in applications.actors_of(history).items() if bureau or u.role != "expert"},
        round=db.session.get(AwardRound, int((application.data or {}).get("round_id") or 0)),
        stages=_stage_labels(), categories=CATEGORIES, show_names=bureau,
        scans=db.session.query(StampedScan).filter_by(entry_id=entry.id).all() if entry else [],
        honour=db.session.get(Honour, entry.honour_id) if entry and entry.honour_id else None,
        returned=applications.return_notice(application),
        is_applicant="applicant" in policy.relations(current_user, application))


@bp.route("/applications/<int:application_id>/eligibility/check", methods=["POST"])
@login_required
def eligibility_check(application_id: int):
    entry = flow.entry_of(load(application_id)) or abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    run_and_flash(lambda: screening.run_check(entry.id, clock.now(), current_user), "已从登记库完成资格自动核查。")
    return redirect(url_for(".application_show", application_id=application_id) + "#eligibility")


@bp.route("/applications/<int:application_id>/eligibility/override", methods=["POST"])
@login_required
def eligibility_override(application_id: int):
    """The bureau corrects one rule's outcome with a reason (the registry's evidence stays as found)."""
    entry = flow.entry_of(load(application_id)) or abort(404)
    form = RuleOverrideForm()
    if not form.validate_on_submit():
        flash("表单已过期，请刷新后重试。", "danger")
    else:
        run_and_flash(lambda: screening.override_rule(entry.id, current_user, form.rule.data,
                                                      form.outcome.data == "passed", form.reason.data, clock.now()),
                      "已更正该项核查结果，请重新确认审查结论。")
    return redirect(url_for(".application_show", application_id=application_id) + "#eligibility")


@bp.route("/applications/<int:application_id>/eligibility", methods=["POST"])
@login_required
def eligibility_decide(application_id: int):
    """The bureau's conclusion; 'eligible' then moves the application on, 'ineligible' rejects it (with reason)."""
    application = load(application_id)
    entry = flow.entry_of(application) or abort(404)
    form = EligibilityForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        decided = screening.decide(entry.id, current_user, form.decision.data, form.reason.data, clock.now())
    except ValidationFailed as exc:
        flash_errors(exc)
        return redirect(url_for(".application_show", application_id=application_id) + "#eligibility")
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for(".application_show", application_id=application_id))
    summary = screening.confirmation_text(decided)  # the history and the applicant's message say what was confirmed
    flash(summary, "info")
    if form.decision.data == "eligible":
        return _act(application_id, "pass_eligibility", summary)
    return _act(application_id, "reject", summary)


@bp.route("/applications/<int:application_id>/draw", methods=["POST"])
@login_required
def application_draw(application_id: int):
    entry = flow.entry_of(load(application_id)) or abort(404)
    form = DrawForm()
    if form.validate_on_submit():
        run_and_flash(lambda: panels.draw_panels(current_user, [entry.id], clock.now(), reason=form.reason.data,
                                                 size=form.size.data, n_substitutes=form.substitutes.data),
                      "已随机抽取专家组。")
    return redirect(url_for(".application_show", application_id=application_id) + "#panel")


@bp.route("/applications/<int:application_id>/files", methods=["POST"])
@login_required
def application_upload(application_id: int):
    """Upload a report/evidence (the applicant, while editable) or a stamped scan onto the current stage."""

    application = load(application_id)
    form = UploadForm()
    form.slot.choices = [(k, v) for k, v in files.SLOTS.items()]
    if not form.validate_on_submit():
        abort(400)
    slot = form.slot.data
    rels = policy.relations(current_user, application)
    editable = "applicant" in rels and application.status in ("draft", "returned")
    if slot in STAMPED:
        if not (rels & {"applicant", "town", "bureau"}):
            abort(404)
    elif not editable:
        abort(404)
    begin_write()
    try:
        row = files.store(application_id, slot, application.stage, form.file.data.filename if form.file.data else None,
                          form.file.data.stream if form.file.data else None, current_user.id, clock.now())
        entry = flow.entry_of(application)
        if slot in STAMPED and entry is not None:
            db.session.add(StampedScan(entry_id=entry.id, stage=application.stage, form=STAMPED[slot],
                                       attachment_id=row.id, uploaded_by_id=current_user.id, uploaded_at=clock.now()))
        db.session.commit()
        flash(f"已上传：{row.original_name}（第 {row.version} 版）。", "success")
    except ValidationFailed as exc:
        db.session.rollback()
        flash_errors(exc)
    back = ".application_edit" if editable and slot not in STAMPED else ".application_show"
    return redirect(url_for(back, application_id=application_id))


@bp.route("/applications/<int:application_id>/files/<int:attachment_id>")
@login_required
def application_file(application_id: int, attachment_id: int):
    from workflows.models import Attachment

    load(application_id)
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.application_id != application_id:
        abort(404)
    return send_download(files.path_of(row), row.original_name, row.content_type)

