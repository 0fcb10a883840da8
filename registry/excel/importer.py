"""The import use case (Excel 导入): upload -> preview -> confirm -> all-or-nothing commit.

Every row goes through the same service calls as a form or the API (``create_enterprise`` /
``create_record`` with ``commit=False``), so the rules are the services' rules. The preview runs those
calls inside one transaction, each row in a SAVEPOINT, and then rolls the whole transaction back: every
row's errors are collected, a later row that repeats an earlier one is found by the services' own duplicate
lookup, and nothing is written. The commit repeats the same calls in one transaction and rolls back
everything at the first failing row.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update

from registry import policy
from registry.clock import parse_now
from registry.audit.trail import record
from registry.database import begin_write
from registry.excel import progress
from registry.excel.models import (STATUS_COMMITTED, STATUS_DRAFT, STATUS_FAILED, STATUS_PREVIEWED, STATUS_QUEUED,
                                   STATUS_RUNNING, ImportJob)
from registry.excel.reader import ReadResult, read_rows
from registry.excel.templates import ENTERPRISES, Sheet, sheet_for
from registry.excel.uploads import discard, store_upload
from registry.extensions import db
from registry.models import User
from registry.services import enterprises, records
from registry.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from workflows import dispatch

SOURCE_LOCALE = "zh_Hans_CN"  # spreadsheets carry the Chinese labels whatever the page language
MAX_LISTED_ISSUES = 2000
PROGRESS_EVERY = 20

ERROR, DUPLICATE_IN_FILE, DUPLICATE_IN_REGISTRY = "error", "duplicate_file", "duplicate_registry"


@dataclass
class RowIssue:
    row: int
    column: str
    message: str
    type: str = ERROR


def can_import(user: User) -> bool:
    """Only bureau staff and administrators import (they alone register enterprises and credit listings)."""
    return policy.can(user, "import.run")


def _require_importer(user: User) -> None:
    policy.check(user, "import.run")


def get_job(user: User, job_id: int) -> ImportJob:
    """The user's own import job (administrators see all). Raises NotFound."""
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("未找到该导入任务。")
    policy.check(user, "import_job.view", job)
    return job


def recent_jobs(user: User, limit: int = 10) -> list[ImportJob]:
    return list(db.session.scalars(select(ImportJob).where(ImportJob.user_id == user.id)
                                   .order_by(ImportJob.id.desc()).limit(limit)))


# --- rows through the services --------------------------------------------------------------------------

def _label(sheet: Sheet, field: str | None) -> str:
    for spec in sheet.columns:
        if spec.name == field:
            return spec.header
    return ""


def _create(user: User, sheet: Sheet, row: dict):
    if sheet.slug == ENTERPRISES:
        return enterprises.create_enterprise(user, row, commit=False)
    enterprise = enterprises.enterprise_by_uscc(user, row.get("uscc"))
    data = {key: value for key, value in row.items() if key != "uscc"}
    return records.create_record(user, enterprise.id, sheet.slug, data, commit=False)


def _apply_rows(user: User, sheet: Sheet, rows: list[tuple[int, dict]], *, stop_at_first: bool,
                job_id: int | None = None) -> list[RowIssue]:
    """Create every row inside the caller's transaction, each in a savepoint; return the problems found.

    A row that fails leaves nothing behind (its savepoint is rolled back); the caller decides whether the
    transaction as a whole is committed or rolled back.
    """
    created: dict[int, int] = {}  # id of a row created in this transaction -> its sheet row number
    issues: list[RowIssue] = []
    for done, (number, row) in enumerate(rows, start=1):
        try:
            # The preview keeps going past a bad row, so each row gets a savepoint; the commit stops at the
            # first bad row and rolls back the whole transaction, so it needs none.
            with nullcontext() if stop_at_first else db.session.begin_nested():
                obj = _create(user, sheet, row)
        except ValidationFailed as exc:
            issues.extend(RowIssue(number, _label(sheet, field), str(message))
                          for field, messages in exc.errors.items() for message in messages)
        except Conflict as exc:
            if exc.existing_id is not None and exc.existing_id in created:
                issues.append(RowIssue(number, _label(sheet, exc.field),
                                       f"与文件第 {created[exc.existing_id]} 行重复。", DUPLICATE_IN_FILE))
            else:
                issues.append(RowIssue(number, _label(sheet, exc.field), str(exc.message), DUPLICATE_IN_REGISTRY))
        except (NotFound, Forbidden) as exc:
            issues.append(RowIssue(number, "", str(exc.message)))
        else:
            created[obj.id] = number
        if job_id is not None and (done % PROGRESS_EVERY == 0 or done == len(rows)):
            progress.report(job_id, done)
        if stop_at_first and issues:
            break
    return issues


def _summary(read: ReadResult, issues: list[RowIssue]) -> dict:
    by_row: dict[int, set[str]] = {}
    for issue in issues:
        by_row.setdefault(issue.row, set()).add(issue.type)
    count = lambda kind: sum(1 for types in by_row.values() if kind in types)  # noqa: E731
    return {
        "columns": read.columns, "ignored_columns": read.ignored, "missing_columns": read.missing,
        "issues": [asdict(issue) for issue in issues[:MAX_LISTED_ISSUES]],
        "issues_truncated": len(issues) > MAX_LISTED_ISSUES,
        "counts": {"rows": len(read.rows), "ok": len(read.rows) - len(by_row), "bad_rows": len(by_row),
                   "errors": count(ERROR), "duplicates_in_file": count(DUPLICATE_IN_FILE),
                   "duplicates_in_registry": count(DUPLICATE_IN_REGISTRY)},
    }


# --- the use cases -----------------------------------------------------------------------------------------

def start_import(user: User, slug: str, filename: str | None, stream) -> ImportJob:
    """Store an upload, read it and create its job; small files are previewed at once, large ones by a task.

    Raises Forbidden, NotFound (unknown kind), ValidationFailed (field ``file``: a refused or unreadable file,
    or a sheet missing required columns). A refused file is not kept and no job is created.
    """
    _require_importer(user)
    sheet = sheet_for(slug)
    name, path = store_upload(filename, stream)
    try:
        with force_locale(SOURCE_LOCALE):  # the request reads at most IMPORT_WEB_SCAN_ROWS rows: it answers at once
            read = read_rows(path, sheet, scan_limit=current_app.config["IMPORT_WEB_SCAN_ROWS"])
        if read.missing:
            raise ValidationFailed({"file": ["缺少必填列：" + "、".join(read.missing) + "。请使用下载的模板。"]})
        if not read.rows and read.complete:
            raise ValidationFailed({"file": ["文件中没有数据行。"]})
    except ValidationFailed:
        discard(path)
        raise
    job = ImportJob(user_id=user.id, kind=slug, filename=name, stored_path=path, status=STATUS_DRAFT,
                    total_rows=len(read.rows))  # a long sheet's count so far; the worker's preview sets the total
    db.session.add(job)
    in_worker = not read.complete or job.total_rows > current_app.config["IMPORT_ASYNC_THRESHOLD"]
    if in_worker:
        db.session.flush()
        dispatch.hand_off("excel.preview_import", job.id)  # with the job, in its transaction (the outbox)
    db.session.commit()
    if in_worker:
        dispatch.send_handed_off()  # broker down: the relay sends it; a job never started is closed as stale
    else:
        preview_import(job.id)
    return job


def preview_import(job_id: int) -> None:
    """Check every row of a draft job through the services and store the findings; writes no registry data.

    Idempotent: a job past ``draft`` is left alone.
    """
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != STATUS_DRAFT:
        return
    user, sheet = db.session.get(User, job.user_id), sheet_for(job.kind)
    try:
        with force_locale(SOURCE_LOCALE):
            read = read_rows(job.stored_path, sheet)
            if not read.rows:
                raise ValidationFailed({"file": ["文件中没有数据行。"]})
            begin_write()
            issues = _apply_rows(user, sheet, read.rows, stop_at_first=False, job_id=job.id)
    except (ValidationFailed, OSError) as exc:
        db.session.rollback()
        return _finish(job.id, STATUS_DRAFT, STATUS_FAILED, _problem(exc))
    finally:
        db.session.rollback()  # the preview's writes are never kept
    summary = _summary(read, issues)
    db.session.execute(update(ImportJob).where(ImportJob.id == job.id, ImportJob.status == STATUS_DRAFT).values(
        status=STATUS_PREVIEWED, preview=summary, total_rows=len(read.rows), processed_rows=0,
        error_count=summary["counts"]["bad_rows"]))
    db.session.commit()
    progress.clear(job.id)
    if summary["counts"]["bad_rows"]:
        discard(job.stored_path)  # it can never be confirmed; the user fixes their own copy and uploads again


def confirm_import(user: User, job_id: int) -> ImportJob:
    """The user's go-ahead: commit a clean preview, now (small) or through a task (large).

    Raises NotFound, Forbidden, Conflict (not in preview, has errors, already confirmed).
    """
    _require_importer(user)
    job = get_job(user, job_id)
    if job.status != STATUS_PREVIEWED:
        raise Conflict("该导入任务已确认或已结束，不能再次确认。")
    if job.error_count:
        raise Conflict("预检发现错误，不能导入。请修正文件后重新上传。")
    in_worker = job.total_rows > current_app.config["IMPORT_ASYNC_THRESHOLD"]
    begin_write()
    moved = db.session.execute(update(ImportJob).where(ImportJob.id == job.id, ImportJob.status == STATUS_PREVIEWED)
                               .values(status=STATUS_QUEUED))
    if moved.rowcount != 1:
        db.session.rollback()
        raise Conflict("该导入任务已确认或已结束，不能再次确认。")
    if in_worker:
        dispatch.hand_off("excel.run_import", job.id)  # committed with the confirmation, or not at all
    db.session.commit()
    if in_worker:
        dispatch.send_handed_off()
    else:
        run_import(job.id)
    db.session.refresh(job)
    return job


def run_import(job_id: int, now: str | None = None) -> str:
    """Write every row of a confirmed job in ONE transaction, re-checking each with the services.

    At the first failing row everything is rolled back and the job fails naming that row. Idempotent: a job
    that is not queued (or left running by a killed worker: its transaction never committed) is left alone.
    Returns the job's final status.
    """
    job = db.session.get(ImportJob, job_id)
    if job is None:
        return "missing"
    if job.status == STATUS_QUEUED:
        _compare_and_set(job.id, STATUS_QUEUED, STATUS_RUNNING)
    elif job.status != STATUS_RUNNING:
        return job.status
    user, sheet = db.session.get(User, job.user_id), sheet_for(job.kind)
    finished = parse_now(now)
    try:
        with force_locale(SOURCE_LOCALE):
            read = read_rows(job.stored_path, sheet)
            begin_write()
            issues = _apply_rows(user, sheet, read.rows, stop_at_first=True, job_id=job.id)
    except (ValidationFailed, OSError) as exc:
        db.session.rollback()
        return _finish(job.id, STATUS_RUNNING, STATUS_FAILED, _problem(exc), finished)
    if issues:
        db.session.rollback()
        first = issues[0]
        column = f"“{first.column}”" if first.column else ""
        return _finish(job.id, STATUS_RUNNING, STATUS_FAILED,
                       f"第 {first.row} 行{column}:{first.message} 导入已全部撤销，没有写入任何数据。", finished)
    done = db.session.execute(update(ImportJob).where(
        ImportJob.id == job.id, ImportJob.status == STATUS_RUNNING).values(
        status=STATUS_COMMITTED, processed_rows=len(read.rows), total_rows=len(read.rows), finished_at=finished,
        message=f"已导入 {len(read.rows)} 行。"))
    if done.rowcount != 1:  # another delivery of the same task got there first
        db.session.rollback()
        return db.session.get(ImportJob, job_id).status
    record("import", user, f"import_job:{job.id}", {"kind": job.kind, "file": job.filename, "rows": len(read.rows)})
    db.session.commit()
    dispatch.send_handed_off()  # the reactions the rows asked for (registry.reactions)
    progress.clear(job.id)
    discard(job.stored_path)
    return STATUS_COMMITTED


def job_status(user: User, job_id: int) -> dict:
    """What the progress page polls: status, counts and the message."""
    job = get_job(user, job_id)
    processed = job.processed_rows
    if job.status in (STATUS_DRAFT, STATUS_RUNNING):
        processed = progress.read(job.id) or processed
    return {"id": job.id, "status": job.status, "total_rows": job.total_rows, "processed_rows": processed,
            "error_count": job.error_count, "message": job.message, "final": job.is_final}


def expire_stale_jobs(now: str | None = None, previewed_days: int = 7, stuck_hours: int = 24) -> int:
    """Close jobs nobody will finish: previews never confirmed (after ``previewed_days``) and jobs whose
    background task never ran (after ``stuck_hours``); their files are removed. Returns how many were closed."""
    moment = parse_now(now)
    limits = {STATUS_PREVIEWED: (moment - timedelta(days=previewed_days), "预检后未确认，已过期；如需导入请重新上传。"),
              STATUS_DRAFT: (moment - timedelta(hours=stuck_hours), "后台检查未能完成，请重新上传。"),
              STATUS_QUEUED: (moment - timedelta(hours=stuck_hours), "后台导入未能开始，没有写入任何数据；请重新上传。")}
    closed = 0
    for status, (before, message) in limits.items():
        ids = list(db.session.scalars(select(ImportJob.id).where(ImportJob.status == status,
                                                                ImportJob.created_at < before)))
        for job_id in ids:
            if _finish(job_id, status, STATUS_FAILED, message, moment) == STATUS_FAILED:
                closed += 1
    return closed


# --- helpers -------------------------------------------------------------------------------------------

def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationFailed):
        return " ".join(message for messages in exc.errors.values() for message in messages)
    return "上传的文件已不可用，请重新上传。"


def _compare_and_set(job_id: int, expected: str, new: str) -> bool:
    begin_write()
    done = db.session.execute(update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == expected)
                              .values(status=new))
    db.session.commit()
    return done.rowcount == 1


def _finish(job_id: int, expected: str, status: str, message: str, finished=None) -> str:
    begin_write()
    job = db.session.get(ImportJob, job_id)
    done = db.session.execute(update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == expected).values(
        status=status, message=message, finished_at=finished or parse_now(None)))
    db.session.commit()
    if done.rowcount != 1:  # someone else moved the job on; leave it as they left it
        return db.session.get(ImportJob, job_id).status
    progress.clear(job_id)
    if status == STATUS_FAILED and job is not None:
        discard(job.stored_path)
    return status
