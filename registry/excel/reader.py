"""Reading an uploaded workbook into row dicts keyed by field name, matching headers by their Chinese label."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask import current_app
from openpyxl import load_workbook

from registry.excel.templates import DATA_SHEET, EXAMPLE_SHEET, Sheet
from registry.services.errors import ValidationFailed
from registry.text import clean

log = logging.getLogger(__name__)
HEADER_SCAN_ROWS = 5  # a title line or two above the header row is tolerated
_HEADER_NOISE = re.compile(r"[\s\u3000*＊]|[（(]必填[)）]|[（(]选填[)）]")


@dataclass
class ReadResult:
    columns: list[str] = field(default_factory=list)  # matched headers, in sheet order
    ignored: list[str] = field(default_factory=list)  # headers that match no field
    missing: list[str] = field(default_factory=list)  # required headers absent
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (sheet row number, {field name: cell value})
    complete: bool = True  # False: reading stopped at ``scan_limit``; the rest is the worker's to read


def normalise_header(text: Any) -> str:
    return _HEADER_NOISE.sub("", str(text or "")).replace("（", "(").replace("）", ")")


def cell_value(value: Any) -> Any:
    """A cell as the services' ``coerce`` expects it: text stripped, 30000001.0 -> 30000001, dates kept."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):  # control characters cleaned like a form field's (registry/edge.py)
        return clean(value, multiline=True).strip()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, (datetime, date, int, float, bool)) or value is None:
        return value
    return str(value)


def _choose_sheet(wb, sheet: Sheet):
    for title in (sheet.label, DATA_SHEET):
        if title in wb.sheetnames:
            return wb[title]
    for ws in wb.worksheets:
        if ws.title != EXAMPLE_SHEET:
            return ws
    return wb.worksheets[0]


def _match_header(values: tuple, sheet: Sheet) -> tuple[dict[int, str], list[str], list[str]]:
    by_label = {normalise_header(spec.header): spec for spec in sheet.columns}
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(values):
        label = normalise_header(raw)
        if not label:
            continue
        spec = by_label.get(label)
        if spec is None:
            ignored.append(str(raw).strip())
            continue
        if spec.name in seen:
            raise ValidationFailed({"file": [f"表头“{spec.header}”出现了两次，请删除重复的列。"]})
        seen.add(spec.name)
        if not spec.readonly:
            mapping[index] = spec.name
    return mapping, ignored, [spec.header for spec in sheet.inputs if spec.required and spec.name not in seen]


def read_rows(path: str, sheet: Sheet, scan_limit: int | None = None) -> ReadResult:
    """The sheet's data rows. Blank rows are skipped; readonly columns are dropped. A run of IMPORT_MAX_BLANK_RUN
    blank rows ends the data (a sheet formatted down to row 1,048,576 is not read to its end). With ``scan_limit``,
    reading stops after that many sheet rows and the result is marked incomplete.

    Raises ValidationFailed (field ``file``) for an unreadable workbook, no recognisable header row or more than
    IMPORT_MAX_ROWS data rows.
    """
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  (openpyxl raises many types on malformed files; all mean "unreadable")
        log.info("unreadable workbook %s", path, exc_info=True)
        raise ValidationFailed({"file": ["无法读取该 Excel 文件，请确认文件未损坏并另存为 .xlsx 后重试。"]}) from None
    try:
        return _read(_choose_sheet(wb, sheet), sheet, scan_limit)
    finally:
        wb.close()


def _read(ws, sheet: Sheet, scan_limit: int | None) -> ReadResult:
    max_rows, max_blank_run = current_app.config["IMPORT_MAX_ROWS"], current_app.config["IMPORT_MAX_BLANK_RUN"]
    result = ReadResult()
    mapping: dict[int, str] | None = None
    blank_run = 0
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if scan_limit is not None and number > scan_limit:
            result.complete = False
            break
        if mapping is None:
            candidate, ignored, missing = _match_header(values, sheet)
            if candidate:
                mapping = candidate
                result.columns = [sheet_label(sheet, name) for name in candidate.values()]
                result.ignored, result.missing = ignored, missing
            elif number >= HEADER_SCAN_ROWS:
                break
            continue
        row = {name: cell_value(values[i]) if i < len(values) else None for i, name in mapping.items()}
        if all(v is None or v == "" for v in row.values()):
            blank_run += 1
            if blank_run >= max_blank_run:
                break
            continue
        blank_run = 0
        if len(result.rows) >= max_rows:
            raise ValidationFailed({"file": [f"一次最多导入 {max_rows} 行，请拆分文件后分批导入。"]})
        result.rows.append((number, row))
    if mapping is None:
        expected = "、".join(spec.header for spec in sheet.inputs if spec.required)
        raise ValidationFailed({"file": [f"没有找到表头行。第一行应为中文表头（必填列：{expected}），请使用下载的模板。"]})
    return result


def sheet_label(sheet: Sheet, name: str) -> str:
    for spec in sheet.columns:
        if spec.name == name:
            return spec.header
    return name
