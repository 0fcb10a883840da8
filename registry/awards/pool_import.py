"""Experts from an Excel sheet (专家名单导入): read, check every row, preview, then commit all rows or none.

Columns (headers matched by their Chinese label): 姓名, 职称, 工作单位, 专业领域, 可任组长, 关联关系. A tie cell holds
ties separated by ";" or new lines, each ``类型：对象`` with an optional ``|备注``; the object is a credit code or
the exact name of a registered enterprise, ``集团:名称`` for a group, or any other organisation's name.

The preview hands the page a signed token of the cells it checked; the commit verifies the signature, checks
every row again inside its write transaction (the registry may have changed meanwhile) and writes all or nothing.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from registry.awards import pool
from registry.awards.access import require_bureau
from registry.awards.display import EXCLUSION_LABELS
from registry.awards.draw import norm
from registry.awards.models import TIE_KINDS, Expert, ExpertTie
from registry.audit.trail import record
from registry.database import begin_write
from registry.excel import cells
from registry.excel.reader import cell_value, normalise_header
from registry.excel.uploads import discard, store_upload
from registry.extensions import db
from registry.history import set_actor
from registry.models import Enterprise, User
from registry.services.errors import Conflict, ValidationFailed

COLUMNS = {"name": "姓名", "title": "职称", "employer": "工作单位", "specialties": "专业领域", "can_lead": "可任组长",
           "ties": "关联关系"}
MAX_ROWS = 1000
TOKEN_MAX_AGE = 24 * 3600
_KINDS = {**{code: code for code in TIE_KINDS}, **{str(label): code for code, label in EXCLUSION_LABELS.items()
                                                   if code in TIE_KINDS},
          "任职": "employer", "现任职": "employer", "曾任职": "former_employer", "咨询": "consultant", "顾问": "consultant",
          "法定代表人": "legal_rep", "法人": "legal_rep", "回避": "declared", "申报回避": "declared"}
_YES = {"是", "y", "yes", "true", "1", "√", "✓", "可", "可以"}
_NO = {"", "否", "n", "no", "false", "0", "×", "不可"}
_TIE_SPLIT = re.compile(r"[;；\n\r]+")
_GROUP = re.compile(r"^集团\s*[:：=]\s*")


@dataclass
class RowCheck:
    row: int  # the sheet's row number
    cells: dict  # column key -> text as read
    errors: list[str] = field(default_factory=list)
    expert: dict | None = None  # validated expert fields
    ties: list[dict] = field(default_factory=list)  # validated tie fields
    tie_text: list[str] = field(default_factory=list)  # each tie as people read it (the preview)


@dataclass
class Preview:
    filename: str
    rows: list[RowCheck]
    token: str | None  # only when every row passed

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="awards-pool-import")


def template_workbook() -> io.BytesIO:
    """An empty sheet with the headers and one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "专家名单"
    cells.append(ws, list(COLUMNS.values()))
    cells.append(ws, ["张三", "高级工程师", "台州学院", "卓越绩效、机械制造", "是",
               "曾任职单位：浙江某某机械有限公司|2019 年离职；咨询服务关系：集团：某某集团"])
    for column, width in zip("ABCDEF", (10, 16, 24, 24, 10, 60)):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _text(value) -> str:
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def read_cells(filename: str | None, stream) -> list[tuple[int, dict]]:
    """(row number, {column key: text}) of the first sheet, blank rows skipped. Raises ValidationFailed ``file``
    (not a sound .xlsx, no 姓名 column, too many rows)."""
    _name, path = store_upload(filename, stream)
    try:
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
            raise ValidationFailed({"file": ["文件已损坏或不是有效的 .xlsx 文件。"]}) from exc
        try:
            rows = wb.worksheets[0].iter_rows(values_only=True)
            header = next(rows, ())
            labels = {normalise_header(label): key for key, label in COLUMNS.items()}
            positions = {i: labels[normalise_header(v)] for i, v in enumerate(header) if normalise_header(v) in labels}
            if "name" not in positions.values():
                raise ValidationFailed({"file": ["第一行须为表头，且至少有“姓名”一列（可下载模板）。"]})
            out = []
            for number, values in enumerate(rows, start=2):
                cells = {key: _text(values[i]) if i < len(values) else "" for i, key in positions.items()}
                if any(cells.values()):
                    out.append((number, cells))
                    if len(out) > MAX_ROWS:
                        raise ValidationFailed({"file": [f"一次最多导入 {MAX_ROWS} 名专家，请分批导入。"]})
        finally:
            wb.close()
    finally:
        discard(path)
    if not out:
        raise ValidationFailed({"file": ["表格中没有专家数据。"]})
    return out


def _flag(text: str) -> bool | None:
    lowered = text.strip().lower()
    return True if lowered in _YES else (False if lowered in _NO else None)


def _tie_fields(item: str) -> dict:
    """One ``类型：对象|备注`` as add-tie fields; raises ValidationFailed."""
    match = re.match(r"^\s*([^:：]+?)\s*[:：]\s*(.*)$", item, re.S)
    kind = _KINDS.get(match.group(1)) if match else None
    if kind is None:
        raise ValidationFailed({"ties": [f"“{item[:40]}”应写成“类型：单位”，类型为 "
                                         f"{'、'.join(str(EXCLUSION_LABELS[k]) for k in TIE_KINDS)} 之一。"]})
    target, _bar, note = match.group(2).replace("｜", "|").partition("|")
    target = target.strip()
    fields = {"kind": kind, "note": note.strip() or None}
    if _GROUP.match(target):
        return pool.validate_tie(group_name=_GROUP.sub("", target), enterprise=None, org_name=None, **fields)
    names = {target, target.replace("（", "(").replace("）", ")"), target.replace("(", "（").replace(")", "）")}
    code = target.replace(" ", "").upper()
    registered = pool.USCC_SHAPE.match(code) or db.session.scalar(
        select(func.count(Enterprise.id)).where(Enterprise.name.in_(names)))
    if registered:
        return pool.validate_tie(enterprise=target, org_name=None, group_name=None, **fields)
    return pool.validate_tie(org_name=target, enterprise=None, group_name=None, **fields)


def check_rows(cells: list[tuple[int, dict]]) -> list[RowCheck]:
    """Every row checked as the pool's own use cases would, plus repeats within the file; writes nothing."""
    checks, seen = [], {}
    for number, row in cells:
        check = RowCheck(row=number, cells=row)
        try:
            check.expert = pool.validate_expert(row.get("name"), row.get("title"), row.get("employer"),
                                                row.get("specialties"))
        except ValidationFailed as exc:
            check.errors += [f"{COLUMNS.get(k, k)}：{m}" for k, ms in exc.errors.items() for m in ms]
        flag = _flag(row.get("can_lead", ""))
        if flag is None:
            check.errors.append(f"可任组长：应填“是”或“否”，而不是“{row['can_lead'][:20]}”。")
        elif check.expert is not None:
            check.expert["can_lead"] = flag
        keys = set()
        for item in (t.strip() for t in _TIE_SPLIT.split(row.get("ties", "")) if t.strip()):
            try:
                tie = _tie_fields(item)
            except ValidationFailed as exc:
                check.errors += [f"关联关系：{m}" for ms in exc.errors.values() for m in ms]
                continue
            key = (tie["kind"], tie["enterprise_id"], norm(tie["org_name"]), norm(tie["group_name"]))
            if key in keys:
                check.errors.append(f"关联关系：“{item[:40]}”重复。")
            keys.add(key)
            check.ties.append(tie)
            firm = db.session.get(Enterprise, tie["enterprise_id"]) if tie["enterprise_id"] else None
            target = "、".join(t for t in (firm.name if firm else None, tie["org_name"],
                                          f"{tie['group_name']}（集团）" if tie["group_name"] else None) if t)
            check.tie_text.append(f"{EXCLUSION_LABELS.label(tie['kind'])}：{target}"
                                  + (f"（{tie['note']}）" if tie["note"] else ""))
        if check.expert is not None:
            person = (check.expert["name"], norm(check.expert["employer"]))
            if person in seen:
                check.errors.append(f"姓名：与第 {seen[person]} 行同名同单位。")
            seen.setdefault(person, number)
            try:
                pool.refuse_duplicate(check.expert)
            except Conflict as exc:
                check.errors.append(f"姓名：{exc.message}")
        checks.append(check)
    return checks


def preview(actor: User, filename: str | None, stream) -> Preview:
    """Read and check an upload; the token (to commit) only when every row passed. Raises Forbidden,
    ValidationFailed ``file``."""
    require_bureau(actor)
    cells = read_cells(filename, stream)
    rows = check_rows(cells)
    ok = not any(r.errors for r in rows)
    token = _serializer().dumps({"by": actor.id, "file": filename, "cells": cells}) if ok else None
    return Preview(filename=filename or "", rows=rows, token=token)


class ImportRefused(Exception):
    """The commit found errors (the registry changed since the preview): nothing was written."""

    def __init__(self, preview: Preview):
        super().__init__("import refused")
        self.preview = preview


def commit(actor: User, token: str) -> list[Expert]:
    """Create every previewed expert with their ties in one transaction. Raises Forbidden, ValidationFailed
    ``token`` (missing, forged, expired, another user's), ImportRefused (a row fails now: nothing written)."""
    require_bureau(actor)
    try:
        payload = _serializer().loads(token or "", max_age=TOKEN_MAX_AGE)
    except BadSignature as exc:
        raise ValidationFailed({"token": ["导入预览已失效，请重新上传文件。"]}) from exc
    if not isinstance(payload, dict) or payload.get("by") != actor.id:
        raise ValidationFailed({"token": ["导入预览已失效，请重新上传文件。"]})
    cells = [(int(n), dict(c)) for n, c in payload["cells"]]
    begin_write()
    rows = check_rows(cells)  # again, under the write lock: duplicates cannot slip in between
    if any(r.errors for r in rows):
        db.session.rollback()
        raise ImportRefused(Preview(filename=payload.get("file") or "", rows=rows, token=None))
    made = []
    for row in rows:
        set_actor(db.session, actor.id, "专家库 Excel 导入")
        expert = Expert(**row.expert, active=True)
        db.session.add(expert)
        db.session.flush()
        for tie, text in zip(row.ties, row.tie_text):
            set_actor(db.session, actor.id, pool.MARK.format(id=expert.id) + text)
            db.session.add(ExpertTie(expert_id=expert.id, **tie))
            db.session.flush()
        made.append(expert)
    record("import", actor, "experts", {"what": "专家库", "file": payload.get("file") or "", "rows": len(made)})
    db.session.commit()
    return made
