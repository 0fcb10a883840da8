# Two commands on a fresh machine:  make demo  (set up, migrate, seed, run web + worker + beat)
#                                   make test  (set up, install the browser, run every test)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app registry

.PHONY: setup demo test browser services bench bench-province clean lock mutation

# Installs exactly the locked versions, each checked against its sha256 (requirements-dev.lock: runtime + the
# embedded Redis + test tools; production installs requirements.lock). The inputs are requirements*.txt:
# after changing one, `make lock` regenerates both locks (uv, hashes for every file of every pinned version).
$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || bash scripts/install-test-services.sh python3-venv
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements-dev.lock
	touch $@

UV_COMPILE := $(VENV)/bin/uv pip compile -q --generate-hashes --python-version 3.11 --custom-compile-command "make lock"

lock:
	test -x $(VENV)/bin/uv || $(MAKE) setup
	$(UV_COMPILE) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt -o requirements-dev.lock

setup: $(VENV)/.installed
	@if [ -d registry/translations ]; then $(VENV)/bin/pybabel compile -d registry/translations || true; fi

browser:
	@bash scripts/install-browser.sh

services:
	@bash scripts/install-test-services.sh

demo: setup
	$(FLASK) init
	$(FLASK) seed-demo
	$(PY) scripts/run_all.py

test: setup browser services
	$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

# The long runs of reliability.md at full size (the suite runs them smaller; tests/reliability/README.md): beat really
# stopped for 10 minutes, 10,000 Hypothesis steps over both workflows, PostgreSQL restarted 10 times under traffic,
# 20 + 20 worker kills, 200 rounds of 32 racing reviewers, 500 sweep races. Figures are printed (-s).
soak: setup
	BEAT_DOWN_SECONDS=600 STATEFUL_EXAMPLES=250 STATEFUL_STEPS=40 PG_RESTARTS=10 WORKER_KILLS=20 RACE_ROUNDS=200 \
		SWEEP_RACES=500 $(PY) -m pytest -q -s -p no:cacheprovider tests/reliability/test_beat_stopped.py \
		tests/workflows/test_stateful.py tests/reliability/test_postgres_restart.py \
		tests/reliability/test_worker_killed.py tests/workflows/test_concurrency.py \
		tests/reliability/test_sweep_races_reviewer.py $(PYTEST_ARGS)

bench: setup
	$(PY) -m bench.run_all

# The province (issue 16): 1,000,000 enterprises and ~10,000,000 records in their own database registry_bench_1m
# (about 4 GB; the 100,000 one is left alone), the registry pages at 2 clients, then the targets dashboard and the
# town assessment on the same rows. PostgreSQL only: DATABASE_URL=postgresql://... make bench-province
bench-province: setup
	@test -n "$(DATABASE_URL)" || { echo "bench-province needs DATABASE_URL (PostgreSQL)"; exit 2; }
	BENCH_DB_NAME=registry_bench_1m $(PY) -m bench.run_all --enterprises 1000000 --concurrency 2
	BENCH_DB_NAME=registry_bench_1m $(PY) -m bench.targets_dashboard --skip-seed

# Mutation testing of the core (not CI; hours on the full list): MUTATION_TARGETS="registry/identifiers.py" for one.
mutation: setup
	MUTATION_TARGETS="$(MUTATION_TARGETS)" bash scripts/mutation.sh

clean:
	rm -rf instance .pytest_cache test-artifacts
