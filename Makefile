# Rejsetilskud: everything from a fresh clone with python3 (3.11), node/npm and make.
#
#   make            set up (venv, packages, design system, catalogues, database, demo data)
#                   and serve on http://127.0.0.1:5000 (or $PORT)
#   make test       every test on SQLite, browser tests included; make test-postgres on
#                   PostgreSQL every test that uses a database (not the browser tests,
#                   nor those that use none: they run the same in make test)
#   make lint       ruff, bandit, mypy (core, workflow, budgets) and the layer check
#                   (scripts/layers.py);
#                   make format rewrites the code
#   make audit      known vulnerabilities in the Python and npm packages (needs the network)
#   make clean      remove what setup made (.venv node_modules static/dkfds build instance)
#
# Pass arguments to pytest with PYTEST_ARGS, e.g. make test PYTEST_ARGS="-k login -x".
# The tests run in PYTEST_WORKERS processes (pytest-xdist; 2 by default, one a core here);
# PYTEST_WORKERS=0 runs them in one, e.g. for pdb.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Marks the requirements installed into the venv; remade when a requirements file changes.
REQUIREMENTS_STAMP := $(VENV)/.requirements-installed
POSTGRES_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2
# Each worker takes the next test as it is free; the browser tests stay on one of them.
PYTEST := $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadgroup

export FLASK_APP := wsgi
FLASK := $(BIN)/flask --app wsgi

.DEFAULT_GOAL := run
.PHONY: run setup venv deps assets translations test test-postgres lint format clean bench audit

run: setup
	$(FLASK) run --host 127.0.0.1 --port $${PORT:-5000}

setup: deps assets translations
	$(FLASK) db upgrade
	$(FLASK) demo load

# --- Python --------------------------------------------------------------------------------
venv: $(BIN)/python

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version 2>&1))."; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
		{ echo "$(PYTHON) cannot make a virtualenv; on Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

deps: $(REQUIREMENTS_STAMP)

$(REQUIREMENTS_STAMP): requirements-pip.txt requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade -r requirements-pip.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@command -v xmlsec1 >/dev/null || echo "Note: no xmlsec1. The MitID login (NemLog-in) and its tests need it: apt-get install xmlsec1"
	@touch $@

# --- Front end: Det Fælles Designsystem, copied from node_modules into static/dkfds ---------
# then every static file built for serving into build/static (hashed names, gzip and brotli,
# the manifest url_for reads: scripts/build_static.py), again whenever a static file changes.
STATIC_SOURCES = $(shell find static -type f -not -path 'static/dkfds/*' -not -path 'static/vendor/*' 2>/dev/null)

assets: static/dkfds build/static/manifest.json

# The templates too: the design system's CSS keeps the classes they use (grants/core/css_trim.py).
build/static/manifest.json: static/dkfds $(STATIC_SOURCES) $(shell find templates -type f) \
		scripts/build_static.py grants/core/static_files.py grants/core/css_trim.py | deps
	$(BIN)/python scripts/build_static.py

static/dkfds: package.json $(wildcard package-lock.json)
	@if [ -f package-lock.json ]; then \
		npm ci --no-audit --no-fund --loglevel=error; \
	else \
		npm install --no-audit --no-fund --loglevel=error; \
	fi
	npm run --silent build
	@touch $@

# --- Translations: compile the catalogues, if there are any --------------------------------
translations: deps
	scripts/i18n.sh compile

# --- Tests and code style --------------------------------------------------------------------
test: deps assets translations
	$(PYTEST) $(PYTEST_ARGS)

# The browser tests serve the app on a SQLite file of their own whatever the database, so
# they run once, in `make test`, not again here; so do the tests that use no database
# (tests/conftest.py leaves them out on PostgreSQL).
test-postgres: deps assets translations
	@echo "Browser tests: run by make test (they serve the app on SQLite), not repeated here."
	TEST_DATABASE_URL=$(POSTGRES_TEST_URL) $(PYTEST) --ignore=tests/browser $(PYTEST_ARGS)

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive .
	$(BIN)/mypy
	$(BIN)/python scripts/layers.py

# Known vulnerabilities in the Python and npm packages (scripts/audit.py): says plainly what
# could not be checked, e.g. on a machine that cannot reach the vulnerability databases.
audit: deps
	$(BIN)/python scripts/audit.py $(AUDIT_ARGS)

format: deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmark (bench/README.md): builds grants_bench_100k and grants_bench_1k in the
# PostgreSQL at 127.0.0.1:5432, serves them with gunicorn and measures; ~8 minutes.
# Lighthouse (npm) lives in bench/package.json, apart from the app's packages: CI never
# installs it (bench/lighthouse.py).
bench: deps assets bench/node_modules/.package-lock.json
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench/node_modules/.package-lock.json: bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund --loglevel=error

clean:
	rm -rf $(VENV) node_modules static/dkfds static/vendor build instance
