"""An enterprise's records one page per kind (企业页面的分页记录), for its page.

The totals per kind, the page's badges (a valid 品字标 certificate, a credit listing, expired certificates) and the
history's total come from one statement, then each kind's page from one statement: the page issues the same statements for an
enterprise with one record as with 2,000, and renders at most ``per_page`` rows of each kind.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Date, bindparam, func, or_, select

from registry import pagination
from registry.models import Certification, Enterprise
from registry.extensions import db
from registry.records.kinds import KINDS, STANDARDS
from registry.services.enterprises import holds_valid_pinzibiao, on_credit_list
from registry.services.history import history_count
from registry.services.records import record_query

PER_PAGE = 10


@dataclass(frozen=True)
class RecordPages:
    pages: dict[str, pagination.Page]  # kind slug -> the page shown
    pinzibiao: bool  # holds a 品字标 certificate valid on the day
    credit_listed: bool  # on a credit list on the day
    expired_certificates: int  # certificates past their expiry date on the day, not otherwise ended
    history_total: int  # changes in the enterprise's history (its page is read by services.history)


def page_param(slug: str) -> str:
    """The query parameter naming the page of one kind: ``patents_page``, ``credit_records_page``."""
    return slug.replace("-", "_") + "_page"


def _expired_certificates(day: date):
    """SQL: how many of the enterprise's certificates ``Certification.status_on(day)`` calls 'expired'."""
    return (select(func.count()).select_from(Certification)
            .where(Certification.enterprise_id == Enterprise.id,
                   or_(Certification.status == "valid", Certification.status_changed_on > day),
                   Certification.issued_on <= day, Certification.expires_on < day)
            .scalar_subquery())


@cache
def _totals_statement():
    """Records per kind slug, the badges of enterprise ``:enterprise_id`` on ``:day`` and its changes' count: one
    statement, built once per process."""
    day = bindparam("day", type_=Date)
    counts = [select(func.count()).select_from(kind.model).where(kind.model.enterprise_id == Enterprise.id)
              .scalar_subquery().label(slug) for slug, kind in KINDS.items()]
    return select(*counts, holds_valid_pinzibiao(day).label("pinzibiao"), on_credit_list(day).label("credit_listed"),
                  _expired_certificates(day).label("expired"), history_count(Enterprise.id).label("history")).where(Enterprise.id == bindparam("enterprise_id"))


@cache
def _page_statement(slug: str):
    """A page of enterprise ``:enterprise_id``'s records of one kind, built once per process."""
    return pagination.paged(record_query(KINDS[slug], bindparam("enterprise_id")))


def record_pages(enterprise_id: int, wanted: dict[str, int], day: date, per_page: int = PER_PAGE) -> RecordPages:
    """Page ``wanted[slug]`` (default 1, held within 1 .. the last page) of each kind of the enterprise's records.

    The caller has checked that the user may see the enterprise."""
    totals = db.session.execute(_totals_statement(), {"enterprise_id": enterprise_id, "day": day}).one()._asdict()
    pages = {slug: pagination.of_paged(_page_statement(slug), wanted.get(slug, 1), per_page, total=totals[slug],
                                       params={"enterprise_id": enterprise_id}, unique=kind is STANDARDS)
             for slug, kind in KINDS.items()}
    return RecordPages(pages=pages, pinzibiao=bool(totals["pinzibiao"]), credit_listed=bool(totals["credit_listed"]),
                       expired_certificates=totals["expired"] or 0, history_total=totals["history"] or 0)
