"""URL converters for the whole app."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; SQLite overflows past 2**63


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that refuses values a database id column cannot hold: such a URL is a plain 404,
    never an overflow error (a 500) inside the query. Installed as the app's ``int`` converter."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002  (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def to_int(raw, default: int | None = None, minimum: int = -MAX_ID, maximum: int = MAX_ID) -> int | None:
    """``raw`` (a string of ASCII digits or an int) as an int in [minimum, maximum]; ``default`` when it is not one
    or out of range (9223372036854775808 must never reach a query: an overflow error is a 500)."""
    if isinstance(raw, bool):
        return default
    if not isinstance(raw, int):
        raw = str(raw if raw is not None else "").strip()
        if not raw.lstrip("-").isdigit() or not raw.isascii() or len(raw) > 12:
            return default
    value = int(raw)
    return value if minimum <= value <= maximum else default


def int_arg(name: str, default: int | None = None, minimum: int = -MAX_ID, maximum: int = MAX_ID) -> int | None:
    """A query argument as an int in [minimum, maximum] (``to_int``)."""
    from flask import request

    return to_int(request.args.get(name), default, minimum, maximum)


def page_arg(name: str = "page", maximum: int = 100_000) -> int:
    """The page number asked for, 1 when absent or nonsense; pages past ``maximum`` are the last one allowed."""
    value = int_arg(name, 1, minimum=1)
    return min(value, maximum) if value else 1
