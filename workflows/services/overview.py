"""The bureau's applications list (申报总览): every application of every workflow, open and closed, filtered,
searched, paged and exported. Town reviewers see their jurisdiction's; enterprises and experts have no such list.

Who sees which rows is ``registry.policy`` (the registry's scope applied to the applicant enterprise).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Iterator

from sqlalchemy import func, or_, select

from registry import clock, policy
from registry.extensions import db
from registry.models import Enterprise, Jurisdiction, User
from registry.services.errors import Forbidden
from workflows import definitions, engine
from workflows.models import Application
from workflows.spec import IN_PROGRESS, STATUS_LABELS


@dataclass(frozen=True)
class OverviewFilters:
    """The list's filters (all optional); ``q`` is part of an enterprise name or of its credit code."""

    workflow: str | None = None
    stage: str | None = None
    status: str | None = None
    jurisdiction_id: int | None = None
    year: int | None = None
    overdue_only: bool = False
    q: str | None = None

    def as_args(self) -> dict:
        """The filters as query-string arguments (for paging and export links)."""
        args = {k: v for k, v in asdict(self).items() if v not in (None, False, "")}
        if "jurisdiction_id" in args:
            args["town"] = args.pop("jurisdiction_id")
        if args.pop("overdue_only", False):
            args["overdue"] = "1"
        return args


def can_list(user: User) -> bool:
    """Bureau staff, administrators and town reviewers (the registry's browsers) have the list."""
    return policy.can(user, "registry.browse")


def _require(user: User) -> None:
    if not can_list(user):
        raise Forbidden("只有市局和镇街审核人员可以查看申报总览。")


def parse_filters(args) -> OverviewFilters:
    """Filters from query arguments; unknown values are dropped, so a hand-edited URL shows a wider list, not
    an error."""
    def text(name: str, limit: int = 60) -> str | None:
        value = (args.get(name) or "").strip()[:limit]
        return value or None

    def number(name: str) -> int | None:
        value = text(name, 10)
        return int(value) if value and value.isdigit() else None

    workflow = text("workflow")
    year = number("year")
    return OverviewFilters(
        workflow=workflow if workflow in definitions.registry() else None,
        stage=text("stage", 48) if text("stage", 48) in stage_labels() else None,
        status=text("status", 16) if text("status", 16) in STATUS_LABELS else None,
        jurisdiction_id=number("town"),
        year=year if year and 2000 <= year <= 2100 else None,
        overdue_only=args.get("overdue") in ("1", "on", "true"),
        q=text("q", 50),
    )


def stage_labels() -> dict[str, str]:
    """Every stage name of every workflow definition, with its (source-language) label."""
    labels: dict[str, str] = {}
    for versions in definitions.registry().values():
        for workflow in versions.values():
            for stage in workflow.stages:
                labels.setdefault(stage.name, stage.label)
    return labels


def workflow_labels() -> dict[str, str]:
    return {name: definitions.get(name).label for name in definitions.names()}


def towns(user: User) -> list[Jurisdiction]:
    """The jurisdictions the user may filter by (a town reviewer: only their own, so no choice is offered)."""
    if not policy.can(user, "jurisdiction.choose"):
        return []
    return list(db.session.scalars(select(Jurisdiction).where(Jurisdiction.active.is_(True))
                                   .order_by(Jurisdiction.sort_order)))


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def overdue_condition(now: datetime):
    return (Application.status == IN_PROGRESS) & (Application.due_at < now) & Application.paused.is_(False)


def query(user: User, filters: OverviewFilters, now: datetime | None = None):
    """The filtered list's SELECT (newest first); raises Forbidden for roles without the list."""
    _require(user)
    now = now or clock.now()
    stmt = select(Application).join(Enterprise, Enterprise.id == Application.enterprise_id) \
        .where(policy.scope(user, "enterprise.view"))
    if filters.workflow:
        stmt = stmt.where(Application.workflow == filters.workflow)
    if filters.stage:
        stmt = stmt.where(Application.stage == filters.stage)
    if filters.status:
        stmt = stmt.where(Application.status == filters.status)
    if filters.jurisdiction_id:
        stmt = stmt.where(Enterprise.jurisdiction_id == filters.jurisdiction_id)
    if filters.year:  # the year the application was started, in Linhai time
        start = datetime.combine(date(filters.year, 1, 1), time(), clock.LOCAL_TZ)
        end = datetime.combine(date(filters.year + 1, 1, 1), time(), clock.LOCAL_TZ)
        stmt = stmt.where(Application.created_at >= start, Application.created_at < end)
    if filters.overdue_only:
        stmt = stmt.where(overdue_condition(now))
    if filters.q:
        like = _like(filters.q)
        stmt = stmt.where(or_(Enterprise.name.like(like, escape="\\"),
                              Enterprise.uscc.like(_like(filters.q.upper()), escape="\\")))
    return stmt.order_by(Application.created_at.desc(), Application.id.desc())


@dataclass(frozen=True)
class Row:
    application: Application
    overdue: bool


def page(user: User, filters: OverviewFilters, number: int = 1, per_page: int = 25,
         now: datetime | None = None) -> tuple[list[Row], int]:
    """(rows of the page, total count)."""
    now = now or clock.now()
    stmt = query(user, filters, now)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    found = db.session.scalars(stmt.limit(per_page).offset((max(number, 1) - 1) * per_page)).unique().all()
    return [Row(a, _is_overdue(a, now)) for a in found], total


def _is_overdue(application: Application, now: datetime) -> bool:
    return application.status == IN_PROGRESS and application.due_at is not None and not application.paused \
        and clock.aware(application.due_at) < now


def _same(text: str) -> str:
    return text


def status_text(row: Row, translate=_same) -> str:
    """The status as the page and the workbook both say it (an overdue open application says so)."""
    text = translate(STATUS_LABELS.get(row.application.status, row.application.status))
    return f"{text}{translate('（已超期）')}" if row.overdue else text


def stage_text(application: Application, translate=_same) -> str:
    try:
        return translate(engine.definition_of(application).stage(application.stage).label)
    except KeyError:
        return application.stage


def all_rows(user: User, filters: OverviewFilters, now: datetime | None = None) -> Iterator[Row]:
    """Every row of the filtered list, streamed (for the export); raises Forbidden at once, before any row."""
    now = now or clock.now()
    stmt = query(user, filters, now).execution_options(yield_per=500)
    return (Row(application, _is_overdue(application, now)) for application in db.session.scalars(stmt))
