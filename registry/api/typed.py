"""JSON bodies checked against the field specs' JSON types, as the OpenAPI document describes them.

Forms and spreadsheets send text that ``coerce()`` reads leniently (a cell may hold 2022 or "2022"); a JSON
client is held to the published schema instead, so ``{"name": 123}`` or ``{"year": "2022"}`` is a 422 naming
the field, the same answer whatever the field.
"""
from __future__ import annotations

from registry.api.auth import json_body
from registry.records.fields import FieldSpec
from registry.services.errors import ValidationFailed

_EXPECTED = {"str": (str, "字符串"), "text": (str, "字符串"), "choice": (str, "字符串（代码）"),
             "date": (str, "日期字符串 YYYY-MM-DD"), "int": (int, "整数"), "bool": (bool, "true 或 false")}


def _fits(spec: FieldSpec, value) -> bool:
    expected = _EXPECTED[spec.type][0]
    if expected is int and isinstance(value, bool):  # bool is an int subclass in Python, not in JSON
        return False
    return isinstance(value, expected)


def typed_body(fields: tuple[FieldSpec, ...]) -> dict:
    """The request's JSON object. Raises ValidationFailed (422) naming each spec'd field whose JSON type is
    wrong (null is allowed: it means blank); fields not in the specs are left for the service to ignore."""
    data = json_body()
    errors = {spec.name: [f"{spec.label}应为{_EXPECTED[spec.type][1]}。"]
              for spec in fields
              if not spec.readonly and data.get(spec.name) is not None and not _fits(spec, data[spec.name])}
    if errors:
        raise ValidationFailed(errors)
    return data
