# cotraining: `make demo` serves the demo programme, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs in one process per core (pytest-xdist); `make test PYTEST_JOBS=` runs it in one.
PYTEST_JOBS ?= -n auto --dist loadgroup

# The first Python 3.12+ found on PATH (pyenv's shims honour .python-version).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: help install demo serve test lint worker beat bench messages check-python clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Python 3.12 or newer is needed and none was found on PATH." >&2; \
		echo "       Install it (e.g. 'pyenv install 3.12'), or run: make PYTHON=/path/to/python3.12 ..." >&2; \
		exit 1; fi

$(STAMPS)/python: pyproject.toml | check-python
	@mkdir -p $(STAMPS)
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	@command -v npm >/dev/null || { echo "error: npm (Node.js) is needed for the front-end assets." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMPS)/messages: $(STAMPS)/python $(wildcard locale/*/LC_MESSAGES/django.po)
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	@touch $@

install: $(STAMPS)/python $(STAMPS)/node $(STAMPS)/messages ## Install Python and front-end dependencies, compile translations

demo: install ## Install, load the demo programme and serve it on http://127.0.0.1:8000
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput -v 0
	DJANGO_DEBUG=1 $(PY) manage.py demo_data
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

serve: install ## Serve without reloading the demo data
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMPS)/python ## ruff and the migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run -v 0

test: install lint ## Install and run the whole suite (PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set)
	$(VENV)/bin/pytest $(PYTEST_JOBS) $(PYTEST_ARGS)

# A worker that stops on an error is started again; one stopped on purpose (Ctrl-C) is not.
WORKER_RESTART_DELAY ?= 5
worker: install ## Run a Celery worker (needs REDIS_URL), started again whenever it fails
	@while :; do \
		$(VENV)/bin/celery -A cotraining worker --loglevel=INFO --concurrency=2 && break; \
		echo "make worker: the worker stopped (status $$?); starting it again in $(WORKER_RESTART_DELAY) s" >&2; \
		sleep $(WORKER_RESTART_DELAY); \
	done

beat: install ## Run Celery beat, the periodic tasks (needs REDIS_URL)
	$(VENV)/bin/celery -A cotraining beat --loglevel=INFO

bench: install ## Benchmarks: the pages against the login page, the reports, the certificates in parts
	$(PY) bench/pages.py
	DJANGO_DEBUG=1 $(PY) bench/reports.py
	DJANGO_DEBUG=1 $(PY) bench/seal.py
	$(PY) bench/certificates.py

messages: $(STAMPS)/python ## Extract the strings to translate into locale/
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l fr -l en --no-obsolete --no-location --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests --ignore=bench
	DJANGO_DEBUG=1 $(PY) manage.py sync_english_catalogue

clean: ## Remove the virtualenv, node_modules and build output
	rm -rf $(VENV) node_modules $(STAMPS) staticfiles
