"""How the registry pages show records and history: labels from the field specs, computed statuses.

Presentation only: nothing here changes data or decides access (``registry.policy`` does).
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

from flask_babel import gettext
from markupsafe import Markup, escape
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry import policy, refcache
from registry.i18n import per_locale
from registry.timefmt import local_time
from registry.extensions import db
from registry.models import Certification, Industry, Jurisdiction
from registry.records.fields import FieldSpec, display
from registry.records.kinds import KINDS, STANDARDS, RecordKind
from registry.navigation import colon
from registry.records.status import CERT_STATUS
from registry.services.enterprises import ENTERPRISE_FIELDS
from registry.vocab import Vocab

ACTIONS = Vocab(create=_l("新增"), update=_l("修改"), delete=_l("删除"))


def can_edit_kinds(user, enterprise) -> dict[str, bool]:
    """Per kind slug: may the user add, change and delete such records of this enterprise (buttons, GET forms)?"""
    return {slug: policy.can(user, "record.edit", (enterprise, kind)) for slug, kind in KINDS.items()}


def granted_by_workflow(obj) -> bool:
    """A record a workflow created (an award's Honour): changed only through that workflow (revocation)."""
    return getattr(obj, "source_application_id", None) is not None


def _columns(kind: RecordKind) -> tuple[list[Markup], list[str], int | None]:
    """The kind's column labels, escaped once (certificates show their computed status under 当前状态), each
    column's opening ``<td>`` (dates do not wrap), and the index of its recorded-status column."""
    labels = [escape(str(_l("当前状态")) if kind.slug == "certifications" and spec.name == "status" else str(spec.label))
              for spec in kind.fields]
    opening = [f'<td data-label="{label}" class="nowrap">' if spec.type == "date" else f'<td data-label="{label}">'
               for label, spec in zip(labels, kind.fields)]
    status = next((n for n, spec in enumerate(kind.fields) if spec.name == "status"), None)
    return labels, opening, status


def _text(spec: FieldSpec, value) -> str:
    """A cell's escaped text: ``display``'s words, dates as ISO (nothing to escape), the rest escaped."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(escape(display(spec, value)))


def _row_actions(kind: RecordKind) -> tuple[str, str]:
    """The operations cell of a row a workflow granted, and of any other row as a format string of ``base`` (the
    kind's records' address), ``id`` and ``token`` (the CSRF token): translated and escaped once per locale."""
    ops = escape(gettext("操作"))
    granted = (f'<td data-label="{ops}" class="nowrap row-actions"><span class="badge" '
               f'title="{escape(gettext("由评审流程授予，撤销请在评审页面办理"))}">{escape(gettext("评审授予"))}</span></td>')
    question = escape(gettext("确定删除这条%(kind)s？", kind=str(kind.label)))
    other = (f'<td data-label="{ops}" class="nowrap row-actions">'
             f'<a class="btn small" href="{{base}}{{id}}/edit">{escape(gettext("编辑"))}</a>'
             f'<form method="post" action="{{base}}{{id}}/delete" class="inline" data-confirm="{question}">'
             f'<input type="hidden" name="csrf_token" value="{{token}}"><button type="submit" class="btn small danger">'
             f'{escape(gettext("删除"))}</button></form></td>')
    return granted, other.replace("{", "{{").replace("}", "}}").replace("{{base}}", "{base}").replace(
        "{{id}}", "{id}").replace("{{token}}", "{token}")


class RecordTable(NamedTuple):
    """One kind's table on the enterprise page (attributes, not a dict: Jinja tries an attribute first)."""
    columns: list[Markup]  # the column labels, escaped
    head: Markup  # the header row's cells
    rows: int  # how many rows the body holds
    body: Markup  # the rows


def record_table(kind: RecordKind, objs: list, day: date, *, base: str | None = None,
                 token: str = "") -> RecordTable:
    """Column labels and the table body of one kind's records (``services.record_pages`` rows: the id, the fields
    by spec name, an honour's ``source_application_id``); certificates show their status on ``day``. With
    ``base`` (the kind's records' address, '/enterprises/1/patents/') each row ends in its edit and delete buttons
    (posting ``token``), or says a workflow granted it.

    Returns the escaped column labels, the header row's cells, the number of rows and the body's markup. The cells are written here rather
    than in the template: a page of records renders hundreds of them, and a Jinja loop per cell was most of its
    CPU; so are the rows' buttons (a tenth of the page's CPU in the template)."""
    columns, opening, status_at = per_locale(("record-columns", kind.slug), lambda: _columns(kind))
    # Choice, yes/no and certificate status labels, translated and escaped once per process and locale (gettext is
    # the costly part): codes -> labels do not change while the process runs.
    shown: dict[tuple, str] = per_locale(("record-labels", kind.slug), dict)
    if base is not None:
        granted_cell, other_cell = per_locale(("row-actions", kind.slug), lambda: _row_actions(kind))
        base, token = escape(base), escape(token)
    specs = kind.fields
    certificates = kind.slug == "certifications"
    fields = objs[0]._fields if objs else ()
    # Each column's place in the row, and whether its text is a label looked up once (choice, yes/no).
    plan = [(n, fields.index(spec.name), spec, spec.type in ("choice", "bool")) for n, spec in enumerate(specs)] \
        if objs else []
    granted_at = fields.index("source_application_id") if "source_application_id" in fields else None
    id_at = fields.index("id") if objs else None
    rows = []
    for obj in objs:
        cells = []
        for n, at, spec, labelled in plan:
            value = obj[at]
            if labelled:
                key = (spec.name, value)
                text = shown[key] if key in shown else shown.setdefault(key, _text(spec, value))
            else:
                text = _text(spec, value)
            if n == status_at:
                # Certificates: the model's rule read off the row's columns (one rule for the page, the API and the
                # exports); other kinds show their recorded status as a badge.
                badge = Certification.status_on(obj, day) if certificates else value
                if certificates:
                    key = ("status-on", badge)
                    text = shown[key] if key in shown else shown.setdefault(key, str(escape(CERT_STATUS.label(badge))))
                if badge and text:
                    text = f'<span class="badge {escape(badge)}">{text}</span>'
            cells.append(f"{opening[n]}{text}</td>")
        if base is not None:
            cells.append(granted_cell if granted_at is not None and obj[granted_at] is not None else
                         other_cell.format(base=base, id=int(obj[id_at]), token=token))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    head = per_locale(("record-head", kind.slug, base is not None), lambda: Markup("".join(
        f"<th>{label}</th>" for label in [*columns, *([escape(gettext("操作"))] if base is not None else [])])))
    return RecordTable(columns=columns, head=head, rows=len(rows), body=Markup("\n".join(rows)))


def master_rows(enterprise) -> list[tuple[str, str]]:
    """(label, text) of the master record's fields, catalogue names instead of codes."""
    rows = []
    for spec in ENTERPRISE_FIELDS:
        if spec.name == "jurisdiction":
            text = enterprise.jurisdiction.name
        elif spec.name == "industry":
            text = enterprise.industry.name
        else:
            text = display(spec, getattr(enterprise, spec.name))
        if spec.name == "uscc_override_reason" and not text:
            continue
        rows.append((spec.label, text))
    return rows


# --- history ------------------------------------------------------------------------------------------------

_ENTERPRISE_SPECS = {spec.name: spec for spec in ENTERPRISE_FIELDS}
_ENTERPRISE_SPECS["jurisdiction_id"] = _ENTERPRISE_SPECS["jurisdiction"]
_ENTERPRISE_SPECS["industry_id"] = _ENTERPRISE_SPECS["industry"]
_ENTITIES: dict[str, tuple[str, dict[str, FieldSpec]]] = {"enterprises": (_l("企业信息"), _ENTERPRISE_SPECS)}
for _kind in KINDS.values():
    _ENTITIES[_kind.model.__tablename__] = (_kind.label, {spec.name: spec for spec in _kind.fields})
_ENTITIES["standards"] = (STANDARDS.label, {spec.name: spec for spec in STANDARDS.fields})
_ENTITIES["standard_drafters"] = (_l("标准起草单位"), {s.name: s for s in STANDARDS.fields if s.name == "role"})


def _catalogue_names(logs) -> dict[str, dict[str, str]]:
    """id -> name of the catalogues the history mentions (only when needed; through the reference cache, so a warm
    process reads no catalogue and a page of history costs the same statements whatever it mentions)."""
    names: dict[str, dict[str, str]] = {}
    for field, model in (("jurisdiction_id", Jurisdiction), ("industry_id", Industry)):
        if any(log.field == field for log in logs):
            names[field] = refcache.cached(
                f"catalogue-names:{model.__tablename__}",
                lambda model=model: {str(i): n for i, n in db.session.execute(select(model.id, model.name))})
    return names


def _value(spec: FieldSpec | None, field: str, text: str | None, names: dict) -> str:
    if text is None or text == "":
        return ""
    if field in names:
        return names[field].get(text, text)
    if spec is not None and spec.type == "choice":
        return spec.choices.label(text)
    if spec is not None and spec.type == "bool" and text in ("是", "否"):
        return gettext(text)  # stored in Chinese; both words are msgids (see records.fields.display)
    return text


def _summary(specs: dict[str, FieldSpec], text: str | None, names: dict) -> str:
    """A created or deleted record's 'field=value; ...' summary with Chinese labels."""
    parts = []
    for part in (text or "").split("; "):
        key, sep, value = part.partition("=")
        spec = specs.get(key)
        if not sep or spec is None:
            continue
        parts.append(f"{spec.label}{colon()}{_value(spec, key, value, names)}")
    return ";".join(parts)


def history_rows(history: list) -> list[dict]:
    """enterprise_history() rows as who / when / what / field / old -> new, in Chinese."""
    names = _catalogue_names([log for log, _actor in history])
    rows = []
    for log, actor in history:
        entity_label, specs = _ENTITIES.get(log.entity, (log.entity, {}))
        spec = specs.get(log.field) if log.field else None
        row = {"when": local_time(log.changed_at), "who": actor or _l("系统"), "action": ACTIONS.label(log.action),
               "entity": entity_label, "entity_id": log.entity_id, "field": "", "old": "", "new": "",
               "summary": log.action != "update"}
        if log.action == "update":
            row.update(field=spec.label if spec else log.field, old=_value(spec, log.field, log.old_value, names),
                       new=_value(spec, log.field, log.new_value, names))
        elif log.action == "create":
            row["new"] = _summary(specs, log.new_value, names)
        else:
            row["old"] = _summary(specs, log.old_value, names)
        rows.append(row)
    return rows
