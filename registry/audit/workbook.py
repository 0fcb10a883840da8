"""The security audit trail as an .xlsx workbook: the page's columns and words; every text cell goes through the
one inert-text cell writer (``registry.excel.cells``), so a typed e-mail like ``=HYPERLINK(...)`` stays text."""
from __future__ import annotations

import json
import tempfile
from typing import IO, Iterable

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from registry import clock
from registry.audit.events import label
from registry.audit.models import SecurityEvent
from registry.excel import cells

WIDTHS = (10, 20, 22, 30, 28, 18, 60)


def headers() -> list[str]:
    return [_("序号"), _("时间"), _("事件"), _("操作人"), _("对象"), _("来源地址"), _("详情")]


def details_text(row: SecurityEvent) -> str:
    return json.dumps(row.details or {}, ensure_ascii=False, sort_keys=True) if row.details else ""


def write(rows: Iterable[SecurityEvent]) -> IO[bytes]:
    """Stream ``rows`` into a write-only workbook spooled to a temporary file; returns it rewound."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("安全审计"))
    for index, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    head = []
    for text in headers():
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        head.append(cell)
    ws.append(head)
    for row in rows:
        when = WriteOnlyCell(ws, value=clock.aware(row.at).astimezone(clock.LOCAL_TZ).replace(tzinfo=None))
        when.number_format = "yyyy-mm-dd hh:mm:ss"
        ws.append([row.seq, when] + [cells.cell(ws, value or "") for value in (
            label(row.event), row.actor, row.target, row.address, details_text(row))])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out
