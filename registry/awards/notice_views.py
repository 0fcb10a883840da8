"""The public notice (公示) page: anyone may read it without signing in and, while the window is open, object in
writing under their real name (name, phone, the objection, an optional file) without an account. Posting is
rate-limited per client address (OBJECTION_RATE_LIMIT) and CSRF-protected like every form."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from registry import clock
from registry.awards import committee, notice, objections
from registry.awards.access import get_round
from registry.awards.forms import ObjectionForm
from registry.awards.views import bp
from registry.extensions import limiter
from registry.services.errors import DomainError, NotFound, ValidationFailed

PUBLIC_STATUSES = ("notice", "approval", "finalised")


def _public_round(round_id: int):
    try:
        found = get_round(round_id)
    except NotFound:
        abort(404)
    if found.status not in PUBLIC_STATUSES:
        abort(404)
    return found


def _objection_limit() -> str:
    return current_app.config["OBJECTION_RATE_LIMIT"]


@bp.route("/notices/<int:round_id>", methods=["GET", "POST"])
@limiter.limit(_objection_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 404)
def notice_show(round_id: int):
    found = _public_round(round_id)
    listed = committee.proposed(round_id)
    form = ObjectionForm()
    form.entry_id.choices = objections.targets(round_id)
    now = clock.now()
    window_open = found.status == "notice" and now <= notice.parse_now(found.notice_ends_at)
    if form.validate_on_submit():
        upload = (form.file.data.filename, form.file.data.read()) if form.file.data else None
        try:
            objections.file_public(round_id, name=form.name.data, phone=form.phone.data, text=form.text.data,
                                   now=now, entry_id=form.entry_id.data or None, upload=upload, user=current_user)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                target = getattr(form, field, None) or form.text
                target.errors = list(target.errors or []) + list(messages)
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            flash("异议已实名提交。市场监管局将调查核实，并通过您留下的电话答复。", "success")
            return redirect(url_for(".notice_show", round_id=round_id))
    return render_template("awards/notice.html", round=found, listed=listed, form=form, window_open=window_open)


