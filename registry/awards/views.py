"""Award pages (blueprint ``awards``): the landing page per role, rounds, the panel draw, the committee and the
notice publication. Application pages are in ``application_views``, the expert's in ``expert_views``, the public
notice in ``notice_views``, print pages in ``print_views``; they add their routes to this blueprint."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from registry import clock
from registry.awards import committee, flow, notice, panels, rounds
from registry.awards.access import get_round, is_bureau
from registry.awards.display import flash_errors, template_helpers
from registry.awards.forms import DrawForm, ObjectionDecisionForm, RoundForm
from registry.awards.models import AwardEntry, Objection
from registry.extensions import db
from registry.i18n import N_
from registry.services.errors import Conflict, DomainError, ValidationFailed

bp = Blueprint("awards", __name__, url_prefix="/awards")
bp.app_context_processor(lambda: {"aw": template_helpers()} if request.blueprint == "awards" else {})


@bp.app_template_filter("aw_status")
def _status_label(code: str) -> str:
    from workflows.spec import STATUS_LABELS

    return STATUS_LABELS.get(code, code)


@bp.app_template_filter("aw_slot")
def _slot_label(code: str) -> str:
    from registry.awards.files import SLOTS

    return SLOTS.get(code, code)


@bp.app_template_filter("aw_action")
def _action_label(code: str) -> str:
    from workflows import definitions

    labels = {"create": N_("创建申报")}
    for stage in definitions.get(flow.WORKFLOW).stages:
        labels.update({a.name: a.label for a in stage.actions if a.name not in labels})
    return _(labels.get(code, code))


@bp.app_template_filter("aw_dt")
def _parse_dt(value: str):
    from registry.clock import parse_now

    return parse_now(value) if value else None


def bureau_only() -> None:
    if not is_bureau(current_user):
        abort(404)


@bp.route("")
@login_required
def index():
    """Bureau: rounds with funnels. Enterprise: open calls and its applications. Expert: panel seats."""
    if current_user.role == "expert":
        return redirect(url_for(".expert_index"))
    all_rounds = rounds.rounds_list()
    funnels = {r.id: rounds.funnel(r.id) for r in all_rounds} if is_bureau(current_user) else {}
    mine = []
    if current_user.role == "enterprise":
        from workflows.models import Application

        mine = list(db.session.scalars(select(Application).where(
            Application.enterprise_id == current_user.enterprise_id, Application.workflow == flow.WORKFLOW)
            .order_by(Application.id.desc())))
    town_entries = []
    if current_user.role == "town":
        from registry.awards.access import entry_condition

        town_entries = list(db.session.scalars(select(AwardEntry).where(entry_condition(current_user))
                                               .order_by(AwardEntry.id.desc())))
    return render_template("awards/index.html", rounds=all_rounds, funnels=funnels, mine=mine,
                           town_entries=town_entries, today=clock.today(), stages=_stage_labels())


def _stage_labels() -> dict[str, str]:
    from workflows import definitions

    return {s.name: _(s.label) for s in definitions.get(flow.WORKFLOW).stages}


@bp.route("/rounds/new", methods=["GET", "POST"])
@login_required
def round_new():
    bureau_only()
    form = RoundForm()
    if form.validate_on_submit():
        try:
            found = rounds.open_round(
                current_user, name=form.name.data, level=form.level.data, year=form.year.data,
                call_opens_on=form.call_opens_on.data, call_closes_on=form.call_closes_on.data,
                quotas={"quality_award": form.quota_award.data,
                        "quality_award_nomination": form.quota_nomination.data or 0},
                notice_days=form.notice_days.data, notice_working_days=form.notice_working_days.data,
                presentation_enabled=form.presentation_enabled.data, issuer=form.issuer.data or None)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                getattr(form, field, form.name).errors = list(messages)
        else:
            flash("已开启评选批次。", "success")
            return redirect(url_for(".round_show", round_id=found.id))
    return render_template("awards/round_form.html", form=form)


@bp.route("/rounds/<int:round_id>")
@login_required
def round_show(round_id: int):
    """The bureau's view of a round: funnel, entries with stage and scores, draws, committee, objections."""
    bureau_only()
    found = get_round(round_id)
    entries = list(db.session.scalars(select(AwardEntry).where(AwardEntry.round_id == round_id)
                                      .order_by(AwardEntry.rank.nulls_last(), AwardEntry.id)))
    from workflows.models import Application

    apps = {a.id: a for a in db.session.scalars(select(Application).where(
        Application.id.in_([e.application_id for e in entries if e.application_id])))}
    draws = {e.id: panels.current_draw(e.id) for e in entries}
    objections = list(db.session.scalars(select(Objection).where(Objection.round_id == round_id)
                                         .order_by(Objection.id.desc())))
    return render_template(
        "awards/round.html", round=found, entries=entries, apps=apps, draws=draws, funnel=rounds.funnel(round_id),
        objections=objections, stages=_stage_labels(), draw_form=DrawForm(), decision_form=ObjectionDecisionForm(),
        suggestion=committee.suggestion(round_id) if found.status in ("open", "reviewing") else {},
        ranking=committee.ranking(round_id), open_objections=notice.open_objections(round_id))


@bp.route("/rounds/<int:round_id>/draw", methods=["POST"])
@login_required
def round_draw(round_id: int):
    """Draw panels for the chosen entries (one batch; an existing panel is redrawn only with a reason)."""
    bureau_only()
    get_round(round_id)  # 404 for a missing round
    form = DrawForm()
    ids = [int(i) for i in request.form.getlist("entry_ids") if i.isdigit()]
    if form.validate_on_submit():
        try:
            made = panels.draw_panels(current_user, ids, clock.now(), reason=form.reason.data,
                                      size=form.size.data, n_substitutes=form.substitutes.data)
            flash(f"已为 {len(made)} 个申报随机抽取专家组，抽取记录可复核。", "success")
        except ValidationFailed as exc:
            flash_errors(exc)
        except Conflict as exc:
            flash(exc.message, "danger")
    else:
        flash("请填写专家组人数（不少于 5 人）和候补人数。", "danger")
    return redirect(url_for(".round_show", round_id=round_id))


@bp.route("/rounds/<int:round_id>/committee", methods=["POST"])
@login_required
def round_committee(round_id: int):
    """Record the committee's decision (one select per ranked entry) within the quota."""
    bureau_only()
    get_round(round_id)
    decisions = {}
    for entry in committee.ranking(round_id):
        value = request.form.get(f"entry_{entry.id}", "")
        decisions[entry.id] = value or None
    try:
        committee.decide(round_id, current_user, decisions, clock.now())
        flash("审议结果已保存。", "success")
    except ValidationFailed as exc:
        flash_errors(exc)
    except DomainError as exc:
        flash(exc.message, "danger")
    return redirect(url_for(".round_show", round_id=round_id) + "#committee")


@bp.route("/rounds/<int:round_id>/publish", methods=["POST"])
@login_required
def round_publish(round_id: int):
    bureau_only()
    get_round(round_id)
    now = clock.now()
    try:
        notice.publish(round_id, current_user, now)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        flow.advance_round(round_id, now)
        flash("拟表彰名单已公示。", "success")
    return redirect(url_for(".round_show", round_id=round_id))


@bp.route("/objections/<int:objection_id>/decide", methods=["POST"])
@login_required
def objection_decide(objection_id: int):
    bureau_only()
    row = db.session.get(Objection, objection_id) or abort(404)
    form = ObjectionDecisionForm()
    if form.validate_on_submit():
        now = clock.now()
        try:
            notice.decide_objection(objection_id, current_user, form.outcome.data == "upheld", form.reason.data, now)
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            flow.advance_round(row.round_id, now)
            flash("异议已处理。", "success")
    else:
        flash("请填写处理意见。", "danger")
    return redirect(url_for(".round_show", round_id=row.round_id) + "#objections")


from registry.awards import application_views, expert_views, notice_views, print_views  # noqa: E402,F401
