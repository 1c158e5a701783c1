# dangjian: `make run` serves the demo, `make test` runs the whole suite.
# Everything installs into .venv and node_modules; stamps avoid reinstalling on every call.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: run test test-sqlite test-postgres test-browser bench lint typecheck install demo clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to install htmx and ECharts (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo ""
	@echo "  党建工作平台: http://$(HOST):$(PORT)/"
	@$(PY) manage.py seed_demo --print-logins
	$(PY) manage.py runserver $(HOST):$(PORT)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --force

# The full suite: SQLite, then a real PostgreSQL server, then the browser tests.
# DANGJIAN_REQUIRE_PG=1 / DANGJIAN_REQUIRE_BROWSER=1 (set by .ci/run) turn a missing
# PostgreSQL or Chromium into a failure instead of a skip.
test: install
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-browser

test-sqlite: install
	@echo "== tests on SQLite"
	$(PY) -m pytest -m "not browser" -n $(PYTEST_WORKERS) -q

test-postgres: install
	@echo "== tests on PostgreSQL"
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then \
	  scripts/with-postgres $(PY) -m pytest -m "not browser" -n $(PYTEST_WORKERS) -q; \
	elif [ "$$DANGJIAN_REQUIRE_PG" = 1 ]; then \
	  echo "FAILED: PostgreSQL server binaries not found (apt-get install postgresql)"; exit 1; \
	else echo "SKIPPED: PostgreSQL tests (no server binaries; apt-get install postgresql)"; fi

test-browser: install
	@echo "== browser tests (headless Chromium)"
	@if [ -x /usr/bin/chromium ]; then \
	  $(PY) -m pytest -m browser -q -p no:xdist; \
	elif [ "$$DANGJIAN_REQUIRE_BROWSER" = 1 ]; then \
	  echo "FAILED: /usr/bin/chromium not found (apt-get install chromium fonts-noto-cjk)"; exit 1; \
	else echo "SKIPPED: browser tests (apt-get install chromium fonts-noto-cjk)"; fi

bench: install
	$(PY) bench/run.py

lint: install
	$(BIN)/ruff format --check src bench
	$(BIN)/ruff check src bench
	cd src && ../$(BIN)/mypy dangjian

typecheck: lint

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache .mypy_cache
