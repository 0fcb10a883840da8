"""The one way the system puts a value into a spreadsheet cell (formula-injection defence, issue 9).

A value a user typed, such as ``=HYPERLINK("http://evil","x")``, must reach Excel as the text that was typed and
never as a formula. openpyxl stores any string that starts with ``=`` as a formula, and Excel re-reads a cell
that starts with ``+``, ``-``, ``@``, a tab or a carriage return as one as soon as someone edits it. Following
OWASP's CSV-injection advice, such a string is written as a text cell (``data_type`` 's') with Excel's
quote-prefix style: the sheet shows exactly what was typed, an import of the export reads it back unchanged,
and Excel never evaluates it. Every workbook writer appends its rows through ``append``.
"""
from __future__ import annotations

from typing import Any, Iterable

from openpyxl.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    """True for a string a spreadsheet program could take as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def cell(ws, value: Any) -> Cell:
    """A cell of ``ws`` (write-only or normal) holding ``value``, a formula-like string as quote-prefixed text."""
    made = Cell(ws, row=1, column=1, value=value)  # position set by append (write-only sheets need one)
    if looks_like_formula(value):
        made.data_type = "s"  # overrides openpyxl's "starts with = means formula" guess
        made.quotePrefix = True
    return made


def inert(ws, value: Any) -> Any:
    """``value`` ready for ``ws.append``: a formula-like string becomes an inert text cell (``cell``);
    everything else (numbers, dates, plain text, existing cells) is returned as is."""
    return cell(ws, value) if looks_like_formula(value) else value


def append(ws, values: Iterable[Any]) -> None:
    """Append one row to ``ws`` with every formula-like string stored as inert text."""
    ws.append([inert(ws, value) for value in values])
