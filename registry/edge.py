"""The request edge: every text that arrives in a request is cleaned here, once (issue 9, item 5).

Query arguments, form fields and uploaded file names pass through ``CleanMultiDict`` as werkzeug parses them, so
every view, form (``raw_data`` too) and service sees clean text; JSON bodies are cleaned by the API's one reader
(``registry.api.auth.json_body``). Excel cells are cleaned by the import reader. The rule is ``registry.text.clean``
with line breaks kept (a request does not say which field is a textarea): NUL, the other C0 controls but tab and
line feed, DEL, C1 controls, line/paragraph separators and lone surrogates are dropped, ``\\r\\n`` becomes ``\\n``.
Single-line fields then flatten what is left (``registry.text.clean(..., multiline=False)``: field coercion,
application titles) and headers built from user text use ``registry.text.one_line``.
"""
from __future__ import annotations

from flask import Request, current_app
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from registry.text import clean, clean_tree, one_line


def _pairs(mapping):
    if mapping is None:
        return []
    if isinstance(mapping, MultiDict):
        return list(mapping.items(multi=True))
    if isinstance(mapping, dict):
        return [(k, v) for k, values in mapping.items() for v in (values if isinstance(values, (list, tuple))
                                                                  else [values])]
    return list(mapping)


def _cleaned(value):
    if isinstance(value, str):
        return clean(value, multiline=True)
    if isinstance(value, FileStorage) and value.filename:
        value.filename = one_line(value.filename)
    return value


class CleanMultiDict(ImmutableMultiDict):
    """The request's parameter storage: keys and string values cleaned, uploaded file names on one line."""

    def __init__(self, mapping=None):
        super().__init__([(clean(k), _cleaned(v)) for k, v in _pairs(mapping)])


def too_deep(value, limit: int) -> bool:
    """True when ``value`` (parsed JSON) nests arrays/objects more than ``limit`` levels (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


class CleanRequest(Request):
    """Form fields, query arguments and file names cleaned as parsed; a JSON body bounded in size
    (``JSON_MAX_BYTES``) and depth (``JSON_MAX_DEPTH``) and cleaned. ``json_problem`` is the (status, message) of
    a refused body."""

    parameter_storage_class = CleanMultiDict
    json_problem: tuple[int, str] | None = None

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        config = current_app.config
        problem, error = None, None
        if (self.content_length or 0) > config["JSON_MAX_BYTES"]:
            problem, error = f"请求体不能超过 {config['JSON_MAX_BYTES']} 字节。", RequestEntityTooLarge
        else:
            try:
                value = super().get_json(force=force, silent=silent, cache=cache)
            except RecursionError:  # nested deeper than the parser can go
                value = None
                problem, error = f"JSON 嵌套不能超过 {config['JSON_MAX_DEPTH']} 层。", BadRequest
            if problem is None and too_deep(value, config["JSON_MAX_DEPTH"]):
                problem, error = f"JSON 嵌套不能超过 {config['JSON_MAX_DEPTH']} 层。", BadRequest
        if problem:
            self.json_problem = (error.code, problem)
            if silent:
                return None
            raise error(problem)
        return clean_tree(value)
