"""Forms of the registry pages: the HTTP boundary only.

The forms render fields and keep what the user typed; they do not validate. Views hand the services the
raw strings of the spec'd fields (``raw_input``), and the services coerce, validate and raise; their
errors come back onto the fields with ``show_errors``. Only fields named in a spec are ever read, so
extra input (``enterprise_id``, ``status``...) cannot reach a model.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (BooleanField, DateField, Form, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice

from registry.extensions import db
from registry.models import Industry, Jurisdiction
from registry.records.fields import FieldSpec
from registry.records.kinds import RecordKind
from registry.services.enterprises import ENTERPRISE_FIELDS
from registry.services.errors import Conflict, ValidationFailed

EMPTY_CHOICE = SelectChoice("", _l("—请选择—"))
ALL_CHOICE = SelectChoice("", _l("全部"))


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def catalogue_choices(model, keep: str | None = None) -> list[SelectChoice]:
    """The active catalogue entries (code, name), plus ``keep`` (a current value since retired)."""
    rows = db.session.execute(select(model.code, model.name, model.active).order_by(model.sort_order, model.code))
    return [SelectChoice(code, name) for code, name, active in rows if active or code == keep]


# --- the list's search and filters (GET, no CSRF) --------------------------------------------------------

class SearchForm(Form):
    q = StringField(_l("企业名称或信用代码"))
    jurisdiction = SelectField(_l("所属镇街"), choices=[])
    industry = SelectField(_l("所属产业"), choices=[])
    above_scale = SelectField(_l("规上企业"), choices=options([("", _l("全部")), ("1", _l("规上")), ("0", _l("规下"))]))
    pinzibiao = SelectField(_l("品字标"), choices=options([
        ("", _l("全部")), ("1", _l("持有有效证书")), ("0", _l("未持有"))]))
    credit = SelectField(_l("信用状况"), choices=options([
        ("", _l("全部")), ("listed", _l("在失信/异常名单")), ("clean", _l("未列入名单"))]))

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

def _field_for(spec: FieldSpec):
    kwargs = {"label": spec.label, "description": spec.hint or ""}
    if spec.type == "text":
        return TextAreaField(**kwargs)
    if spec.type == "date":
        return DateField(**kwargs)
    if spec.type == "int":
        return IntegerField(**kwargs)
    if spec.type == "bool":
        return BooleanField(**kwargs)
    if spec.type == "choice":
        return SelectField(choices=[], **kwargs)
    return StringField(**kwargs)


class RecordForm(FlaskForm):
    """Base of the generated record forms; ``specs`` holds the kind's editable field specs."""

    specs: tuple[FieldSpec, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in self.specs:
            field = self[spec.name]
            if spec.type == "choice":  # built per request: the labels are translated
                field.choices = [EMPTY_CHOICE] + options(spec.choices.choices())
            field.flags.required = spec.required

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(spec.name for spec in cls.specs)


_FORM_CLASSES: dict[str, type[RecordForm]] = {}


def record_form_class(kind: RecordKind) -> type[RecordForm]:
    """A FlaskForm class with one field per editable FieldSpec of the kind (derived fields are left out)."""
    if kind.slug not in _FORM_CLASSES:
        specs = tuple(spec for spec in kind.fields if not spec.readonly)
        attrs = {spec.name: _field_for(spec) for spec in specs}
        attrs["specs"] = specs
        _FORM_CLASSES[kind.slug] = type(f"{kind.model.__name__}Form", (RecordForm,), attrs)
    return _FORM_CLASSES[kind.slug]


# --- between forms and services ---------------------------------------------------------------------------

def raw_input(form, names) -> dict[str, str]:
    """The submitted strings of the named fields that the form shows; absent ones as '' (an unchecked box)."""
    data = {}
    for name in names:
        if name in form and form[name].type not in ("CSRFTokenField",):
            raw = form[name].raw_data
            data[name] = raw[0] if raw else ""
    return data


def show_errors(form, errors: dict[str, list[str]]) -> list[str]:
    """Put service errors under their fields; returns the messages that belong to no shown field."""
    unplaced = []
    for name, messages in errors.items():
        if name in form and form[name].type != "HiddenField":
            form[name].errors = list(form[name].errors or []) + [str(m) for m in messages]
        else:
            unplaced.extend(str(m) for m in messages)
    return unplaced


def service_error(form, exc: ValidationFailed | Conflict) -> tuple[int, list[str]]:
    """Map a service's refusal onto the form: (HTTP status for the re-rendered page, form-level messages).

    The write transaction the service opened is rolled back first, so the page renders without
    holding SQLite's write lock.
    """
    db.session.rollback()
    if isinstance(exc, ValidationFailed):
        return 422, show_errors(form, exc.errors)
    if exc.field:
        return 409, show_errors(form, {exc.field: [exc.message]})
    return 409, [exc.message]
