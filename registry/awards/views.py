"""Award pages (blueprint ``awards``): the landing page per role, rounds, the panel draw, the committee and the
notice publication. Application pages are in ``application_views``, the expert's in ``expert_views``, the public
notice in ``notice_views``, print pages in ``print_views``; they add their routes to this blueprint."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from registry import clock, policy
from registry.awards import (committee, flow, kinds, notice, objections, outcome, panels, progress, rounds,
                             shortlist)
from registry.awards.access import get_round
from registry.awards.display import run_and_flash, template_helpers
from registry.awards.forms import (QUOTA_FIELDS, ApprovalForm, CommitteeForm, DrawForm, ObjectionDecisionForm,
                                   OutcomeForm, PaperObjectionForm, RoundForm, members_text, parse_members)
from registry.awards.models import AwardEntry, Objection
from registry.extensions import db
from registry.i18n import N_
from registry.services.errors import Conflict, ValidationFailed

bp = Blueprint("awards", __name__, url_prefix="/awards")


bp.app_context_processor(lambda: {"aw": template_helpers()} if request.blueprint == "awards" else {})


@bp.app_template_filter("aw_status")
def _status_label(code: str) -> str:
    from workflows.spec import STATUS_LABELS

    return _(STATUS_LABELS[code]) if code in STATUS_LABELS else code


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


def bureau_only() -> None:
    if not policy.can(current_user, "award.manage"):
        abort(404)


@bp.route("")
@login_required
def index():
    """Bureau: rounds with funnels. Enterprise: open calls and its applications. Expert: panel seats."""
    if current_user.role == "expert":
        return redirect(url_for(".expert_index"))
    all_rounds = rounds.rounds_list()
    funnels = {r.id: rounds.funnel(r.id) for r in all_rounds} if policy.can(current_user, "award.manage") else {}
    mine = []
    if current_user.role == "enterprise":
        from workflows.models import Application

        mine = list(db.session.scalars(select(Application).where(
            Application.enterprise_id == current_user.enterprise_id, Application.workflow == flow.WORKFLOW)
            .order_by(Application.id.desc())))
    town_entries = []
    if current_user.role == "town":
        town_entries = list(db.session.scalars(select(AwardEntry).where(
            policy.scope(current_user, "award_entry.view")).order_by(AwardEntry.id.desc())))
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
                quotas=form.quotas(),
                notice_days=form.notice_days.data, notice_working_days=form.notice_working_days.data,
                presentation_enabled=form.presentation_enabled.data, issuer=form.issuer.data or None,
                scoring_scheme=form.scoring_scheme.data,
                stage_deadlines=form.stage_deadlines(), **_shortlist_values(form))
        except ValidationFailed as exc:
            _form_errors(form, exc)
        else:
            flash("已开启评选批次。", "success")
            return redirect(url_for(".round_show", round_id=found.id))
    return render_template("awards/round_form.html", form=form, round=None)


def _shortlist_values(form) -> dict:
    score = form.shortlist_min_score.data
    return {"shortlist_min_score": None if score is None else float(score),
            "shortlist_max": form.shortlist_max.data}


def _form_errors(form, exc: ValidationFailed) -> None:
    for field, messages in exc.errors.items():
        target = getattr(form, {"quotas": "quota_award"}.get(field, field), None) or form.name
        target.errors = list(target.errors or []) + list(messages)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def round_edit(round_id: int):
    """Change a round's dates, quotas, notice rule and stage deadlines until its list goes to public notice."""
    bureau_only()
    found = get_round(round_id)
    if found.status not in rounds.EDITABLE_UNTIL_NOTICE:
        flash("拟表彰名单公示后，批次设置不能再修改。", "danger")
        return redirect(url_for(".round_show", round_id=round_id))
    form = RoundForm(obj=None if request.method == "POST" else _round_values(found))
    del form.level, form.year, form.presentation_enabled, form.scoring_scheme  # fixed when the round opened
    if form.validate_on_submit():
        try:
            rounds.update_round(
                current_user, round_id, clock.now(), name=form.name.data, call_opens_on=form.call_opens_on.data,
                call_closes_on=form.call_closes_on.data,
                quotas=form.quotas(),
                notice_days=form.notice_days.data, notice_working_days=form.notice_working_days.data,
                issuer=form.issuer.data or None, stage_deadlines=form.stage_deadlines(), **_shortlist_values(form))
        except ValidationFailed as exc:
            _form_errors(form, exc)
        except Conflict as exc:
            flash(exc.message, "danger")
            return redirect(url_for(".round_show", round_id=round_id))
        else:
            flash("批次设置已保存；已在相应环节的申报按新的截止日期提醒和督办。", "success")
            return redirect(url_for(".round_show", round_id=round_id))
    return render_template("awards/round_form.html", form=form, round=found)


def _round_values(found):
    """The round as form data (an object with the form's attribute names)."""
    values = {"name": found.name, "call_opens_on": found.call_opens_on, "call_closes_on": found.call_closes_on,
              **{name: found.quotas.get(kind, 0) for name, kind in QUOTA_FIELDS.items()},
              "notice_days": found.notice_days, "notice_working_days": found.notice_working_days,
              "issuer": found.issuer, "shortlist_min_score": found.shortlist_min_score,
              "shortlist_max": found.shortlist_max}
    for stage in rounds.DEADLINE_STAGES:
        raw = (found.stage_deadlines or {}).get(stage)
        values[f"deadline_{stage}"] = date.fromisoformat(raw) if raw else None
    return SimpleNamespace(**values)


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
    filed = list(db.session.scalars(select(Objection).where(Objection.round_id == round_id)
                                    .order_by(Objection.id.desc())))
    members = committee.members_of(round_id)
    committee_form = CommitteeForm(data={"met_on": found.committee_met_on, "members": members_text(members),
                                         "resolution": found.committee_resolution})
    paper_form = PaperObjectionForm(prefix="paper")
    paper_form.entry_id.choices = objections.targets(round_id)
    return render_template(
        "awards/round.html", round=found, entries=entries, apps=apps, draws=draws, funnel=rounds.funnel(round_id),
        objections=filed, stages=_stage_labels(), draw_form=DrawForm(), decision_form=ObjectionDecisionForm(),
        committee_form=committee_form, members=members, paper_form=paper_form, approval_form=ApprovalForm(),
        outcome_form=OutcomeForm(), outcome_rows=[(e, outcome.choices(found, e)) for e in outcome.recommended(round_id)]
        if found.mode == kinds.RECOMMEND else [],
        shortlist=shortlist.overview(found),
        suggestion=committee.suggestion(round_id) if found.status in ("open", "reviewing") else {},
        ranking=committee.ranking(round_id), open_objections=notice.open_objections(round_id),
        call_open=clock.today() <= found.call_closes_on, unfinished=progress.unfinished(found),
        deadlines=rounds.deadline_overview(found, list(apps.values()), clock.now()))


@bp.route("/rounds/<int:round_id>/draw", methods=["POST"])
@login_required
def round_draw(round_id: int):
    """Draw panels for the chosen entries (one batch; an existing panel is redrawn only with a reason)."""
    bureau_only()
    get_round(round_id)  # 404 for a missing round
    form = DrawForm()
    ids = [int(i) for i in request.form.getlist("entry_ids") if i.isdigit()]
    if form.validate_on_submit():
        run_and_flash(lambda: panels.draw_panels(current_user, ids, clock.now(), reason=form.reason.data,
                                                 size=form.size.data, n_substitutes=form.substitutes.data,
                                                 round_id=round_id),
                      f"已为 {len(ids)} 个申报随机抽取专家组，抽取记录可复核。")
    else:
        flash("请填写专家组人数（不少于 5 人）和候补人数。", "danger")
    return redirect(url_for(".round_show", round_id=round_id))


@bp.route("/rounds/<int:round_id>/committee", methods=["POST"])
@login_required
def round_committee(round_id: int):
    """Record the committee's meeting: members present, each ranked entry's vote and result, the resolution."""
    bureau_only()
    get_round(round_id)
    form = CommitteeForm()
    if not form.validate_on_submit():
        flash("请填写审议日期、出席委员和审议决议。", "danger")
        return redirect(url_for(".round_show", round_id=round_id) + "#committee")
    decisions, votes = {}, {}
    for entry in committee.ranking(round_id):
        decisions[entry.id] = request.form.get(f"entry_{entry.id}", "") or None
        votes[entry.id] = tuple(request.form.get(f"votes_{kind}_{entry.id}", "").strip() or None
                                for kind in ("for", "against", "abstain"))
    run_and_flash(lambda: committee.decide(
        round_id, current_user, decisions, clock.now(), met_on=form.met_on.data,
        members=parse_members(form.members.data), votes=votes, resolution=form.resolution.data), "审议结果已保存。")
    return redirect(url_for(".round_show", round_id=round_id) + "#committee")


@bp.route("/rounds/<int:round_id>/publish", methods=["POST"])
@login_required
def round_publish(round_id: int):
    bureau_only()
    get_round(round_id)
    now = clock.now()
    if run_and_flash(lambda: notice.publish(round_id, current_user, now), "拟表彰名单已公示。"):
        flow.advance_round(round_id, now)
    return redirect(url_for(".round_show", round_id=round_id))


from registry.awards import (application_views, expert_views, final_views, notice_views, pool_views,  # noqa: E402,F401
                             print_views)
