# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run demo test install install-test install-bench bench bench-small lint messages clean

# Two install stamps: `make run` installs only what the portal needs to run (requirements.txt);
# the test and lint targets add the test tools (requirements-test.txt) on top.
$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "The portal needs Python 3.11 or newer: run e.g. 'make run PYTHON=python3.12'."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed-run
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

$(VENV)/.installed-bench: requirements-bench.txt $(VENV)/.installed-test
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test
install-bench: $(VENV)/.installed-bench

## Migrate, seed the programme, create an admin, then serve web + Celery worker + beat.
run: install
	PORT=$(PORT) bash bin/run

## The same as `run`, with a demonstration stage (sessions in the coming weeks, demo people).
demo: install
	PORT=$(PORT) bash bin/run --demo

## The whole test suite (SQLite by default; PostgreSQL and Redis when DATABASE_URL and
## CELERY_BROKER_URL are set).
test: install-test node_modules/axe-core/axe.min.js
	$(PY) -m pytest $(PYTEST_ARGS)

# axe-core for the accessibility tests, exactly as package-lock.json pins it (needs npm).
node_modules/axe-core/axe.min.js: package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

## Every benchmark in bench/ at full size, then bench/RESULTS.md (needs PostgreSQL and Redis on
## 127.0.0.1; takes about 20 minutes). `make bench BENCH="public_pages registration"` runs some.
bench: install-bench
	$(PY) bench/run_all.py $(BENCH)

## The same at a size that takes seconds, to check the scripts work (CI); results in var/bench-small/.
bench-small: install-bench
	BENCH_SMALL=1 $(PY) bench/run_all.py $(BENCH)

lint: install-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## Refresh the Latvian catalogue after changing user-facing strings.
messages: install
	$(PY) manage.py makemessages --locale lv --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --locale lv --ignore '.venv/*'

clean:
	rm -rf var/broker var/mail var/staticfiles
