"""Indicator administration: add, edit, retire and restore indicators; enter reported values with a source
and an attachment. Bureau staff and administrators only."""
from __future__ import annotations

import math
import os
import uuid
from datetime import date

import filetype
from flask import current_app
from sqlalchemy import select

from registry.audit.trail import record
from registry.database import begin_write
from registry.extensions import db
from registry.clock import today
from registry.history import set_actor
from registry.models import User
from registry.services.errors import Conflict, NotFound, ValidationFailed
from registry.targets.models import (KIND_CUMULATIVE, KIND_GROWTH, KIND_NEW, KIND_RATE, METHOD_DERIVED,
                                     METHOD_REPORTED, PLAN_14TH, Indicator, ReportedValue)
from registry.targets.rules import all_rules
from registry.targets.seed import target_number
from registry.targets.services import get_indicator, require_viewer

EDITABLE = ("category", "name", "unit", "target_text", "kind", "method", "rule", "sort_order", "note")
CATEGORIES = ("质量建设", "标准建设", "品牌建设")
# Allowed attachments: extension -> MIME types the file's own bytes may show.
ATTACHMENT_TYPES = {
    "pdf": {"application/pdf"}, "png": {"image/png"}, "jpg": {"image/jpeg"}, "jpeg": {"image/jpeg"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
}


def _clean(data: dict) -> dict:
    """Validated indicator fields. Raises ValidationFailed naming each bad field."""
    out = {k: (data.get(k).strip() if isinstance(data.get(k), str) else data.get(k)) for k in EDITABLE}
    errors: dict[str, list[str]] = {}
    if out["category"] not in CATEGORIES:
        errors["category"] = ["请选择类别。"]
    if not out["name"]:
        errors["name"] = ["请填写指标名称。"]
    if out["kind"] not in (KIND_NEW, KIND_CUMULATIVE, KIND_RATE, KIND_GROWTH):
        errors["kind"] = ["类型无效。"]
    if out["method"] not in (METHOD_DERIVED, METHOD_REPORTED):
        errors["method"] = ["取数方式无效。"]
    out["rule"] = out["rule"] or None
    if out["rule"] is not None and out["rule"] not in all_rules():
        errors["rule"] = ["未知的统计口径。"]
    if out["method"] == METHOD_DERIVED and out["rule"] is None:
        errors["rule"] = ["登记库统计的指标必须选择统计口径。"]
    if not out["target_text"] or target_number(out["target_text"]) is None:
        errors["target_text"] = ["请按规划原文填写目标值，例如 30 或 ≥96。"]
    out["unit"] = out["unit"] or ""
    out["sort_order"] = out["sort_order"] or 0
    if errors:
        raise ValidationFailed(errors)
    out["target_value"] = target_number(out["target_text"])
    return out


def create_indicator(user: User, code: str, data: dict) -> Indicator:
    """Add an indicator to the current plan. Raises Forbidden, ValidationFailed, Conflict (code taken)."""
    require_viewer(user)
    code = (code or "").strip()
    if not code:
        raise ValidationFailed({"code": ["请填写指标代码。"]})
    fields = _clean(data)
    begin_write()
    if db.session.scalar(select(Indicator.id).where(Indicator.code == code)):
        raise Conflict("指标代码已存在。", field="code")
    set_actor(db.session, user.id)
    indicator = Indicator(code=code, plan=PLAN_14TH, active=True, **fields)
    db.session.add(indicator)
    record("catalogue_change", user, f"indicator:{code}", {"catalogue": "indicators", "code": code, "created": True})
    db.session.commit()
    return indicator


def update_indicator(user: User, code: str, data: dict) -> Indicator:
    """Change an indicator's fields. Raises Forbidden, NotFound, ValidationFailed."""
    require_viewer(user)
    fields = _clean(data)
    begin_write()
    indicator = get_indicator(code)
    set_actor(db.session, user.id)
    changes = {key: [getattr(indicator, key), value] for key, value in fields.items() if getattr(indicator, key) != value}
    for key, value in fields.items():
        setattr(indicator, key, value)
    if changes:
        record("catalogue_change", user, f"indicator:{code}", {"catalogue": "indicators", "code": code,
                                                                "changes": changes})
    db.session.commit()
    return indicator


def set_retired(user: User, code: str, retired: bool, day: date) -> Indicator:
    """Retire (hide from the dashboard, keep its history) or restore an indicator. Raises Forbidden, NotFound."""
    require_viewer(user)
    begin_write()
    indicator = get_indicator(code)
    set_actor(db.session, user.id)
    indicator.active = not retired
    indicator.retired_on = day if retired else None
    record("catalogue_change", user, f"indicator:{code}", {"catalogue": "indicators", "code": code,
                                                            "retired": retired})
    db.session.commit()
    return indicator


def _store_attachment(upload) -> tuple[str, str]:
    """Check an upload against the allow-list (extension and the file's own bytes) and store it under a
    generated name. Returns (stored name, original name). Raises ValidationFailed."""
    original = os.path.basename((upload.filename or "").replace("\\", "/"))[:200]
    ext = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    data = upload.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)
    if len(data) > current_app.config["UPLOAD_MAX_BYTES"]:
        raise ValidationFailed({"attachment": ["附件过大。"]})
    kind = filetype.guess(data)
    if ext not in ATTACHMENT_TYPES or kind is None or kind.mime not in ATTACHMENT_TYPES[ext]:
        raise ValidationFailed({"attachment": ["只接受 PDF、PNG、JPG、XLSX、DOCX 文件，且内容须与扩展名一致。"]})
    folder = os.path.join(current_app.config["UPLOAD_DIR"], "targets")
    os.makedirs(folder, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.{ext}"
    with open(os.path.join(folder, stored), "wb") as fh:
        fh.write(data)
    return stored, original


def save_reported_value(user: User, code: str, year: int, value: float, source: str, upload=None, *,
                        published_on: date | None = None, items: str | None = None) -> ReportedValue:
    """Enter (or replace) an indicator's value for a year with its source (for a derived indicator: the official
    figure), the source's date and the official list of items; an attachment is optional.
    Raises Forbidden, NotFound, ValidationFailed."""
    require_viewer(user)
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not 2016 <= year <= 2035:
        errors["year"] = ["年度应在 2016-2035 之间。"]
    if value is None or not math.isfinite(value) or abs(value) > 1e12:
        errors["value"] = ["请填写有效的数值。"]
    if not (source or "").strip():
        errors["source"] = ["请填写数据来源。"]
    if published_on is not None and published_on > today():
        errors["published_on"] = ["来源发布日期不能晚于今天。"]
    lines = [line.strip() for line in (items or "").splitlines() if line.strip()]
    if len(lines) > 2000:
        errors["items"] = ["官方清单最多 2000 行。"]
    if errors:
        raise ValidationFailed(errors)
    stored = _store_attachment(upload) if upload is not None and upload.filename else None
    begin_write()
    indicator = get_indicator(code)
    set_actor(db.session, user.id)
    row = db.session.scalar(select(ReportedValue).where(ReportedValue.indicator_id == indicator.id,
                                                        ReportedValue.year == year))
    if row is None:
        row = ReportedValue(indicator_id=indicator.id, year=year)
        db.session.add(row)
    row.value, row.source, row.entered_by_id = float(value), source.strip(), user.id
    row.published_on, row.items = published_on, "\n".join(lines) or None
    if stored:
        row.attachment_path, row.attachment_name = stored
    db.session.commit()
    return row


def attachment(user: User, value_id: int) -> tuple[str, str]:
    """(absolute path, download name) of a reported value's attachment. Raises Forbidden, NotFound."""
    require_viewer(user)
    row = db.session.get(ReportedValue, value_id)
    if row is None or not row.attachment_path:
        raise NotFound("未找到附件。")
    return os.path.join(current_app.config["UPLOAD_DIR"], "targets", row.attachment_path), row.attachment_name
