# Two commands on a fresh machine:  make demo  (set up, migrate, seed, run web + worker + beat)
#                                   make test  (set up, install the browser, run every test)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app registry

.PHONY: setup demo test browser services bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

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

bench: setup
	$(PY) -m bench.run_all

clean:
	rm -rf instance .pytest_cache test-artifacts
