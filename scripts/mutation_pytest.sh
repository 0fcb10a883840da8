#!/usr/bin/env bash
# The test command of each mutant (scripts/mutation.sh): pytest, with a collection error counted as a kill.
# mutmut 2 counts only exit code 1 as "tests failed"; a mutant that breaks the module's import makes pytest stop at
# collection with exit code 2, which mutmut would report as a survivor. Exit codes 4 (usage) and 5 (no tests
# collected) stay as they are: a selection that runs nothing is a mistake of the map, not a kill.
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
rc=$?
[[ $rc == 2 ]] && exit 1
exit $rc
