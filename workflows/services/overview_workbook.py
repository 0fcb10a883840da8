"""The applications list as an .xlsx workbook: the page's columns, the page's words (status and stage labels come
from the same functions as the page), every cell inert text or a real date."""
from __future__ import annotations

import tempfile
from datetime import datetime
from typing import IO, Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from registry import clock
from registry.excel import cells
from workflows.services.overview import Row, stage_text, status_text, workflow_labels

HEADERS = ("申报类型", "企业名称", "统一社会信用代码", "镇街", "申报名称", "当前阶段", "状态", "创建时间",
           "提交时间", "办理期限")
WIDTHS = (16, 36, 22, 14, 30, 18, 14, 18, 18, 14)


def _text(ws, value):
    """Text through the one cell writer: a value like ``=HYPERLINK(...)`` is shown, never evaluated."""
    return cells.cell(ws, "" if value is None else str(value))


def _local(ws, moment: datetime | None, fmt: str):
    if moment is None:
        return _text(ws, "")
    cell = WriteOnlyCell(ws, value=clock.aware(moment).astimezone(clock.LOCAL_TZ).replace(tzinfo=None))
    cell.number_format = fmt
    return cell


def write(rows: Iterable[Row], scope: str) -> IO[bytes]:
    """A spooled workbook of ``rows`` with ``scope`` (the filters, in words) above the header."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="申报总览")
    for index, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.freeze_panes = "A3"
    ws.append([_text(ws, scope)])
    head = []
    for title in HEADERS:
        cell = _text(ws, title)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
        head.append(cell)
    ws.append(head)
    names = workflow_labels()
    for row in rows:
        a = row.application
        ws.append([_text(ws, names.get(a.workflow, a.workflow)), _text(ws, a.enterprise.name),
                   _text(ws, a.enterprise.uscc), _text(ws, a.enterprise.jurisdiction.name), _text(ws, a.title),
                   _text(ws, stage_text(a)), _text(ws, status_text(row)),
                   _local(ws, a.created_at, "yyyy-mm-dd hh:mm"), _local(ws, a.submitted_at, "yyyy-mm-dd hh:mm"),
                   _local(ws, a.due_at, "yyyy-mm-dd")])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out
