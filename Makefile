# The two commands: `make run` (demo on SQLite) and `make test` (the suite on PostgreSQL).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LOCAL := DJANGO_SETTINGS_MODULE=cms.settings.local
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-workers lint format messages migrations-check bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(LOCAL) $(BIN)/python manage.py migrate --noinput
	$(LOCAL) $(BIN)/python manage.py import_dump demo/dumps/*.txt
	$(LOCAL) $(BIN)/python manage.py create_demo_users
	$(LOCAL) $(BIN)/python manage.py demo_workflow
	@echo "管理后台 (admin): http://$(HOST):$(PORT)/admin/"
	@mkdir -p var/broker
	@# The web server, a Celery worker and beat together, on files instead of Redis; Ctrl-C stops all.
	trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT INT TERM; \
	$(LOCAL) $(BIN)/celery -A workers worker --concurrency 1 --loglevel INFO & \
	$(LOCAL) $(BIN)/celery -A workers beat --loglevel INFO --schedule var/celerybeat-schedule & \
	$(LOCAL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite runs in two pytest sessions: the real-worker tests (tests/workers/test_worker.py, a Celery
# worker and beat against Redis) in a session of their own, because their restoring of the data
# migrations' rows after each test collides with tests/e2e's in one session. `make test` runs both;
# `make test-workers` only the second.
test: install
	$(BIN)/pytest $(PYTEST_ARGS) --ignore=tests/workers/test_worker.py
	$(BIN)/pytest $(PYTEST_ARGS) tests/workers/test_worker.py

test-workers: install
	$(BIN)/pytest $(PYTEST_ARGS) tests/workers/test_worker.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the zh_Hans catalogue after changing translatable strings (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'scripts/*' --ignore 'demo/*'
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore ".venv/*"

# The API benchmark: 10,000 published articles, gunicorn (2 workers) against a psycopg baseline, wrk.
bench: install
	command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python -m bench.api_bench $(BENCH_ARGS)

migrations-check: install
	$(LOCAL) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache
