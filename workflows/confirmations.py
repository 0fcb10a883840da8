"""What an action will do, in words, for the confirmation every irreversible button asks for.

Pages put the text in the form's ``data-confirm`` attribute; ``registry/static/js/app.js`` shows it in a dialog
before the form is sent (no inline script: CSP). The form stays a plain POST.
"""
from __future__ import annotations

from flask_babel import gettext as _

from workflows import engine
from workflows.spec import CLOSED_STATUSES, RETURNED, WITHDRAWN

# Actions that change nothing anyone must live with (they can be redone at once): no question.
_HARMLESS = frozenset({"link_standard", "record_surveillance"})


def consequence(application, action) -> str | None:
    """The question for ``action`` on ``application``: what will happen, and that it cannot be undone.
    None for an action that needs no confirmation."""
    if action.name in _HARMLESS:
        return None
    label = _(action.label)
    workflow = engine.definition_of(application)
    stage = workflow.stage(application.stage)
    if action.status == WITHDRAWN:
        what = _("申请将撤回并结束，不能恢复；以后如需申请，须重新填写。")
    elif action.status == RETURNED:
        what = _("申请将退回企业补正，办理计时暂停；企业补正并重新提交后才会回到审核人。退回理由会通知企业。")
    elif action.status in CLOSED_STATUSES:
        what = _("这件申请将就此结束，企业会收到通知（含理由），之后不能恢复。")
    elif action.status == "revoked":
        what = _("撤销后不能恢复，企业会收到通知，登记库中的记录标为已撤销。")
    elif action.status == "suspended":
        what = _("证书将暂停，登记库中显示为暂停，直到恢复。")
    elif action.name == "resubmit":
        what = _("申请将回到“%(stage)s”继续审核，审核期间不能修改申请内容。", stage=_(stage.label))
    elif action.name == "issue_certificate":
        what = _("将把证书登记到企业的认证证书记录，申请办结为“获证”，证书编号登记后不能更改。")
    elif action.target is not None:
        try:
            following = workflow.following(stage.name, engine.stage_enabled) if action.target == "@next" \
                else workflow.stage(action.target)
        except KeyError:
            following = None
        if action.name in ("submit", "resubmit"):
            what = _("提交后进入“%(next)s”，审核期间不能修改申请内容。", next=_(following.label) if following else "")
        elif following is not None:
            what = _("申请将进入下一环节“%(next)s”，本环节的结论不能撤回；企业会收到通知。", next=_(following.label))
        else:
            what = _("本环节的结论不能撤回。")
    else:
        what = _("此操作不能撤回。")
    return _("%(action)s“%(title)s”：%(what)s确定吗？", action=label, title=application.title, what=what)
