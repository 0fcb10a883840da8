"""The account's API-token page: a user sees and revokes their own tokens; an administrator revokes anyone's
(from the user's page in 系统管理, through the same revoke route)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.auth.tokens import is_live
from registry.auth.views import bp, safe_next
from registry.services import api_tokens


@bp.route("/account/tokens")
@login_required
def tokens():
    rows = api_tokens.list_tokens(current_user)
    return render_template("auth/tokens.html", tokens=rows, is_live=is_live)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    row = api_tokens.revoke(current_user, token_id)
    flash(_("已撤销令牌“%(name)s”，使用它的请求将被拒绝。", name=row.label or "—"), "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".tokens"))


@bp.after_request
def _no_store(response):
    if request.endpoint in ("auth.tokens", "auth.change_password"):
        response.headers["Cache-Control"] = "no-store"
    return response
