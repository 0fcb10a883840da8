"""Exports (Excel 导出): the filtered enterprise list, and records by kind, as .xlsx with Chinese headers.

Workbooks are written with openpyxl's write-only mode from a streamed query (``yield_per``), so memory
stays flat however long the list; the file is spooled to a temporary file and sent from there. The
columns are the import layout (``registry.excel.templates``), so an export can be imported back.
"""
from __future__ import annotations

import tempfile
from datetime import date
from typing import IO, Iterable

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from registry import clock, policy
from registry.audit.trail import exported, filter_words
from registry.excel import cells
from registry.excel.templates import ENTERPRISES, Sheet, sheet_for
from registry.extensions import db
from registry.models import Enterprise, StandardDrafter, User
from registry.records.fields import FieldSpec, display
from registry.records.kinds import CERTIFICATIONS, KINDS, STANDARDS
from registry.records.status import certificate_status
from registry.services.enterprises import SORTS, EnterpriseFilters, filtered_query
from registry.services.errors import Forbidden
from registry.services.records import kind_for, record_values

SOURCE_LOCALE = "zh_Hans_CN"
BATCH = 1000
_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DCE6F1")


def _cell(ws, spec: FieldSpec, value):
    if isinstance(value, date):  # a real date cell, so Excel sorts and filters it as a date
        cell = cells.cell(ws, value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if spec.type == "int" and value is not None:
        return value
    return cells.inert(ws, display(spec, value))


def _write_sheet(wb: Workbook, title: str, sheet: Sheet, rows: Iterable[dict]) -> int:
    ws = wb.create_sheet(title=title)
    for index, spec in enumerate(sheet.columns):
        ws.column_dimensions[get_column_letter(index + 1)].width = max(12, len(spec.header) * 2 + 4)
    ws.freeze_panes = "A2"
    head = []
    for spec in sheet.columns:
        cell = cells.cell(ws, spec.header)
        cell.font, cell.fill = _BOLD, _FILL
        head.append(cell)
    ws.append(head)
    count = 0
    for values in rows:
        ws.append([_cell(ws, spec, values.get(spec.name)) for spec in sheet.columns])
        count += 1
    return count


def _save(wb: Workbook) -> IO[bytes]:
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out


def _require_browser(user: User) -> None:
    if not policy.can(user, "registry.browse"):
        raise Forbidden("您没有导出企业名录的权限。")


def _ordered(user: User, filters: EnterpriseFilters):
    column = SORTS.get(filters.sort, Enterprise.name)  # the list page's order
    return filtered_query(user, filters).order_by(
        column.desc() if filters.direction == "desc" else column.asc(), Enterprise.id)


def _enterprise_values(enterprise: Enterprise) -> dict:
    values = {spec.name: getattr(enterprise, spec.name, None) for spec in sheet_for(ENTERPRISES).columns}
    values["jurisdiction"] = enterprise.jurisdiction.name
    values["industry"] = enterprise.industry.name
    return values


def export_enterprises(user: User, filters: EnterpriseFilters) -> IO[bytes]:
    """The enterprises the list page shows for these filters (all pages), in its order, within the user's
    scope (a town reviewer gets its jurisdiction only). Raises Forbidden for roles without a list."""
    _require_browser(user)
    exported(user, "企业名录", {"filters": filter_words(filters)})
    query = _ordered(user, filters).execution_options(yield_per=BATCH)
    wb = Workbook(write_only=True)
    with force_locale(SOURCE_LOCALE):
        rows = (_enterprise_values(e) for e in db.session.execute(query).scalars())
        _write_sheet(wb, "企业", sheet_for(ENTERPRISES), rows)
    return _save(wb)


# Exported beside a certificate's recorded status (登记状态): its status today, the page's words (当前状态).
# Read-only, so importing the workbook back ignores it.
CURRENT_STATUS_SPEC = FieldSpec("current_status", "当前状态", readonly=True)


def _export_sheet(slug: str) -> Sheet:
    """The import layout, plus what the page computes: certificates add 当前状态 after 登记状态."""
    sheet = sheet_for(slug)
    if slug != CERTIFICATIONS.slug:
        return sheet
    columns = []
    for spec in sheet.columns:
        columns.append(spec)
        if spec.name == "status":
            columns.append(CURRENT_STATUS_SPEC)
    return Sheet(sheet.slug, sheet.label, tuple(columns))


def _record_rows(slug: str, enterprise_ids, day: date | None = None) -> Iterable[dict]:
    kind = kind_for(slug)
    day = day or clock.today()
    model = kind.model
    query = (select(model, Enterprise.uscc, Enterprise.name).join(Enterprise, Enterprise.id == model.enterprise_id)
             .where(Enterprise.id.in_(enterprise_ids)).order_by(Enterprise.name, Enterprise.id, model.id))
    if kind is STANDARDS:
        query = query.options(joinedload(StandardDrafter.standard))
    for obj, uscc, name in db.session.execute(query.execution_options(yield_per=BATCH)):
        values = {**record_values(kind, obj), "uscc": uscc, "enterprise_name": name}
        if kind is CERTIFICATIONS:
            values["current_status"] = certificate_status(obj, day)[1]
        yield values


def export_records(user: User, filters: EnterpriseFilters, slug: str | None = None) -> IO[bytes]:
    """Records of one kind (or of every kind, one sheet each) of the filtered, scoped enterprises.
    Each sheet is named after its kind, so importing the workbook for a kind reads that sheet.
    Raises Forbidden, NotFound (unknown kind)."""
    _require_browser(user)
    kind_for(slug) if slug else None  # an unknown kind is a 404, not an audited export
    exported(user, "企业记录", {"kind": slug or "all", "filters": filter_words(filters)})
    return _records_workbook([slug] if slug else list(KINDS), _ids(filtered_query(user, filters)))


def export_enterprise_records(user: User, enterprise_id: int) -> tuple[IO[bytes], Enterprise]:
    """One enterprise's whole quality file, a sheet per kind. Raises NotFound outside the user's scope."""
    enterprise = policy.get_enterprise(user, enterprise_id)
    exported(user, "企业质量档案", {"enterprise": enterprise.uscc}, target=f"enterprise:{enterprise.id}")
    return _records_workbook(list(KINDS), [enterprise.id]), enterprise


def _ids(query):
    return query.with_only_columns(Enterprise.id).order_by(None)


def _records_workbook(slugs: list[str], enterprise_ids) -> IO[bytes]:
    wb = Workbook(write_only=True)
    with force_locale(SOURCE_LOCALE):
        for slug in slugs:
            sheet = _export_sheet(slug)
            _write_sheet(wb, sheet.label, sheet, _record_rows(slug, enterprise_ids))
    return _save(wb)
