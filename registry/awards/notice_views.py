"""The public notice (公示) page: anyone may read it without signing in; a signed-in person may file a named
objection while the window is open."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from registry import clock
from registry.awards import committee, notice
from registry.awards.access import get_round
from registry.awards.display import AWARD_TYPE_LABELS, run_and_flash
from registry.awards.forms import ObjectionForm
from registry.awards.views import bp
from registry.services.errors import NotFound


def _public_round(round_id: int):
    try:
        found = get_round(round_id)
    except NotFound:
        abort(404)
    if found.status not in ("notice", "finalised"):
        abort(404)
    return found


@bp.route("/notices/<int:round_id>", methods=["GET", "POST"])
def notice_show(round_id: int):
    found = _public_round(round_id)
    listed = committee.proposed(round_id)
    form = ObjectionForm()
    form.entry_id.choices = [(0, "（整体名单）")] + [
        (e.id, f"{e.enterprise.name}（{AWARD_TYPE_LABELS.label(e.proposed)}）") for e in listed]
    now = clock.now()
    window_open = found.status == "notice" and now <= notice.parse_now(found.notice_ends_at)
    if form.validate_on_submit():
        if not current_user.is_authenticated:
            abort(403)
        run_and_flash(lambda: notice.file_objection(round_id, current_user, form.text.data, now,
                                                    entry_id=form.entry_id.data or None, contact=form.contact.data),
                      "异议已实名提交，市局将核查处理。")
        return redirect(url_for(".notice_show", round_id=round_id))
    return render_template("awards/notice.html", round=found, listed=listed, form=form, window_open=window_open)
