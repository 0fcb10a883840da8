"""Expert pool pages (专家库) on the ``awards`` blueprint: the list, the expert form, the expert's page (ties, sign-in
account, panel history, change history). Bureau staff and administrators only; everyone else gets 404. The views
parse the request and call ``registry.awards.pool``; the rules live there."""
from __future__ import annotations

import ast

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from registry import clock
from registry.awards import pool, pool_import
from registry.awards.display import EXCLUSION_LABELS
from registry.timefmt import local_time
from registry.awards.models import Expert
from registry.awards.pool_forms import (ExpertForm, ImportForm, LinkAccountForm, NewAccountForm, PoolSearchForm,
                                        TieForm)
from registry.awards.views import bp, bureau_only
from registry.downloads import send_download
from registry.extensions import db
from registry.models import Enterprise, User
from registry.services.errors import Conflict, NotFound, ValidationFailed
from registry.vocab import Vocab

FILTER_KEYS = ("q", "specialty", "active", "can_lead")
MAX_PAGE = 100_000
HISTORY_LIMIT = 200
SEAT_STATUS = Vocab(superseded=_l("抽取已作废（重新抽取）"), conflict=_l("申报回避"), replaced=_l("已被替换"),
                    declared=_l("已声明无利益冲突"), awaiting=_l("待声明利益冲突"), substitute=_l("候补"))
SEAT_ROLES = Vocab(leader=_l("组长"), member=_l("成员"), substitute=_l("候补"))
FIELD_LABELS = {"name": _l("姓名"), "title": _l("职称"), "employer": _l("工作单位"), "specialties": _l("专业领域"),
                "can_lead": _l("可任组长"), "active": _l("在库"), "user_id": _l("登录账户"), "kind": _l("关联类型"),
                "enterprise_id": _l("名录企业"), "org_name": _l("单位名称"), "group_name": _l("集团名称"),
                "note": _l("备注")}
ENTITY_LABELS = {"experts": _l("专家信息"), "expert_ties": _l("关联关系")}
ACTION_LABELS = Vocab(create=_l("新增"), update=_l("修改"), delete=_l("删除"))


def _expert_or_404(expert_id: int) -> Expert:
    bureau_only()
    try:
        return pool.get_expert(current_user, expert_id)
    except NotFound:
        abort(404)


def _put_errors(form, errors: dict[str, list[str]], fallback: str) -> None:
    """Service errors onto the form's fields (a field the form lacks: onto ``fallback``)."""
    for name, messages in errors.items():
        target = form[name] if name in form else form[fallback]
        target.errors = list(target.errors or []) + list(messages)


def _attempt(form, fallback: str, use_case):
    """Run a form's use case; a refusal lands on the form (each ValidationFailed field; a Conflict on the field it
    names) and gives None, so the view renders the form again."""
    try:
        return use_case()
    except ValidationFailed as exc:
        _put_errors(form, exc.errors, fallback)
    except Conflict as exc:
        _put_errors(form, {exc.field or fallback: [exc.message]}, fallback)
    return None


def _page_number() -> int:
    try:
        return min(max(int(request.args.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


@bp.route("/pool")
@login_required
def pool_index():
    """The pool with filters (name, specialty, in the pool or not, may lead) and paging."""
    bureau_only()
    args = {key: request.args.get(key, "").strip()[:64] for key in FILTER_KEYS if key in request.args}
    filters = pool.ExpertFilters(**args)
    form = PoolSearchForm(request.args, active=filters.active)
    form.specialty.choices = [SelectChoice("", _("全部"))] + [SelectChoice(s, s) for s in pool.specialties_in_use()]
    page = pool.list_experts(current_user, filters, _page_number(), current_app.config["PAGE_SIZE"])
    return render_template("awards/pool/list.html", form=form, page=page, args=args,
                           seats=pool.current_seats([e.id for e in page.items]))


@bp.route("/pool/new", methods=["GET", "POST"])
@login_required
def pool_new():
    bureau_only()
    form = ExpertForm()
    if form.validate_on_submit():
        expert = _attempt(form, "name", lambda: pool.create_expert(
            current_user, name=form.name.data, title=form.title.data, employer=form.employer.data,
            specialties=form.specialties.data, can_lead=form.can_lead.data))
        if expert is not None:
            flash(_("已将 %(name)s 加入专家库。可继续登记其关联关系和登录账户。", name=expert.name), "success")
            return redirect(url_for(".pool_show", expert_id=expert.id))
    return render_template("awards/pool/form.html", form=form, expert=None)


@bp.route("/pool/<int:expert_id>/edit", methods=["GET", "POST"])
@login_required
def pool_edit(expert_id: int):
    expert = _expert_or_404(expert_id)
    form = ExpertForm(data={"name": expert.name, "title": expert.title, "employer": expert.employer,
                            "specialties": "、".join(expert.specialties or []), "can_lead": expert.can_lead})
    if form.validate_on_submit():
        if _attempt(form, "name", lambda: pool.update_expert(
                current_user, expert.id, name=form.name.data, title=form.title.data, employer=form.employer.data,
                specialties=form.specialties.data, can_lead=form.can_lead.data)) is not None:
            flash(_("专家信息已保存，下次抽取起生效。"), "success")
            return redirect(url_for(".pool_show", expert_id=expert.id))
    return render_template("awards/pool/form.html", form=form, expert=expert)


@bp.route("/pool/<int:expert_id>")
@login_required
def pool_show(expert_id: int):
    return _show(_expert_or_404(expert_id))


def _show(expert: Expert, *, tie_form=None, link_form=None, account_form=None):
    """The expert's page; with a form that failed, that form keeps its input and errors."""
    if tie_form or link_form or account_form:
        db.session.rollback()  # a refused write: end its transaction (SQLite's write lock) before rendering
        expert = db.session.get(Expert, expert.id) or abort(404)
    user = db.session.get(User, expert.user_id) if expert.user_id else None
    return render_template(
        "awards/pool/show.html", expert=expert, account=user, ties=sorted(expert.ties, key=lambda t: t.id),
        tie_form=tie_form or TieForm(formdata=None), link_form=link_form or LinkAccountForm(formdata=None),
        account_form=account_form or NewAccountForm(formdata=None), describe_tie=pool.describe_tie,
        tie_label=EXCLUSION_LABELS.label, seats=pool.panel_history(current_user, expert.id),
        current_seats=pool.current_seats([expert.id]).get(expert.id, 0), seat_status=SEAT_STATUS.label,
        seat_role=SEAT_ROLES.label,
        history=_history_rows(pool.change_history(current_user, expert.id, limit=HISTORY_LIMIT)),
        history_limit=HISTORY_LIMIT)


@bp.route("/pool/<int:expert_id>/deactivate", methods=["POST"])
@login_required
def pool_deactivate(expert_id: int):
    return _set_active(expert_id, False)


@bp.route("/pool/<int:expert_id>/reactivate", methods=["POST"])
@login_required
def pool_reactivate(expert_id: int):
    return _set_active(expert_id, True)


def _set_active(expert_id: int, active: bool):
    expert = _expert_or_404(expert_id)
    pool.set_active(current_user, expert.id, active)
    flash(_("已恢复 %(name)s，下次抽取起参加。", name=expert.name) if active else
          _("已停用 %(name)s：今后的抽取不再包括该专家；已抽取的专家组不变。", name=expert.name), "success")
    return redirect(url_for(".pool_show", expert_id=expert.id))


@bp.route("/pool/<int:expert_id>/delete", methods=["POST"])
@login_required
def pool_delete(expert_id: int):
    expert = _expert_or_404(expert_id)
    try:
        pool.delete_expert(current_user, expert.id)
    except Conflict as exc:
        flash(exc.message, "danger")
        return redirect(url_for(".pool_show", expert_id=expert.id))
    flash(_("已删除该专家。"), "success")
    return redirect(url_for(".pool_index"))


@bp.route("/pool/<int:expert_id>/ties", methods=["POST"])
@login_required
def pool_tie_add(expert_id: int):
    expert = _expert_or_404(expert_id)
    form = TieForm()
    if form.validate_on_submit():
        if _attempt(form, "kind", lambda: pool.add_tie(
                current_user, expert.id, kind=form.kind.data, enterprise=form.enterprise.data,
                org_name=form.org_name.data, group_name=form.group_name.data, note=form.note.data)) is not None:
            flash(_("已登记关联关系，下次抽取起据此回避；已有的抽取记录不变。"), "success")
            return redirect(url_for(".pool_show", expert_id=expert.id) + "#ties")
    return _show(expert, tie_form=form)


@bp.route("/pool/<int:expert_id>/ties/<int:tie_id>/remove", methods=["POST"])
@login_required
def pool_tie_remove(expert_id: int, tie_id: int):
    expert = _expert_or_404(expert_id)
    try:
        pool.remove_tie(current_user, expert.id, tie_id)
    except NotFound:
        abort(404)
    flash(_("已删除该关联关系，下次抽取起生效；已有的抽取记录不变。"), "success")
    return redirect(url_for(".pool_show", expert_id=expert.id) + "#ties")


@bp.route("/pool/<int:expert_id>/account", methods=["POST"])
@login_required
def pool_account_link(expert_id: int):
    expert = _expert_or_404(expert_id)
    form = LinkAccountForm()
    if form.validate_on_submit():
        user = _attempt(form, "email", lambda: pool.link_account(current_user, expert.id, form.email.data, clock.now()))
        if user is not None:
            flash(_("已关联登录账户 %(email)s。", email=user.email), "success")
            return redirect(url_for(".pool_show", expert_id=expert.id) + "#account")
    return _show(expert, link_form=form)


@bp.route("/pool/<int:expert_id>/account/new", methods=["POST"])
@login_required
def pool_account_create(expert_id: int):
    expert = _expert_or_404(expert_id)
    form = NewAccountForm()
    if form.validate_on_submit():
        user = _attempt(form, "email", lambda: pool.create_account(
            current_user, expert.id, form.email.data, form.password.data, form.phone.data, clock.now()))
        if user is not None:
            flash(_("已为该专家新建并关联登录账户 %(email)s。", email=user.email), "success")
            return redirect(url_for(".pool_show", expert_id=expert.id) + "#account")
    return _show(expert, account_form=form)


@bp.route("/pool/<int:expert_id>/account/unlink", methods=["POST"])
@login_required
def pool_account_unlink(expert_id: int):
    expert = _expert_or_404(expert_id)
    pool.unlink_account(current_user, expert.id, clock.now())
    flash(_("已解除登录账户关联；该账户不再能查看评审任务。"), "success")
    return redirect(url_for(".pool_show", expert_id=expert.id) + "#account")


# --- Excel import: upload and preview, then commit all rows or none ------------------------------------------

@bp.route("/pool/import", methods=["GET", "POST"])
@login_required
def pool_import_page():
    bureau_only()
    form = ImportForm()
    preview = None
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            preview = pool_import.preview(current_user, upload.filename if upload else None,
                                          upload.stream if upload else None)
        except ValidationFailed as exc:
            _put_errors(form, exc.errors, "file")
    return render_template("awards/pool/import.html", form=form, preview=preview)


@bp.route("/pool/import/commit", methods=["POST"])
@login_required
def pool_import_commit():
    bureau_only()
    try:
        made = pool_import.commit(current_user, request.form.get("token", ""))
    except ValidationFailed as exc:
        flash(next(iter(exc.errors.values()))[0], "danger")
        return redirect(url_for(".pool_import_page"))
    except pool_import.ImportRefused as exc:
        flash(_("专家库已有变化，部分行不能再导入；未导入任何专家。请修改后重新上传。"), "danger")
        return render_template("awards/pool/import.html", form=ImportForm(formdata=None), preview=exc.preview)
    flash(_("已导入 %(n)s 名专家。", n=len(made)), "success")
    return redirect(url_for(".pool_index"))


@bp.route("/pool/import/template.xlsx")
@login_required
def pool_import_template():
    bureau_only()
    return send_download(pool_import.template_workbook(), "专家名单模板.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- change history as people read it --------------------------------------------------------------------------

def _history_rows(history: list) -> list[dict]:
    """pool.change_history() rows as when / who / what / field / old -> new."""
    logs = [log for log, _who in history]
    users = _names(User, User.email, logs, "user_id")
    firms = _names(Enterprise, Enterprise.name, logs, "enterprise_id")
    rows = []
    for log, who in history:
        row = {"when": local_time(log.changed_at), "who": who or _("系统"), "action": ACTION_LABELS.label(log.action),
               "entity": ENTITY_LABELS.get(log.entity, log.entity), "entity_id": log.entity_id,
               "field": "", "old": "", "new": "", "summary": log.action != "update"}
        if log.action == "update":
            row.update(field=FIELD_LABELS.get(log.field, log.field),
                       old=_value(log.field, log.old_value, users, firms),
                       new=_value(log.field, log.new_value, users, firms))
        else:
            text = _summary(log.new_value if log.action == "create" else log.old_value)
            if log.entity == "expert_ties" and (log.note or "").startswith("专家库 #"):
                text = log.note.partition("：")[2] + (f"；{text}" if text else "")  # the note says what it pointed at
            row["new" if log.action == "create" else "old"] = text
        rows.append(row)
    return rows


def _names(model, column, logs, field: str) -> dict[str, str]:
    ids = {int(v) for log in logs if log.field == field for v in (log.old_value, log.new_value) if v and v.isdigit()}
    if not ids:
        return {}
    return {str(i): n for i, n in db.session.execute(select(model.id, column).where(model.id.in_(ids)))}


def _value(field: str | None, text: str | None, users: dict, firms: dict) -> str:
    if not text:
        return ""
    if field == "user_id":
        return users.get(text, text)
    if field == "enterprise_id":
        return firms.get(text, text)
    if field == "kind":
        return EXCLUSION_LABELS.label(text)
    if field == "specialties" and text.startswith("["):
        try:
            return "、".join(str(v) for v in ast.literal_eval(text))
        except (ValueError, SyntaxError):
            return text
    return text


def _summary(text: str | None) -> str:
    """``name=张三; specialties=['a', 'b']; kind=employer`` in words: 姓名=张三；专业领域=a、b (the kind is said
    by the note of a tie's row)."""
    parts = []
    for item in (text or "").split("; "):
        key, sep, value = item.partition("=")
        if not sep:
            parts[-1:] = [f"{parts[-1]}; {item}"] if parts else [item]  # a value that held "; " itself
            continue
        if key == "kind":
            continue
        parts.append(f"{FIELD_LABELS.get(key, key)}={_value(key, value, {}, {})}")
    return "；".join(parts)
