"""Summarise one module's mutmut run for tests/MUTATION.md (run with the tool venv: .venv-mutmut/bin/python).

Reads .mutmut-cache (read-only: `mutmut results`/`show` rewrite the cache and must not run while mutmut mutates)
and the module's line map, splits mutmut's "skipped" into label-only mutants and mutants on lines no selected test
executes, and prints the score: killed / (all - label-only); unreached mutants count as survivors.
--rerun FILE writes the survivors and unreached mutants as line_number:index for MUTATION_RERUN (mutmut_config.py);
MUTATION_BEFORE=path/.mutmut-cache scores an after-run over only the mutants that earlier run tested.
Usage: [MUTATION_CACHE=path] scripts/mutation_report.py MODULE [--show]  (--show: the diff of every survivor and
unreached mutant; run it where the module is not mutated: mid-run, point MUTATION_CACHE at the running copy)
"""
from __future__ import annotations

import os
import sqlite3
import sys

from mutmut import Context, RelativeMutationID, mutate

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import mutmut_config  # noqa: E402  (the same line map the hook used)

KILLED = {"ok_killed", "bad_timeout", "ok_suspicious"}


def main(module: str, show: bool, rerun: str | None = None) -> None:
    cache = sqlite3.connect(f"file:{os.environ.get('MUTATION_CACHE', '.mutmut-cache')}?mode=ro", uri=True)
    rows = cache.execute(
        "SELECT m.id, l.line, l.line_number, m.\"index\", m.status FROM Mutant m JOIN Line l ON m.line = l.id "
        "JOIN SourceFile s ON l.sourcefile = s.id WHERE s.filename = ? ORDER BY l.line_number, m.\"index\"",
        (module,)).fetchall()
    data, spans = mutmut_config._load(module)
    lines = data["lines"] if data else None
    counts = {"killed": 0, "survived": 0, "label": 0, "unreached": 0, "outside": 0, "untested": 0}
    listed = []
    before = None
    if os.environ.get("MUTATION_BEFORE"):  # an after-run over the mutants a stopped earlier run tested
        old = sqlite3.connect(f"file:{os.environ['MUTATION_BEFORE']}?mode=ro", uri=True)
        before = {(n, i): st for n, i, st in old.execute(
            "SELECT l.line_number, m.\"index\", m.status FROM Mutant m JOIN Line l ON m.line = l.id")}
    again = []
    for pk, text, number, index, status in rows:
        if before is not None:
            if before.get((number, index), "untested") == "untested":
                counts["untested"] += 1
                continue
            if status == "untested":  # not re-run: it was killed before
                status = before[(number, index)]

        if mutmut_config.outside_core(module, number + 1):
            counts["outside"] += 1
            continue
        if status in KILLED:
            counts["killed"] += 1
            continue
        if status == "untested":
            counts["untested"] += 1
            continue
        if status == "skipped":
            probe = Context(mutation_id=RelativeMutationID(text, index, number, filename=module), filename=module)
            if mutmut_config._label_only(probe, spans):
                kind = "label"
            elif lines is not None and not lines.get(str(number + 1)):
                kind = "unreached"
            else:  # skipped by an earlier hook whose map missed the line: run it again (status -> untested)
                counts["untested"] += 1
                continue
        else:
            kind = "survived"
        counts[kind] += 1
        if kind != "label":
            listed.append((kind, pk, number, index, text))
            again.append(f"{number}:{index}")
    scored = sum(counts.values()) - counts["label"] - counts["untested"] - counts["outside"]
    score = 100.0 * counts["killed"] / scored if scored else 0.0
    if rerun:
        with open(rerun, "w") as f:
            f.write("\n".join(again) + "\n")
    print(f"{module}: {len(rows)} mutants; killed {counts['killed']}, survived {counts['survived']}, "
          f"unreached {counts['unreached']}, label-only {counts['label']}, outside the core functions "
          f"{counts['outside']}, untested {counts['untested']}; "
          f"score {counts['killed']}/{scored} = {score:.0f} %")
    for kind, pk, number, index, text in listed:
        line = f"  {kind:9} #{pk} line {number + 1}"
        if show:
            mutated, _ = mutate(Context(mutation_id=RelativeMutationID(text, index, number, filename=module),
                                        filename=module))
            line += f": {text.strip()}  ->  {mutated.split(chr(10))[number].strip()}"
        print(line)


if __name__ == "__main__":
    main(sys.argv[1], "--show" in sys.argv,
         sys.argv[sys.argv.index("--rerun") + 1] if "--rerun" in sys.argv else None)
