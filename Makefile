# Two commands set up a fresh clone: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=

.PHONY: install run stop worker test test-pg sdk-deps lint fmt migrate clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

## Serve on 127.0.0.1:$(PORT) with the embedded default (SQLite, tasks in-process).
## Choose the port with `make run PORT=9000`. The first start's admin password is repeated below the
## server's start-up output.
run: migrate
	$(BIN)/python manage.py bootstrap --port $(PORT) --repeat-file var/first-start.txt
	$(BIN)/python manage.py sweep_events
	PORT=$(PORT) $(BIN)/gunicorn -c deploy/gunicorn.conf.py --pid var/gunicorn.pid

## Stop what `make run` / `make worker` started (from another terminal), by their pid files.
stop:
	@for f in var/gunicorn.pid var/celery.pid; do \
	  if [ -f $$f ] && kill -0 $$(cat $$f) 2>/dev/null; then kill -TERM $$(cat $$f) && echo "stopped $$f ($$(cat $$f))"; \
	  else rm -f $$f; fi; \
	done

## A Celery worker with the beat scheduler embedded (needs CELERY_BROKER_URL); production runs one
## `celery beat` process separately.
worker: install
	$(BIN)/celery -A erpintegration worker -B --loglevel=info --concurrency=2 --pidfile var/celery.pid

## The official @epilot/sdk for the SDK compatibility tests (skipped when npm is absent).
sdk-deps:
	@if command -v npm >/dev/null 2>&1; then \
	  [ -d tests/sdk/node_modules/@epilot/sdk ] || (cd tests/sdk && npm install --no-audit --no-fund --loglevel=error) \
	  || echo "npm ci failed: the @epilot/sdk tests will skip"; \
	else echo "npm not found: the @epilot/sdk tests will skip"; fi

## The whole suite on the embedded default (SQLite, eager tasks).
test: install sdk-deps
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

## The same suite on PostgreSQL.
test-pg: install sdk-deps
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks print figures (targets in docs); the store bench needs PostgreSQL and a *_bench database.
bench: install
	$(BIN)/python bench/mapping.py
	DATABASE_URL=$${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/store_bench} $(BIN)/python bench/store.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
