"""开发邮箱: the letters the development mail sink caught (``workflows.mailsink``); 404 where the sink is off."""
from __future__ import annotations

from flask import abort, render_template

from registry.admin.views import bp
from workflows import mailsink


def _require_sink() -> None:
    if not mailsink.enabled():
        abort(404)


@bp.route("/mail")
def mail_page():
    _require_sink()
    return render_template("admin/mail.html", letters=mailsink.letters(), shown=None, folder=mailsink.directory())


@bp.route("/mail/<name>")
def mail_letter(name: str):
    _require_sink()
    return render_template("admin/mail.html", letters=mailsink.letters(), shown=mailsink.letter(name),
                           folder=mailsink.directory())
