"""URL converters for the whole app."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; SQLite overflows past 2**63


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that refuses values a database id column cannot hold: such a URL is a plain 404,
    never an overflow error (a 500) inside the query. Installed as the app's ``int`` converter."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002  (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)
