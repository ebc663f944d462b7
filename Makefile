# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test install lint messages clean

$(VENV)/.installed: requirements.txt requirements-test.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "The portal needs Python 3.11 or newer: run e.g. 'make run PYTHON=python3.12'."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

## Migrate, seed the programme, create an admin, then serve web + Celery worker + beat.
run: install
	PORT=$(PORT) bash bin/run

## The whole test suite (SQLite by default; PostgreSQL and Redis when DATABASE_URL and
## CELERY_BROKER_URL are set).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## Refresh the Latvian catalogue after changing user-facing strings.
messages: install
	$(PY) manage.py makemessages --locale lv --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --locale lv --ignore '.venv/*'

clean:
	rm -rf var/broker var/mail var/staticfiles
