"""Pages of a list (分页): one page type and one way to count and slice, for every listing page and the API."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from registry.extensions import db

# The bound parameters of a statement ``paged`` built once: its page's size and offset.
LIMIT, OFFSET = "page_limit", "page_offset"


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill (at least one: an empty list still shows its page)."""
    return max(1, -(-total // per_page))


def clamp(page: int, total: int, per_page: int) -> int:
    """``page`` held within 1 .. the last page (an address past the end shows the last page)."""
    return min(max(1, page), page_count(total, per_page))


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int
    capped: bool = False  # the total was counted only up to a cap

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def first(self) -> int:
        """The offset of the page's first item (0-based), for numbering rows."""
        return (self.page - 1) * self.per_page


def count(stmt: Select) -> int:
    """The rows ``stmt`` returns, counted in the database (its ordering dropped)."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def of_query(stmt: Select, page: int, per_page: int, *, total: int | None = None, capped: bool = False,
             unique: bool = False, keep_page: bool = False) -> Page:
    """One page of ``stmt``'s ORM rows. ``total`` when already counted (else counted here); the page is clamped to
    the last one unless ``keep_page`` (an API that answers an empty page past the end); ``unique`` for a query with
    joined eager loads."""
    total = count(stmt) if total is None else total
    page = max(1, page) if keep_page else clamp(page, total, per_page)
    result = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page))
    return Page(items=list(result.unique() if unique else result), total=total, page=page, per_page=per_page,
                capped=capped)


def of_list(items: Sequence[Any], page: int, per_page: int, *, keep_page: bool = False) -> Page:
    """One page of a list already in memory (clamped to the last page unless ``keep_page``)."""
    page = max(1, page) if keep_page else clamp(page, len(items), per_page)
    start = (page - 1) * per_page
    return Page(items=list(items[start:start + per_page]), total=len(items), page=page, per_page=per_page)


def paged(stmt: Select) -> Select:
    """``stmt`` with the page's limit and offset as bound parameters, for a statement built once and kept (building a
    statement and computing its cache key is most of a small query's CPU); ``of_paged`` runs it for any page."""
    return stmt.limit(bindparam(LIMIT)).offset(bindparam(OFFSET))


def of_paged(stmt: Select, page: int, per_page: int, *, total: int, params: dict, unique: bool = False) -> Page:
    """One page of a ``paged`` statement's ORM rows, ``params`` bound, the page clamped to 1 .. the last one."""
    page = clamp(page, total, per_page)
    result = db.session.scalars(stmt, {**params, LIMIT: per_page, OFFSET: (page - 1) * per_page})
    return Page(items=list(result.unique() if unique else result), total=total, page=page, per_page=per_page)


def of_paged_rows(stmt: Select, page: int, per_page: int, *, total: int, params: dict) -> Page:
    """One page of a ``paged`` statement of columns as Core rows (no ORM objects built, no session bookkeeping),
    ``params`` bound, the page clamped to 1 .. the last one."""
    page = clamp(page, total, per_page)
    rows = db.session.connection().execute(stmt, {**params, LIMIT: per_page, OFFSET: (page - 1) * per_page}).all()
    return Page(items=rows, total=total, page=page, per_page=per_page)
