"""Control characters in text from outside (issue 9, item 5): cleaned once, at the edge.

The rule, for every text a user, an API client or a spreadsheet cell supplies:

* a multi-line field (a textarea: reasons, comments, descriptions) keeps line breaks and tabs; ``\\r\\n`` and a lone
  ``\\r`` become ``\\n``;
* a single-line field (titles, names, numbers, file names) turns each run of tabs and line breaks into a space;
* every other C0 control (NUL...), DEL, the C1 controls (U+0080-U+009F), the Unicode line and paragraph separators
  and lone surrogates are dropped: they print as nothing, PostgreSQL refuses NUL, they break e-mail headers,
  Content-Disposition headers and the .xlsx writer.

``one_line`` flattens text for a header built from user data (an e-mail Subject, a download file name) even if it
came in before this rule existed.
"""
from __future__ import annotations

import re
from typing import Any

_DROP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_BREAKS = re.compile("\r\n?")
_LINE = re.compile("[\t\n]+")
_SPACES = re.compile("[\t\n\r\x0b\x0c\u2028\u2029\x85]+")


def clean(value: Any, multiline: bool = False) -> Any:
    """``value`` with control characters removed by the rule above; non-strings are returned unchanged."""
    if not isinstance(value, str):
        return value
    text = _DROP.sub("", _BREAKS.sub("\n", value))
    return text if multiline else _LINE.sub(" ", text)


def clean_tree(value: Any, multiline: bool = True) -> Any:
    """Every string inside a JSON value (dicts, lists, keys too) cleaned; line breaks kept unless told."""
    if isinstance(value, str):
        return clean(value, multiline)
    if isinstance(value, dict):
        return {clean(k): clean_tree(v, multiline) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_tree(v, multiline) for v in value]
    return value


def one_line(value: Any, limit: int | None = None) -> str:
    """Text safe for one header line: every control and line break becomes a single space, trimmed."""
    text = _DROP.sub("", _SPACES.sub(" ", "" if value is None else str(value))).strip()
    return text[:limit] if limit else text
