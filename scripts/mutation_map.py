"""pytest plugin for `make mutation`: which tests run which line of the module being mutated.

Loaded with ``-p scripts.mutation_map`` and ``MUTATION_MAP_TARGET=path/to/module.py``; writes
``MUTATION_MAP_OUT`` (JSON): for each line of the module, the node ids of the tests that executed it, and each
test's duration. Lines executed outside any test (at import or collection) are listed under ``"<import>"``.
``mutmut_config.py`` then runs only those tests against a mutant of that line, fastest first, instead of the
module's whole selection. No dependency beyond the standard library (``sys.settrace``, threads included).
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time

import pytest

TARGET = os.path.abspath(os.environ.get("MUTATION_MAP_TARGET", ""))
IMPORT = "<import>"
_lines: dict[int, set[str]] = {}
_durations: dict[str, float] = {}
_current = [IMPORT]


def _local(frame, event, arg):
    if event == "line":
        _lines.setdefault(frame.f_lineno, set()).add(_current[0])
    return _local


def _global(frame, event, arg):
    if frame.f_code.co_filename == TARGET:
        _lines.setdefault(frame.f_lineno, set()).add(_current[0])
        return _local
    return None


if TARGET:  # from the plugin's import (before conftest files), so import-time lines are seen
    sys.settrace(_global)
    threading.settrace(_global)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _current[0] = item.nodeid
    sys.settrace(_global)  # a test may have replaced the tracer (a debugger, a coverage tool)
    start = time.perf_counter()
    yield
    _durations[item.nodeid] = time.perf_counter() - start
    _current[0] = IMPORT


def pytest_unconfigure(config):
    sys.settrace(None)
    threading.settrace(None)
    out = os.environ.get("MUTATION_MAP_OUT")
    if TARGET and out:
        with open(out, "w") as f:
            json.dump({"target": os.path.relpath(TARGET), "durations": _durations,
                       "lines": {str(n): sorted(ids) for n, ids in sorted(_lines.items())}}, f, indent=0)
