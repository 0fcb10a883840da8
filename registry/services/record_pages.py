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
from registry.models import Certification, Enterprise, Standard
from registry.extensions import db
from registry.records.kinds import KINDS, STANDARDS
from registry.services.enterprises import holds_valid_pinzibiao, on_credit_list
from registry.services.history import history_count
from registry.services.records import record_query

PER_PAGE = 10


@dataclass(frozen=True)
class RecordPages:
    pages: dict[str, pagination.Page]  # kind slug -> the page shown, its items rows (id, the fields by spec name)
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


def _shown_columns(kind):
    """The columns the page's table of ``kind`` reads, named as its field specs (Core columns: rows, not objects)."""
    table = kind.model.__table__
    if kind is STANDARDS:  # a drafter row shows its standard's fields
        return [table.c.id, table.c.role, *(Standard.__table__.c[name] for name in kind.extra["standard_fields"])]
    extra = [table.c.source_application_id] if "source_application_id" in table.c else []  # granted by a workflow
    return [table.c.id, *(table.c[spec.name] for spec in kind.fields if spec.name != "id"), *extra]


@cache
def _page_statement(slug: str):
    """A page of enterprise ``:enterprise_id``'s records of one kind as Core rows of the columns its table shows
    (``record_query``'s joins and order), built once per process. Rows rather than ORM objects: loading a page
    of ten objects cost twice the statement's own CPU, and the page only reads their values."""
    kind = KINDS[slug]
    return pagination.paged(record_query(kind, bindparam("enterprise_id")).with_only_columns(*_shown_columns(kind)))


def record_pages(enterprise_id: int, wanted: dict[str, int], day: date, per_page: int = PER_PAGE) -> RecordPages:
    """Page ``wanted[slug]`` (default 1, held within 1 .. the last page) of each kind of the enterprise's records.

    The caller has checked that the user may see the enterprise."""
    # On the session's connection (Core rows): through the ORM session the same statement cost twice the CPU.
    totals = db.session.connection().execute(_totals_statement(),
                                             {"enterprise_id": enterprise_id, "day": day}).one()._asdict()
    pages = {slug: pagination.of_paged_rows(_page_statement(slug), wanted.get(slug, 1), per_page,
                                            total=totals[slug], params={"enterprise_id": enterprise_id})
             for slug in KINDS}
    return RecordPages(pages=pages, pinzibiao=bool(totals["pinzibiao"]), credit_listed=bool(totals["credit_listed"]),
                       expired_certificates=totals["expired"] or 0, history_total=totals["history"] or 0)
