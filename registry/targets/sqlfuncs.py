"""Two portable SQL helpers the counting rules need (SQLite and PostgreSQL spell them differently)."""
from __future__ import annotations

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class year_end(FunctionElement):  # noqa: N801  (reads as the SQL function it is)
    """31 December of an integer year, as a DATE: an honour known only by its year counts from the year's end."""

    type = Date()
    name = "year_end"
    inherit_cache = True


@compiles(year_end)
def _year_end_default(element, compiler, **kw):
    return "make_date(%s, 12, 31)" % compiler.process(element.clauses, **kw)


@compiles(year_end, "sqlite")
def _year_end_sqlite(element, compiler, **kw):
    return "date(CAST(%s AS TEXT) || '-12-31')" % compiler.process(element.clauses, **kw)
