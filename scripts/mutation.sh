#!/usr/bin/env bash
# make mutation: mutation testing of the core with mutmut 2 (not CI; results in tests/MUTATION.md).
# Each module is mutated in place, one at a time. First its test selection runs once under
# scripts/mutation_map.py, which records which tests execute each line; then mutmut_config.py runs, for each
# mutant, only the tests that execute its line (fastest first, -x), and skips mutants that change only the text of
# a translatable label or sit on a line no test executes (both counted as "skipped"). mutmut lives in its own
# tool venv (.venv-mutmut), outside the locked test dependencies. Everything runs under nice -n 19 (MUTATION_NICE).
# MUTATION_TARGETS narrows the run: "registry/identifiers.py" or several, space-separated. MUTATION_KEEP_CACHE=1 keeps
# .mutmut-cache (one module): after adding tests, only the mutants not killed before are run again.
# The selections: no browser, no worker-process or outage tests; a temporary SQLite database per pytest run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
TOOL=.venv-mutmut
test -x "$TOOL/bin/mutmut" || { python3 -m venv "$TOOL" && "$TOOL/bin/pip" install -q "mutmut==2.5.1"; }

declare -A TESTS=(
  [registry/identifiers.py]="tests/unit/test_identifiers.py"
  [registry/pagination.py]="tests/unit/test_pagination.py"
  [registry/targets/rules.py]="tests/targets/test_counting_rules.py tests/targets/test_rules_vs_sql.py
    tests/targets/test_as_of.py tests/targets/test_gi_counting.py tests/targets/test_green_product_domains.py
    tests/targets/test_green_unmapped.py tests/targets/test_pinzibiao_routes_counting.py"
  [registry/targets/counting.py]="tests/targets/test_counting_rules.py tests/targets/test_rules_vs_sql.py
    tests/targets/test_as_of.py tests/targets/test_gi_counting.py tests/targets/test_pinzibiao_routes_counting.py"
  [workflows/chain.py]="tests/audit/test_chain.py tests/workflows/test_history_lanes.py tests/ops/test_key_rotation.py
    tests/workflows/test_engine.py::test_history_chain_detects_tampering"
  [workflows/dispatch.py]="tests/workflows/test_outbox_rules.py
    tests/workflows/test_hand_off.py::test_a_hand_off_is_rolled_back_with_the_record_that_asked_for_it
    tests/admin/test_outbox_page.py::test_retry_changes_only_set_aside_rows
    tests/admin/test_outbox_page.py::test_concurrent_retries_and_discards_change_a_row_once"
  [workflows/delivery.py]="tests/workflows/test_sms.py tests/workflows/test_mail_sink.py"
  [workflows/engine.py]="tests/workflows/test_engine.py tests/workflows/test_concurrency.py
    tests/workflows/test_action_statements.py"
  [registry/settings.py]="tests/admin/test_settings.py"
  [registry/policy/__init__.py]="tests/registry/test_policy.py"
  [registry/policy/roles.py]="tests/registry/test_policy.py"
  [registry/policy/enterprises.py]="tests/registry/test_policy.py"
  [registry/policy/applications.py]="tests/registry/test_policy.py tests/workflows/test_action_statements.py"
  [registry/policy/awards.py]="tests/registry/test_policy.py"
  [registry/policy/administration.py]="tests/registry/test_policy.py"
)
targets=${MUTATION_TARGETS:-${!TESTS[@]}}
mkdir -p test-artifacts/mutation
for module in $targets; do
  [[ -n ${MUTATION_KEEP_CACHE:-} ]] || rm -rf .mutmut-cache
  name=$(echo "$module" | tr / _)
  options="-x -q -p no:cacheprovider -p no:xdist -p scripts.mutation_fast"
  [[ ${TESTS[$module]} == tests/unit/* ]] && options="$options --noconftest"  # no database or Redis to start
  tests=$(echo ${TESTS[$module]})
  # 1. which tests execute each line (one run of the selection, traced)
  MUTATION_MAP_TARGET="$module" MUTATION_MAP_OUT="test-artifacts/mutation/$name.map.json" \
    nice -n "${MUTATION_NICE:-19}" $PY -m pytest $options -p scripts.mutation_map $tests
  # 2. the mutants; mutmut_config.py narrows each one's tests from the map
  MUTATION_RUNNER_BASE="bash $PWD/scripts/mutation_pytest.sh $options" nice -n "${MUTATION_NICE:-19}" "$TOOL/bin/mutmut" run \
    --paths-to-mutate "$module" --no-progress --simple-output \
    --runner "bash $PWD/scripts/mutation_pytest.sh $options $tests" || true  # survivors: exit != 0
  "$TOOL/bin/mutmut" results | tee "test-artifacts/mutation/$name.txt"
  "$TOOL/bin/mutmut" junitxml > "test-artifacts/mutation/$name.xml" || true
done
