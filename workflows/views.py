"""Workflow pages: the enterprise's applications, application pages with only the actions allowed now, reviewer
inboxes with bulk actions, attachments, notifications and channel settings. Views only call services."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from registry import pagination, policy
from registry.downloads import send_download
from registry.extensions import db
from registry.models import Jurisdiction, Standard
from registry.routing import int_arg, page_arg, to_int
from registry.vocab import STANDARD_STATUSES
from registry.services.errors import Conflict, DomainError, ValidationFailed
from workflows import definitions, engine
from workflows.forms import ActionForm, ApplicationForm, NewApplicationForm, PreferenceForm, UploadForm
from workflows.services import applications, attachments, inbox, messages, preferences
from workflows.spec import STATUS_LABELS

bp = Blueprint("workflows", __name__)


@bp.record_once
def _unread_badge(_state) -> None:
    from registry.navigation import BADGES

    BADGES["workflows.notifications"] = messages.unread_count


@bp.app_template_global()
def workflow_status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


@bp.app_template_global()
def action_confirmation(application, action) -> str | None:
    """The question an action's button asks before it is sent (``data-confirm``), or None."""
    from workflows.confirmations import consequence

    return consequence(application, action)


@bp.app_template_global()
def workflow_stage_label(application, stage_name: str | None = None) -> str:
    """The Chinese label of a stage of the application's definition (its current stage by default)."""
    name = stage_name or application.stage
    try:
        return _(engine.definition_of(application).stage(name).label)
    except KeyError:
        return name


@bp.app_template_global()
def workflow_label(application) -> str:
    """The application's route or procedure (品字标浙江制造培育认证, 品字标浙江农产认定, 政府质量奖申报...)."""
    return _(engine.definition_of(application).label)


@bp.app_template_global()
def application_url(application) -> str:
    """Where an application is handled: its workflow's own page (the award's pages for an award nomination)."""
    from workflows.links import application_path

    return application_path(application)


@bp.app_template_global()
def workflow_action_label(application, action_name: str) -> str:
    if action_name == "create":
        return _("创建草稿")
    for stage in engine.definition_of(application).stages:
        action = stage.action(action_name)
        if action is not None:
            return _(action.label)
    return action_name


def _standard_choices(workflow, enterprise_id: int | None):
    """The standards an application of the enterprise may name, after "none yet": what the definition's standard
    field offers (``Field.options``; the area decides which and how they read)."""
    field = next((f for f in workflow.fields if f.kind == "standard" and f.options), None)
    rows = field.options(enterprise_id) if field is not None and enterprise_id else []
    return [("", _("（尚无，拟制定）"))] + rows


def _fields(form: ApplicationForm) -> dict:
    return {"product": form.product.data, "standard_id": form.standard_id.data,
            "standard_proposal": form.standard_proposal.data, "self_assessment": form.self_assessment.data}


@bp.route("/applications")
@login_required
def index():
    if current_user.role != "enterprise":
        return redirect(url_for("workflows.inbox_page"))
    return render_template("workflows/index.html", applications=applications.mine(current_user))


@bp.route("/applications/new", methods=["GET", "POST"])
@login_required
def new():
    if current_user.role != "enterprise":
        abort(403)
    routes = definitions.offered()
    form = NewApplicationForm(workflow=request.args.get("route") or routes[0])
    form.workflow.choices = [(name, _(definitions.get(name).label)) for name in routes]
    route = form.workflow.data if form.workflow.data in routes else routes[0]
    form.standard_id.choices = _standard_choices(definitions.get(route), current_user.enterprise_id)
    if form.validate_on_submit():
        try:
            created = applications.start(current_user, form.workflow.data, None, _fields(form),
                                         idempotency_key=request.form.get("idempotency_key") or None)
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                getattr(form, name, form.product).errors = list(messages)
        else:
            flash(_("草稿已保存。确认无误后请点击“提交申请”。"), "success")
            return redirect(url_for("workflows.show", application_id=created.id))
    return render_template("workflows/form.html", form=form, application=None)


@bp.route("/applications/<int:application_id>")
@login_required
def show(application_id: int):
    application = applications.get(current_user, application_id)
    workflow = engine.definition_of(application)
    if workflow.page_endpoint != "workflows.show":
        return redirect(application_url(application))
    is_applicant = "applicant" in policy.relations(current_user, application)
    editable = is_applicant and application.status in applications.EDITABLE_STATUSES
    edit_form = None
    if editable:
        edit_form = ApplicationForm(data={**(application.data or {}), "standard_id": application.standard_id,
                                          "version": application.version})
        edit_form.standard_id.choices = _standard_choices(workflow, application.enterprise_id)
    upload_form = UploadForm()
    upload_form.slot.choices = list(attachments.SLOTS.items())
    history = applications.history(application.id)
    return render_template(
        "workflows/show.html", application=application, workflow=workflow,
        stage=workflow.stage(application.stage), actions=engine.allowed_actions(application, current_user),
        history=history, files=attachments.listing(application.id),
        slots=attachments.SLOTS, edit_form=edit_form, returned=applications.return_notice(application),
        is_applicant=is_applicant, upload_form=upload_form, action_form=ActionForm(),
        can_upload=policy.can(current_user, "application.upload", application),
        users=applications.actors_of(history), standard_choices=_standard_choices(workflow, application.enterprise_id)[1:],
        linked_standard=db.session.get(Standard, application.standard_id) if application.standard_id else None,
        standard_status_label=STANDARD_STATUSES.label)


@bp.post("/applications/<int:application_id>/edit")
@login_required
def edit(application_id: int):
    application = applications.get(current_user, application_id)  # a missing or foreign one is a 404, form or not
    form = ApplicationForm()
    form.standard_id.choices = _standard_choices(engine.definition_of(application), application.enterprise_id)
    if not form.validate_on_submit():
        flash(_("请检查填写的内容。"), "danger")
        return redirect(url_for("workflows.show", application_id=application_id))
    try:
        applications.save_draft(current_user, application_id, to_int(form.version.data, 0), _fields(form))
        flash(_("已保存。"), "success")
    except ValidationFailed as exc:
        flash("; ".join(m for ms in exc.errors.values() for m in ms), "danger")
    except Conflict as exc:
        flash(exc.message, "warning")
    return redirect(url_for("workflows.show", application_id=application_id))


@bp.post("/applications/<int:application_id>/act")
@login_required
def act(application_id: int):
    applications.get(current_user, application_id)  # a missing or foreign application is a 404, form or not
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("请求无效，请刷新页面后重试。"), "danger")
        return redirect(url_for("workflows.show", application_id=application_id))
    payload = {k: v for k, v in request.form.items() if k.startswith("f_")}
    payload = {k[2:]: v for k, v in payload.items()}
    try:
        outcome = applications.act(current_user, application_id, form.action.data, reason=form.reason.data,
                                   version=form.version.data, payload=payload)
        application = applications.get(current_user, application_id)
        flash(_("已办理：%(label)s。当前：%(stage)s · %(status)s", label=workflow_action_label(application, form.action.data),
                stage=workflow_stage_label(application), status=workflow_status_label(outcome.status)), "success")
    except ValidationFailed as exc:
        flash("; ".join(m for ms in exc.errors.values() for m in ms), "danger")
    except Conflict as exc:
        flash(_("已被他人处理，页面已刷新。") if exc.message == engine.CONFLICT_MESSAGE else exc.message, "warning")
    return redirect(url_for("workflows.show", application_id=application_id))


@bp.route("/inbox")
@login_required
def inbox_page():
    filters = inbox.Filters(stage=request.args.get("stage") or None,
                            jurisdiction_id=int_arg("jurisdiction", minimum=1),
                            overdue_only=request.args.get("overdue") == "1", q=request.args.get("q") or None)
    page = page_arg()
    items, total = inbox.inbox(current_user, filters, page=page)
    stages = list({s.name: s for name in definitions.offered() for s in definitions.get(name).stages}.values())
    jurisdictions = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.sort_order)).all() \
        if policy.can(current_user, "jurisdiction.choose") else []
    bulk = _bulk_actions(current_user)
    return render_template("workflows/inbox.html", items=items, total=total, page=page,
                           pages=pagination.page_count(total, 20), filters=filters, stages=stages,
                           jurisdictions=jurisdictions, bulk=bulk, action_form=ActionForm(),
                           task_view=current_user.role in inbox.TASK_SOURCES)


def _bulk_actions(user) -> dict | None:
    """What the inbox offers in bulk to ``user``: the stage's forward action (推荐 / 同意入库) and 退回补正."""
    forward = {"town": ("recommend", _("推荐")), "bureau": ("accept", _("同意入库"))}.get(
        policy.inbox_relation(user))
    if forward is None:
        return None
    return {"forward": forward[0], "forward_label": forward[1], "actions": {forward[0], "return"}}


@bp.post("/inbox/bulk")
@login_required
def bulk():
    action = request.form.get("action", "")
    offered = _bulk_actions(current_user)
    if offered is None or action not in offered["actions"]:
        abort(400)
    reason = (request.form.get("reason") or "").strip()
    if action == "return" and not reason:
        flash(_("批量退回请填写退回理由；未办理任何申请。"), "danger")
        return redirect(url_for("workflows.inbox_page"))
    versions = {}
    for value in request.form.getlist("pick"):
        application_id, _sep, version = value.partition(":")
        if application_id.isdigit() and version.isdigit():
            versions[int(application_id)] = int(version)
    if not versions:
        flash(_("请先勾选要办理的申请。"), "warning")
        return redirect(url_for("workflows.inbox_page"))
    results = inbox.bulk_act(current_user, action, versions, reason=reason or None)
    done = sum(1 for r in results.values() if r == "ok")
    flash(_("已办理 %(done)s 件，未办理 %(failed)s 件。", done=done, failed=len(results) - done),
          "success" if done == len(results) else "warning")
    return redirect(url_for("workflows.inbox_page"))


@bp.post("/applications/<int:application_id>/attachments")
@login_required
def upload(application_id: int):
    applications.get(current_user, application_id)  # a missing or foreign application is a 404, form or not
    form = UploadForm()
    form.slot.choices = list(attachments.SLOTS.items())
    if form.validate_on_submit():
        try:
            attachments.upload(current_user, application_id, form.slot.data, form.file.data.filename or "",
                               form.file.data.read())
            flash(_("附件已上传。"), "success")
        except ValidationFailed as exc:
            flash("; ".join(m for ms in exc.errors.values() for m in ms), "danger")
    else:
        flash(_("请选择文件。"), "danger")
    return redirect(url_for("workflows.show", application_id=application_id))


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    row, path = attachments.for_download(current_user, attachment_id)
    return send_download(path, row.original_name, row.content_type)


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    pref = preferences.get(current_user)
    form = PreferenceForm(obj=pref)
    if form.validate_on_submit():
        try:
            preferences.save(current_user, email_enabled=form.email_enabled.data, email=form.email.data,
                             webhook_enabled=form.webhook_enabled.data, webhook_url=form.webhook_url.data,
                             **form.sms_choice())
            flash(_("通知设置已保存。"), "success")
            return redirect(url_for("workflows.notifications"))
        except DomainError as exc:
            for name, problems in getattr(exc, "errors", {}).items():
                getattr(form, name).errors = list(problems)
    notes = messages.recent(current_user)
    return render_template("workflows/notifications.html", form=form, notes=notes,
                           links={n.id: messages.link_of(current_user, n) for n in notes},
                           unread=messages.unread_count(current_user))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def notification_read(notification_id: int):
    """Mark a message read; with ``open`` go on to the page it is about. (CSRFProtect checks every POST.)"""
    note = messages.mark_read(current_user, notification_id)
    if request.form.get("open"):
        target = messages.link_of(current_user, note)
        if target is not None:
            return redirect(target)
    return redirect(url_for("workflows.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def notifications_read_all():
    done = messages.mark_all_read(current_user)
    flash(_("已将 %(n)s 条消息标为已读。", n=done), "success")
    return redirect(url_for("workflows.notifications"))


from workflows import print_views  # noqa: E402,F401  (its routes join this blueprint)
from workflows import overview_views  # noqa: E402,F401  (its routes join this blueprint)
