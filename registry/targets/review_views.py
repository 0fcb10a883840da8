"""Plan review pages (规划评估): list and start a review, follow its progress, read it (printable), download its
workbook, issue it."""
from __future__ import annotations

from io import BytesIO

from flask import flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.audit.trail import exported
from registry.clock import aware, local_date, today

from registry.downloads import export_name, send_download
from registry.forms.specs import show_errors
from registry.services.errors import Conflict, ValidationFailed
from registry.targets import charts, reviews, services
from registry.targets.blueprint import bp
from registry.targets.forms import ReviewForm
from registry.targets.review_workbook import review_workbook


def _list_page(form, status: int = 200):
    return render_template("targets/reviews.html", form=form, items=reviews.recent(current_user), kinds=reviews.KINDS,
                           filters=services.Filters(today())), status


@bp.route("/reviews", methods=["GET", "POST"])
@login_required
def plan_reviews():
    services.require_viewer(current_user)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            found = reviews.start(current_user, form.kind.data, form.year.data)
        except ValidationFailed as exc:
            show_errors(form, exc.errors)
            return _list_page(form, 422)
        return redirect(url_for("targets.plan_review", review_id=found.id))
    return _list_page(form, 422 if form.errors else 200)


@bp.get("/reviews/<int(max=2147483647):review_id>")
@login_required
def plan_review(review_id: int):
    review = reviews.get(current_user, review_id)
    trends = {}
    if review.payload:
        for row in review.payload["rows"]:
            if row["kind"] != "growth":
                values = {int(y): v for y, v in row["values"].items()}
                trends[row["code"]] = charts.path_chart(values, row["baseline"], row["target_value"], row["name"])
    return render_template("targets/review.html", review=review, p=review.payload, kinds=reviews.KINDS,
                           trends=trends)


@bp.get("/reviews/<int(max=2147483647):review_id>.json")
@login_required
def plan_review_progress(review_id: int):
    review = reviews.get(current_user, review_id)
    return jsonify({"id": review.id, "status": review.status, "progress": review.progress, "total": review.total,
                    "download": url_for("targets.plan_review_xlsx", review_id=review.id)
                    if review.status == "done" else None})


@bp.get("/reviews/<int(max=2147483647):review_id>.xlsx")
@login_required
def plan_review_xlsx(review_id: int):
    review = reviews.get(current_user, review_id)
    if review.status != "done":
        return redirect(url_for("targets.plan_review", review_id=review.id))
    issued = f"{local_date(aware(review.issued_at)):%Y-%m-%d} 印发" if review.issued_at else None  # the Linhai date
    exported(current_user, "规划评估", {"year": review.year, "kind": review.kind}, target=f"plan_review:{review.id}")
    data = review_workbook(review.payload, issued)
    return send_download(BytesIO(data), export_name(f"规划评估-{review.year}-{reviews.KINDS[review.kind]}"))


@bp.post("/reviews/<int(max=2147483647):review_id>/issue")
@login_required
def issue_plan_review(review_id: int):
    try:
        reviews.issue(current_user, review_id)
        flash(_("评估报告已印发，此后内容不再变化。"), "success")
    except Conflict as exc:
        flash(exc.message, "danger")
    return redirect(url_for("targets.plan_review", review_id=review_id))


@bp.post("/reviews/<int(max=2147483647):review_id>/rebuild")
@login_required
def rebuild_plan_review(review_id: int):
    try:
        reviews.rebuild(current_user, review_id)
    except Conflict as exc:
        flash(exc.message, "danger")
    return redirect(url_for("targets.plan_review", review_id=review_id))
