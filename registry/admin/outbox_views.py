"""Message delivery page (消息投递): how the outbox stands, whether the worker is alive, and the messages that gave
up (dead rows), which staff retry or discard. The use cases are ``workflows.services.outbox``."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry import clock
from registry.admin.views import bp
from registry.services.errors import ValidationFailed
from workflows.services import outbox

CHANNEL_LABELS = {"email": _l("电子邮件"), "webhook": _l("机器人 Webhook"), "sms": _l("短信")}


def _view_args(source) -> dict:
    """The list the person came from (status, channel, page), to return to after an action."""
    args = {}
    if source.get("status") == outbox.DISCARDED:
        args["status"] = outbox.DISCARDED
    channel = outbox.channel_name(source.get("channel"))
    if channel:
        args["channel"] = channel
    page = source.get("page", "")
    if page.isdigit() and int(page) > 1:
        args["page"] = int(page)
    return args


@bp.app_template_filter("outbox_age")
def outbox_age(seconds: float | None) -> str:
    """A duration as people say it: 40 秒, 12 分钟, 3 小时, 2 天."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return _("%(n)s 秒", n=seconds)
    if seconds < 3600:
        return _("%(n)s 分钟", n=seconds // 60)
    if seconds < 86400:
        return _("%(n)s 小时", n=seconds // 3600)
    return _("%(n)s 天", n=seconds // 86400)


@bp.app_template_global()
def outbox_channel_label(channel: str) -> str:
    label = CHANNEL_LABELS.get(channel)
    return str(label) if label else channel or "—"


def _page(messages=(), status_code=200):
    args = _view_args(request.form if request.method == "POST" else request.args)
    status = args.get("status", outbox.DEAD)
    page = outbox.set_aside(current_user, status=status, channel=args.get("channel"), page=args.get("page", 1))
    return render_template("admin/outbox.html", overview=outbox.overview(current_user, clock.now()), rows=page,
                           status=status, channel=args.get("channel"), view_args=args, messages=messages,
                           down_after=outbox.WORKER_DOWN_AFTER.total_seconds(), note_max=outbox.NOTE_MAX), status_code


@bp.route("/outbox")
def outbox_page():
    return _page()


@bp.route("/outbox/<int:outbox_id>/retry", methods=["POST"])
def outbox_retry(outbox_id: int):
    expected = outbox.DISCARDED if request.form.get("status") == outbox.DISCARDED else outbox.DEAD
    if outbox.retry(current_user, outbox_id, clock.now(), expected):
        flash(_("已重新排队发送第 %(id)s 号消息。", id=outbox_id), "success")
    else:
        flash(_("第 %(id)s 号消息已不在此列表中（可能已有人处理），未再次发送。", id=outbox_id), "warning")
    return redirect(url_for(".outbox_page", **_view_args(request.form)))


@bp.route("/outbox/retry-channel", methods=["POST"])
def outbox_retry_channel():
    channel = request.form.get("retry_channel", "")
    try:
        count = outbox.retry_channel(current_user, channel, clock.now())
    except ValidationFailed as exc:
        return _page([m for ms in exc.errors.values() for m in ms], 422)
    flash(_("已重新排队发送 %(n)s 条%(channel)s消息。", n=count, channel=outbox_channel_label(channel)), "success")
    return redirect(url_for(".outbox_page", **_view_args(request.form)))


@bp.route("/outbox/<int:outbox_id>/discard", methods=["POST"])
def outbox_discard(outbox_id: int):
    try:
        changed = outbox.discard(current_user, outbox_id, request.form.get("note"), clock.now())
    except ValidationFailed as exc:
        return _page([m for ms in exc.errors.values() for m in ms], 422)
    if changed:
        flash(_("已放弃第 %(id)s 号消息，不再发送。", id=outbox_id), "success")
    else:
        flash(_("第 %(id)s 号消息已不在失败列表中（可能已有人处理），未作改动。", id=outbox_id), "warning")
    return redirect(url_for(".outbox_page", **_view_args(request.form)))
