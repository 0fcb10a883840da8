"""mutmut 2 hook for `make mutation` (scripts/mutation.sh): run only the tests that execute the mutated line.

scripts/mutation.sh first runs the module's test selection once under ``scripts/mutation_map.py``, which records
which tests execute each line (``test-artifacts/mutation/<module>.map.json``). For each mutant this hook:

- skips it when it changes only the text of a translatable label (``N_("...")``, ``_l("...")``, ``_("...")``):
  wording, not behaviour (counted as "skipped" in the results);
- skips it when no test of the selection executes its line (counted as "skipped" and listed in MUTATION.md as
  not reached: a mutant of a line that never runs cannot change what the tests see);
- otherwise runs only the tests that executed the line, fastest first (``-x`` stops at the first failure).
  A line run at import or collection, or by one test only, runs the module's whole selection instead: code
  cached after its first use (the table of counting rules is built once, by whichever test asks first) is seen
  run by one test, though every later test depends on it.

Without a map (``MUTATION_RUNNER_BASE`` unset) the hook does nothing and mutmut runs its ``--runner``.
``MUTATION_RERUN`` (a file of ``line_number:index``, 0-based lines, from ``scripts/mutation_report.py --rerun``): run
only those mutants (the ones an earlier, stopped run tested and did not kill), skip the rest.
"""
from __future__ import annotations

import ast
import json
import os
import shlex

_cache: dict[str, tuple[dict, set]] = {}
# Modules too large for one session on the shared machine: only these top-level functions (and what they nest)
# are mutated; the rest is skipped and reported as "outside" (tests/MUTATION.md says what was left and why).
CORE = {
    "registry/targets/rules.py": ("_certificate_end", "certificates", "first_certificates"),
    "workflows/chain.py": ("digest", "append", "_KeyOrder", "_check_row", "_verify_global", "_verify_lanes",
                           "_walk_lanes", "_verify_seal"),
    "workflows/engine.py": ("_apply", "_check", "_write", "_after_write", "_store_runs", "_column_values",
                            "_insert_statement", "_run_update", "_load", "_locked_read",
                            "_compare_and_set_statement", "_target", "_compare_and_set", "_commit_keeping",
                            "_recorded_state"),
}
LABEL_CALLS = {"N_", "_l", "_", "gettext", "lazy_gettext"}


def _statement_lines(tree) -> dict[int, range]:
    """Each line -> the lines of the smallest statement (or compound statement's header) holding it.

    Python reports a line only where new bytecode starts: the later lines of a multi-line constant tuple or dict
    run without a line event of their own, so a line counts as executed when any line of its statement did."""
    spans: dict[int, range] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        body = getattr(node, "body", None)
        end = body[0].lineno - 1 if isinstance(body, list) and body and body[0].lineno > node.lineno \
            else node.end_lineno
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        lines = range(first, max(end, node.lineno) + 1)
        for n in lines:
            if n not in spans or len(lines) < len(spans[n]):
                spans[n] = lines
    return spans


def _load(filename: str):
    if filename not in _cache:
        path = os.path.join("test-artifacts", "mutation", filename.replace("/", "_") + ".map.json")
        with open(filename) as f:
            tree = ast.parse(f.read())
        data = None
        if os.path.exists(path):
            with open(path) as f:
                data = json.load(f)
            traced = data["lines"]
            data["lines"] = {str(n): sorted(set().union(*(traced.get(str(m), ()) for m in lines)))
                             for n, lines in _statement_lines(tree).items()}
        spans = set()  # (line, start col, end col) of the string arguments of label calls, per line
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in LABEL_CALLS:
                for arg in node.args:
                    for part in ast.walk(arg):
                        if isinstance(part, ast.Constant) and isinstance(part.value, str):
                            if part.lineno == part.end_lineno:
                                spans.add((part.lineno, part.col_offset, part.end_col_offset))
        core = CORE.get(filename)
        if core is not None:
            inside = set()
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in core:
                    inside.update(range(node.lineno, node.end_lineno + 1))
            spans = (spans, inside)
        else:
            spans = (spans, None)
        _cache[filename] = (data, spans)
    return _cache[filename]


def outside_core(filename: str, line: int) -> bool:
    inside = _load(filename)[1][1]
    return inside is not None and line not in inside


def _label_only(context, spans) -> bool:
    spans = spans[0] if isinstance(spans, tuple) else spans
    from mutmut import Context, mutate

    probe = Context(mutation_id=context.mutation_id, filename=context.filename)
    mutated, _ = mutate(probe)
    number = context.mutation_id.line_number  # 0-based
    before = probe.source.split("\n")[number]
    after = mutated.split("\n")[number]
    if before == after:
        return False
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(before), len(after)) - prefix
           and before[len(before) - 1 - suffix] == after[len(after) - 1 - suffix]):
        suffix += 1
    # character columns (ast gives UTF-8 byte offsets)
    encoded = before.encode()
    for line, start, end in spans:
        if line != number + 1:
            continue
        start, end = len(encoded[:start].decode()), len(encoded[:end].decode())
        if start <= prefix and len(before) - suffix <= end:
            return True
    return False


def _rerun_only() -> set | None:
    path = os.environ.get("MUTATION_RERUN")
    if not path:
        return None
    with open(path) as f:
        return {tuple(map(int, line.split(":"))) for line in f if line.strip()}


def pre_mutation(context):
    base = os.environ.get("MUTATION_RUNNER_BASE")
    if not base:
        return
    rerun = _cache.setdefault("<rerun>", _rerun_only())
    if rerun is not None and (context.mutation_id.line_number, context.mutation_id.index) not in rerun:
        context.skip = True  # after new tests: only the mutants an earlier run did not kill (MUTATION_RERUN)
        return
    data, spans = _load(context.filename)
    if outside_core(context.filename, context.mutation_id.line_number + 1):
        context.skip = True
        return
    if _label_only(context, spans):
        context.skip = True
        return
    if data is None:
        return
    tests = data["lines"].get(str(context.mutation_id.line_number + 1), [])
    if not tests:
        context.skip = True  # never executed by the selection
        return
    if "<import>" in tests or len(tests) <= 1:
        return  # run at import, or by one test only: the module's whole selection (mutmut's --runner)
    durations = data["durations"]
    tests = sorted(tests, key=lambda node: durations.get(node, 0.0))
    context.config.test_command = base + " " + " ".join(shlex.quote(node) for node in tests)
