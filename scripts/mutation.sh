#!/usr/bin/env bash
# make mutation: mutation testing of the core with mutmut 2 (not CI; results in tests/MUTATION.md).
# Each module is mutated in place, one at a time, and only the tests that exercise it run against each mutant
# (pytest -x, one process: the machine is shared). mutmut lives in its own tool venv (.venv-mutmut), outside the
# locked test dependencies. MUTATION_TARGETS narrows the run: "registry/identifiers.py" or several, space-separated.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
TOOL=.venv-mutmut
test -x "$TOOL/bin/mutmut" || { python3 -m venv "$TOOL" && "$TOOL/bin/pip" install -q "mutmut==2.5.1"; }

declare -A TESTS=(
  [registry/identifiers.py]="tests/unit/test_identifiers.py"
  [registry/pagination.py]="tests/unit/test_pagination.py"
  [workflows/engine.py]="tests/workflows/test_engine.py tests/workflows/test_concurrency.py"
  [workflows/chain.py]="tests/audit/test_chain.py tests/workflows/test_engine.py"
  [workflows/dispatch.py]="tests/workflows/test_hand_off.py tests/admin/test_outbox_page.py"
  [registry/targets/rules.py]="tests/targets/test_counting_rules.py"
  [registry/settings.py]="tests/admin/test_settings.py"
)
targets=${MUTATION_TARGETS:-${!TESTS[@]}}
mkdir -p test-artifacts/mutation
for module in $targets; do
  rm -rf .mutmut-cache
  options="-x -q -n 0 -p no:cacheprovider"
  [[ ${TESTS[$module]} == tests/unit/* ]] && options="$options --noconftest"  # no database or Redis to start
  "$TOOL/bin/mutmut" run --paths-to-mutate "$module" --no-progress \
    --runner "$PWD/$PY -m pytest $options ${TESTS[$module]}" || true  # survivors: exit != 0
  "$TOOL/bin/mutmut" results | tee "test-artifacts/mutation/$(echo "$module" | tr / _).txt"
done
