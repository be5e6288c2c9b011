# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
# pytest workers (pytest-xdist): one per core. Each worker has its own SQLite file,
# PostgreSQL database and live servers on free ports; `make test PYTEST_WORKERS=0` runs serially.
PYTEST_WORKERS ?= auto
PYTEST = $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck test-unit test-integration test-e2e bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required" if sys.version_info < (3, 11) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

clean:
	rm -rf $(VENV) var/*.sqlite3*
