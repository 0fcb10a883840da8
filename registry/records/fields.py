"""Field specifications and the coercion every input path shares (forms, the JSON API, Excel imports).

A ``FieldSpec`` says what a field is; ``coerce()`` turns raw input (strings from a form or a spreadsheet
cell, JSON values) into typed values, collecting one Chinese message per bad field instead of failing.
Only fields named in a spec are ever read, so extra input (``status``, ``enterprise_id``...) is ignored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext

from registry import clock, contact
from registry.i18n import source_text
from registry.text import clean
from registry.vocab import Vocab

_TRUE = {"1", "true", "yes", "y", "on", "是", "有", "√", "✓"}
_FALSE = {"0", "false", "no", "n", "off", "否", "无", ""}
# A text field without its own limit still has one: megabytes in a note are an attack, not a note.
TEXT_MAX_LENGTH = 10_000
# NUL (PostgreSQL refuses it), other control characters (break the .xlsx export) and lone surrogates (cannot
# be encoded, arrive through JSON "\ud800" escapes): refused as bad input, never a 500.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str  # Chinese source label, usually lazy (translated on pages); ``header`` is the untranslated one
    type: str = "str"  # str, text, date, int, bool, choice
    required: bool = False
    choices: Vocab | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    hint: str | None = None
    readonly: bool = False  # derived by the server (shown and exported, never read from input)
    format: str | None = None  # a str field's shape: "phone" (mobile or landline with area code) or "email"
    not_future: bool = False  # a date field that cannot be later than today (Linhai)
    picked: bool = False  # chosen from a list on the forms (a code or name elsewhere): "请选择", not "请填写"

    @property
    def header(self) -> str:
        """The Chinese label whatever the user's language: Excel headers and Chinese messages use it."""
        return source_text(self.label)


class _Missing:
    pass


MISSING = _Missing()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_date(value: Any) -> date:
    """A date from a date, a datetime, 'YYYY-MM-DD', 'YYYY/MM/DD' or 'YYYY年M月D日'. Raises ValueError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    text = text.replace("年", "-").replace("月", "-").replace("日", "")
    parts = text.split("T")[0].split(" ")[0].split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    return date(int(parts[0]), int(parts[1]), int(parts[2]))


def coerce_value(spec: FieldSpec, value: Any) -> Any:
    """One field's typed value (None for blank). Raises ValueError with a Chinese message."""
    if _blank(value):
        if spec.required:
            verb = "请选择" if spec.type == "choice" or spec.picked else "请填写"
            raise ValueError(f"{verb}{spec.header}。")
        return False if spec.type == "bool" else None
    if isinstance(value, (list, tuple, dict, set)):  # JSON arrays and objects are never a field value
        raise ValueError(f"{spec.header}格式不正确。")
    if spec.type in ("str", "text"):
        if isinstance(value, bool):
            raise ValueError(f"{spec.header}格式不正确。")
        # Control characters are cleaned (registry/text.py); a single-line field's tabs and line breaks become spaces.
        text = clean(str(value), multiline=spec.type == "text").strip()
        if _BAD_CHARS.search(text):
            raise ValueError(f"{spec.header}含有无效字符。")
        limit = spec.max_length or TEXT_MAX_LENGTH
        if len(text) > limit:
            raise ValueError(f"{spec.header}不能超过 {limit} 个字符。")
        if spec.format == "phone":
            return contact.normalise_phone(text, spec.header)
        if spec.format == "email":
            return contact.normalise_email(text, spec.header)
        return text
    if spec.type == "date":
        try:
            day = parse_date(value)
        except (ValueError, TypeError):
            raise ValueError(f"{spec.header}不是有效日期（格式：2024-05-31）。") from None
        if spec.not_future and day > clock.today():
            raise ValueError(f"{spec.header}不能晚于今天（{clock.today().isoformat()}）。")
        return day
    if spec.type == "int":
        try:
            number = int(str(value).strip()) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(f"{spec.header}必须是整数。")
        if spec.minimum is not None and number < spec.minimum or spec.maximum is not None and number > spec.maximum:
            raise ValueError(f"{spec.header}应在 {spec.minimum} 至 {spec.maximum} 之间。")
        return number
    if spec.type == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{spec.header}应为“是”或“否”。")
    if spec.type == "choice":
        text = str(value).strip()
        if text in spec.choices:
            return text
        for code, label in spec.choices.items():  # spreadsheets carry the Chinese label
            if source_text(label) == text or str(label) == text:
                return code
        allowed = "、".join(source_text(label) for label in spec.choices.values())
        raise ValueError(f"{spec.header}“{text[:40]}”无效，可选：{allowed}。")
    raise AssertionError(f"unknown field type {spec.type}")


def coerce(specs: tuple[FieldSpec, ...], data: dict, *, partial: bool = False) -> tuple[dict, dict[str, list[str]]]:
    """Typed values for the spec'd fields present in ``data``, and errors by field name.

    With ``partial`` (PATCH), absent fields are left out instead of being treated as blank.
    """
    values: dict = {}
    errors: dict[str, list[str]] = {}
    for spec in specs:
        if spec.readonly:
            continue
        raw = data.get(spec.name, MISSING)
        if raw is MISSING:
            if partial:
                continue
            raw = None
        try:
            values[spec.name] = coerce_value(spec, raw)
        except ValueError as exc:
            errors.setdefault(spec.name, []).append(str(exc))
    return values, errors


def display(spec: FieldSpec, value: Any) -> str:
    """A value as people read it (Chinese labels, ISO dates, 是/否)."""
    if value is None:
        return ""
    if spec.type == "bool":
        return gettext("是") if value else gettext("否")  # Chinese in workbooks: they are written in the source locale
    if spec.type == "choice":
        return spec.choices.label(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value
