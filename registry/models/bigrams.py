"""Chinese substring search on PostgreSQL: an index of each name's character bigrams.

A name search is ``name LIKE '%鑫隆%'``, which no B-tree can serve, and pg_trgm does not help: it needs three
characters and most Chinese trade names (字号) are two. So PostgreSQL gets an immutable SQL function that returns
the distinct two-character pieces of a text, and a GIN index on it: a query of two or more characters asks first for
the rows holding all of its bigrams (an index lookup), then rechecks the LIKE. SQLite has neither and scans.
"""
from __future__ import annotations

from sqlalchemy import DDL, func, literal

FUNCTION = "registry_bigrams"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{{}}'::text[])
  FROM generate_series(1, char_length(t) - 1) AS i
$$
"""
DROP_FUNCTION = f"DROP FUNCTION IF EXISTS {FUNCTION}(text)"


def create_function_ddl() -> DDL:
    """The function, for ``create_all`` on PostgreSQL (the migration runs the same text)."""
    return DDL(CREATE_FUNCTION).execute_if(dialect="postgresql")


def bigrams(expression):
    return getattr(func, FUNCTION)(expression)


def contains_all_bigrams(column, text: str):
    """A clause the GIN index answers: the column's bigrams include every bigram of ``text`` (2+ characters)."""
    return bigrams(column).op("@>")(bigrams(literal(text)))
