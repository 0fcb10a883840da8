"""Forms built from ``FieldSpec`` tuples, and the glue between such forms and the services.

The forms render fields and keep what the user typed; they do not validate. Views hand the services the
raw strings of the spec'd fields (``raw_input``), and the services coerce, validate and raise; their
errors come back onto the fields with ``show_errors`` / ``service_error``. Only fields named in a spec are
ever read, so extra input (``enterprise_id``, ``status``...) cannot reach a model.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from registry.extensions import db
from registry.records.fields import FieldSpec
from registry.services.errors import Conflict, ValidationFailed

EMPTY_CHOICE = SelectChoice("", _l("—请选择—"))


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def field_for(spec: FieldSpec):
    """The WTForms field that shows a FieldSpec (choices are filled per request by ``SpecForm``)."""
    kwargs = {"label": spec.label, "description": spec.hint or ""}
    if spec.type == "text":
        return TextAreaField(**kwargs)
    if spec.type == "date":
        return DateField(**kwargs)
    if spec.format == "phone":
        return StringField(render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}, **kwargs)
    if spec.format == "email":
        return StringField(render_kw={"type": "email", "autocomplete": "email"}, **kwargs)
    if spec.type == "int":
        return IntegerField(**kwargs)
    if spec.type == "bool":
        return BooleanField(**kwargs)
    if spec.type == "choice":
        return SelectField(choices=[], **kwargs)
    return StringField(**kwargs)


class SpecForm(FlaskForm):
    """Base of the generated forms; ``specs`` holds the field specs the form shows, in order."""

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


_FORM_CLASSES: dict[str, type[SpecForm]] = {}


def form_class_for(name: str, specs, base: type[SpecForm] = SpecForm) -> type[SpecForm]:
    """A form class (cached under ``name``) with one field per editable spec; read-only specs are left out."""
    if name not in _FORM_CLASSES:
        editable = tuple(spec for spec in specs if not spec.readonly)
        attrs = {spec.name: field_for(spec) for spec in editable}
        attrs["specs"] = editable
        _FORM_CLASSES[name] = type(f"{name.title().replace('_', '')}Form", (base,), attrs)
    return _FORM_CLASSES[name]


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
