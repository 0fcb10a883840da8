"""The expert's pages: their panel seats, the conflict-of-interest declaration that must come first, then the
material and the score sheet per review stage (others' scores only after their own)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from registry import clock
from registry.awards import expert_tasks, files, flow, panels, scoring
from registry.awards.access import expert_of, seat_of
from registry.awards.display import flash_errors
from registry.awards.expert_tasks import REVIEW_OF_STAGE
from registry.awards.forms import DeclareForm, ItemScoreForm, ScoreForm
from registry.awards.gbt19580 import BANDS, CATEGORIES, PERCENT_STEP, field_name, maxima
from registry.awards.models import AwardEntry, PanelMember
from registry.awards.views import _stage_labels, bp
from registry.extensions import db
from registry.services.errors import DomainError, ValidationFailed



@bp.record_once
def _expert_tasks(_state) -> None:
    """An expert's 待办 (inbox, home page) are their panel seats' declarations and score sheets."""
    from workflows.services.inbox import TASK_SOURCES

    TASK_SOURCES["expert"] = expert_tasks.pending


def _seat_or_404(entry_id: int) -> PanelMember:
    seat = seat_of(current_user, entry_id)
    if seat is None or not seat.active:
        abort(404)
    return seat


@bp.route("/expert")
@login_required
def expert_index():
    """Seats on current panels: waiting for a declaration, or open for scoring at the application's stage."""
    expert = expert_of(current_user)
    if expert is None:
        abort(404)
    seats = list(db.session.scalars(select(PanelMember).where(
        PanelMember.expert_id == expert.id, PanelMember.active.is_(True)).order_by(PanelMember.id.desc())))
    rows = []
    from workflows.models import Application

    for seat in seats:
        entry = db.session.get(AwardEntry, seat.entry_id)
        application = db.session.get(Application, entry.application_id) if entry.application_id else None
        review = REVIEW_OF_STAGE.get(application.stage) if application else None
        owed = scoring.state(entry.id, review)["pending"].get(expert.id) if review else None
        rows.append({"seat": seat, "entry": entry, "application": application, "review": review, "owed": owed})
    return render_template("awards/expert.html", rows=rows, expert=expert, stages=_stage_labels())


@bp.route("/expert/entries/<int:entry_id>/declare", methods=["GET", "POST"])
@login_required
def expert_declare(entry_id: int):
    seat = _seat_or_404(entry_id)
    entry = db.session.get(AwardEntry, entry_id)
    form = DeclareForm()
    if form.validate_on_submit():
        now = clock.now()
        try:
            promoted = panels.declare(entry_id, current_user, conflict=form.conflict.data == "yes",
                                      reason=form.reason.data, now=now)
        except ValidationFailed as exc:
            flash_errors(exc)
            return redirect(url_for(".expert_declare", entry_id=entry_id))
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(url_for(".expert_index"))
        if form.conflict.data == "yes":
            flash("已登记回避，" + ("候补专家已递补。" if promoted else "市局将重新安排专家。"), "success")
            return redirect(url_for(".expert_index"))
        flash("已声明无利益冲突，可以查阅申报材料并评分。", "success")
        return redirect(url_for(".expert_review", entry_id=entry_id))
    return render_template("awards/declare.html", seat=seat, entry=entry, form=form)


@bp.route("/expert/entries/<int:entry_id>", methods=["GET", "POST"])
@login_required
def expert_review(entry_id: int):
    """Material and the score sheet of the application's current review stage."""
    seat = _seat_or_404(entry_id)
    if seat.declared_no_conflict_at is None:
        return redirect(url_for(".expert_declare", entry_id=entry_id))
    entry = db.session.get(AwardEntry, entry_id)
    from workflows.models import Application

    application = db.session.get(Application, entry.application_id) if entry.application_id else None
    review = REVIEW_OF_STAGE.get(application.stage) if application else None
    scheme = entry.round.scoring_scheme
    form = ItemScoreForm() if scheme == "items" else ScoreForm()
    state = scoring.state(entry_id, review) if review else None
    owed = set((state or {}).get("pending", {}).get(seat.expert_id, []))
    for code in maxima(scheme):  # only the codes still owed are inputs (after a spread, just those)
        if code not in owed:
            del form[field_name(code)]
    if review and owed and form.validate_on_submit():
        points = {code: float(form[field_name(code)].data) for code in maxima(scheme) if code in owed}
        try:
            out = scoring.submit(entry_id, current_user, review, points, clock.now(), comment=form.comment.data)
        except ValidationFailed as exc:
            flash_errors(exc)
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            if out.get("rescore_requested"):
                flash("评分差异过大的类目已退回重新评分。", "warning")
            flow.advance(entry.application_id)
            flash("评分已提交。", "success")
        return redirect(url_for(".expert_review", entry_id=entry_id))
    sheets = scoring.visible_sheets(entry_id, current_user, review) if review else None
    return render_template("awards/review.html", seat=seat, entry=entry, application=application, review=review,
                           form=form, owed=owed, sheets=sheets, categories=CATEGORIES, state=state, scheme=scheme,
                           bands=BANDS, percent_step=PERCENT_STEP,
                           attachments=files.listing(application.id) if application else [], stages=_stage_labels())
