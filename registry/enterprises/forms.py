"""Forms of the registry pages: the HTTP boundary only.

The record forms are generated from the kinds' field specs by the shared builder in ``registry.forms.specs``
(which also holds ``raw_input``, ``show_errors`` and ``service_error``, re-exported here for the views).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from registry import refcache
from registry.extensions import db
from registry.forms.widgets import PlainSelect
from registry.forms.specs import (EMPTY_CHOICE, SpecForm, form_class_for, options, raw_input,  # noqa: F401
                                  service_error, show_errors)
from registry.models import Industry, Jurisdiction
from registry.records.kinds import RecordKind
from registry.services.enterprises import ENTERPRISE_FIELDS

ALL_CHOICE = SelectChoice("", _l("全部"))


def catalogue_choices(model, keep: str | None = None) -> list[SelectChoice]:
    """The active catalogue entries (code, name), plus ``keep`` (a current value since retired).

    The rows come through the reference cache (``registry.refcache``: the list's filters read both catalogues on
    every page view, and administrators rarely change them)."""
    def load():
        return db.session.execute(select(model.code, model.name, model.active)
                                  .order_by(model.sort_order, model.code)).all()

    rows = refcache.cached(f"catalogue:{model.__tablename__}", load)
    return [SelectChoice(code, name) for code, name, active in rows if active or code == keep]


# --- the list's search and filters (GET, no CSRF) --------------------------------------------------------

class SearchForm(Form):
    q = StringField(_l("企业名称或信用代码"), render_kw={"placeholder": _l("名称中的字词，或信用代码（可只输前几位）")})
    jurisdiction = SelectField(_l("所属镇街"), choices=[], widget=PlainSelect())
    industry = SelectField(_l("所属产业"), choices=[], widget=PlainSelect())
    above_scale = SelectField(_l("规上企业"), choices=options([("", _l("全部")), ("1", _l("规上")), ("0", _l("规下"))]),
                              widget=PlainSelect())
    pinzibiao = SelectField(_l("品字标"), choices=options([
        ("", _l("全部")), ("1", _l("持有有效证书")), ("0", _l("未持有"))]), widget=PlainSelect())
    credit = SelectField(_l("信用状况"), choices=options([
        ("", _l("全部")), ("listed", _l("在失信/异常名单")), ("clean", _l("未列入名单"))]), widget=PlainSelect())

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata, **kwargs)
        self.jurisdiction.choices = [ALL_CHOICE] + catalogue_choices(Jurisdiction)
        self.industry.choices = [ALL_CHOICE] + catalogue_choices(Industry)


# --- the master record ------------------------------------------------------------------------------------

class EnterpriseForm(FlaskForm):
    name = StringField(_l("企业名称"))
    uscc = StringField(_l("统一社会信用代码"))
    uscc_override_reason = TextAreaField(_l("信用代码校验例外说明"))
    jurisdiction = SelectField(_l("所属镇街"), choices=[])
    industry = SelectField(_l("所属产业"), choices=[])
    above_scale = BooleanField(_l("规上企业"))
    established_on = DateField(_l("成立日期"))
    legal_representative = StringField(_l("法定代表人"))
    group_name = StringField(_l("所属集团"))
    contact_name = StringField(_l("联系人"))
    contact_phone = StringField(_l("联系电话"))
    contact_email = StringField(_l("联系邮箱"))
    address = StringField(_l("地址"))
    version = HiddenField()

    def __init__(self, *args, keep_jurisdiction=None, keep_industry=None, may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.jurisdiction.choices = [EMPTY_CHOICE] + catalogue_choices(Jurisdiction, keep_jurisdiction)
        self.industry.choices = [EMPTY_CHOICE] + catalogue_choices(Industry, keep_industry)
        if not may_override:  # only bureau staff may accept a code whose check character fails
            del self.uscc_override_reason
        for spec in ENTERPRISE_FIELDS:
            if spec.required and spec.name in self:
                self[spec.name].flags.required = True


# --- record kinds: one builder for all seven --------------------------------------------------------------

RecordForm = SpecForm  # the generated record forms' base (kept under its old name)


def record_form_class(kind: RecordKind) -> type[SpecForm]:
    """A FlaskForm class with one field per editable FieldSpec of the kind (derived fields are left out)."""
    return form_class_for(f"record_{kind.slug}", kind.fields)
