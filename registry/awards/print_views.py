"""Print pages officials stamp (盖章): 申报表 with the self-assessment, 推荐意见表 and 审核意见表. Plain HTML with
print CSS; the stamped scan goes back through the application page's upload."""
from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user, login_required

from registry import clock, policy
from registry.awards import flow
from registry.awards.application_views import load
from registry.awards.gbt19580 import CATEGORIES, TOTAL_POINTS
from registry.awards.models import AwardRound
from registry.awards.views import bp
from registry.extensions import db

FORMS = {"application": "awards/print_application.html", "recommendation": "awards/print_recommendation.html",
         "review": "awards/print_review.html"}


@bp.route("/applications/<int:application_id>/print/<form>")
@login_required
def application_print(application_id: int, form: str):
    if form not in FORMS:
        abort(404)
    from workflows.services import applications

    application = load(application_id)
    if form == "review" and not policy.can(current_user, "award.manage"):
        abort(404)
    entry = flow.entry_of(application)
    data = application.data or {}
    points = (entry.self_assessment if entry else data.get("self_assessment")) or {}
    history = applications.history(application_id)
    recommended = next((t for t in history if t.action == "recommend"), None)
    return render_template(FORMS[form], application=application, entry=entry, firm=application.enterprise,
                           round=db.session.get(AwardRound, int(data.get("round_id") or 0)), points=points,
                           categories=CATEGORIES, total_points=TOTAL_POINTS, recommended=recommended,
                           self_total=round(sum(float(v) for v in points.values()), 1), printed_on=clock.today())
