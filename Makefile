# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
# pytest workers (pytest-xdist): one per core. Each worker has its own SQLite file,
# PostgreSQL database and live servers on free ports; `make test PYTEST_WORKERS=0` runs serially.
PYTEST_WORKERS ?= auto
PYTEST = $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lock lint typecheck test-unit test-integration test-e2e bench clean

$(STAMP): pyproject.toml requirements/dev.lock
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required" if sys.version_info < (3, 11) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Run the service on SQLite with demo data at http://127.0.0.1:8000
run: install
	$(BIN)/ivr db upgrade
	$(BIN)/ivr demo --if-empty
	$(BIN)/ivr serve

## Lint, type-check and run the whole test suite (SQLite and, when reachable, PostgreSQL)
test: install
	$(BIN)/python scripts/ensure_test_tools.py
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/mypy app
	$(PYTEST)

lint: install
	$(BIN)/ruff check app tests bench migrations

typecheck: install
	$(BIN)/mypy app

test-unit: install
	$(PYTEST) tests/unit

test-integration: install
	$(PYTEST) tests/integration

test-e2e: install
	$(BIN)/python scripts/ensure_test_tools.py
	$(PYTEST) tests/e2e

## Re-pin every dependency, with hashes, after changing pyproject.toml (needs PyPI)
lock:
	test -x var/pip-tools/bin/pip-compile || ($(PYTHON) -m venv var/pip-tools && var/pip-tools/bin/pip install --quiet pip-tools)
	cd requirements && CUSTOM_COMPILE_COMMAND="make lock" ../var/pip-tools/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o dev.lock ../pyproject.toml
	cd requirements && CUSTOM_COMPILE_COMMAND="make lock" ../var/pip-tools/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o runtime.lock ../pyproject.toml

clean:
	rm -rf $(VENV) var/*.sqlite3*
