"""The round's last steps in the bureau's pages: the shortlist, objections received on paper, the investigation and
answer of each objection, and the 审定 step: the government's decision, or the higher body's outcome of a round that
recommends upward. Each button calls one use case, then moves the
round's applications on (``flow.advance_round``)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry import clock
from registry.awards import flow, notice, objections, outcome, shortlist
from registry.awards.access import get_round
from registry.awards.display import run_and_flash
from registry.awards.forms import ApprovalForm, ObjectionDecisionForm, OutcomeForm, PaperObjectionForm
from registry.awards.models import Objection
from registry.awards.views import bp, bureau_only
from registry.extensions import db
from registry.routing import to_int
from registry.services.errors import NotFound


def _back(round_id: int, anchor: str):
    return redirect(url_for(".round_show", round_id=round_id) + anchor)


@bp.route("/rounds/<int:round_id>/shortlist", methods=["POST"])
@login_required
def round_shortlist(round_id: int):
    """Confirm the shortlist (the ticked entries go on; the others are told and closed)."""
    bureau_only()
    get_round(round_id)
    chosen = {i for i in (to_int(v) for v in request.form.getlist("shortlist")) if i is not None}
    now = clock.now()
    if run_and_flash(lambda: shortlist.decide(round_id, current_user, chosen, now), "入围名单已确定，已通知各申报企业。"):
        flow.advance_round(round_id, now)
    return _back(round_id, "#shortlist")


@bp.route("/rounds/<int:round_id>/objections", methods=["POST"])
@login_required
def round_paper_objection(round_id: int):
    """Enter an objection received on paper."""
    bureau_only()
    get_round(round_id)
    form = PaperObjectionForm(prefix="paper")
    form.entry_id.choices = objections.targets(round_id)
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "danger")
        return _back(round_id, "#objections")
    upload = (form.file.data.filename, form.file.data.read()) if form.file.data else None
    now = clock.now()
    if run_and_flash(lambda: objections.enter_paper(
            round_id, current_user, name=form.name.data, phone=form.phone.data, text=form.text.data,
            received_on=form.received_on.data, now=now, entry_id=form.entry_id.data or None, upload=upload),
            "书面异议已登记，待调查核实。"):
        flow.advance_round(round_id, now)
    return _back(round_id, "#objections")


@bp.route("/objections/<int:objection_id>/decide", methods=["POST"])
@login_required
def objection_decide(objection_id: int):
    """Record the investigation and the answer (an upheld objection takes the entry off the list)."""
    bureau_only()
    row = db.session.get(Objection, objection_id) or abort(404)
    form = ObjectionDecisionForm()
    if form.validate_on_submit():
        now = clock.now()
        if run_and_flash(lambda: objections.decide(objection_id, current_user, upheld=form.outcome.data == "upheld",
                                                   investigation=form.investigation.data, answer=form.reason.data,
                                                   now=now), "异议已调查核实并答复。"):
            flow.advance_round(row.round_id, now)
    else:
        flash("请填写调查核实情况和答复意见。", "danger")
    return _back(row.round_id, "#objections")


@bp.route("/objections/<int:objection_id>/file")
@login_required
def objection_file(objection_id: int):
    bureau_only()
    row = db.session.get(Objection, objection_id) or abort(404)
    try:
        path = objections.file_path(row)
    except NotFound:
        abort(404)
    return send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.file_name or "file")


@bp.route("/rounds/<int:round_id>/approve", methods=["POST"])
@login_required
def round_approve(round_id: int):
    """Record the city government's decision (文号, date): the honours are created now."""
    bureau_only()
    get_round(round_id)
    form = ApprovalForm()
    if not form.validate_on_submit():
        flash("请填写审定文件的文号和日期。", "danger")
        return _back(round_id, "#approval")
    now = clock.now()
    if run_and_flash(lambda: notice.approve(round_id, current_user, number=form.number.data,
                                            decided_on=form.decided_on.data, now=now),
                     "已登记政府审定结果，荣誉已记入企业名录。"):
        flow.advance_round(round_id, now)
    return _back(round_id, "#approval")


@bp.route("/rounds/<int:round_id>/outcome", methods=["POST"])
@login_required
def round_outcome(round_id: int):
    """A round that recommends upward: record the higher body's decision (文号, date) and each recommended entry's
    result; honours are created for those that won."""
    bureau_only()
    get_round(round_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        flash(_("请填写评定文件的文号和日期。"), "danger")
        return _back(round_id, "#approval")
    results = {e.id: request.form.get(f"outcome_{e.id}") or None for e in outcome.recommended(round_id)}
    now = clock.now()
    if run_and_flash(lambda: outcome.record(round_id, current_user, results, number=form.number.data,
                                            decided_on=form.decided_on.data, now=now),
                     _("已登记上级评定结果，获奖企业的荣誉已记入企业名录。")):
        flow.advance_round(round_id, now)
    return _back(round_id, "#approval")
