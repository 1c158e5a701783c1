# dangjian: `make run` serves the demo, `make test` runs the whole suite.
# Everything installs into .venv and node_modules; stamp files make a second `make run` skip
# the installs until pyproject.toml or package.json / package-lock.json change.
# See docs/development.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# 2 workers: the machines here have 2 cores.
PYTEST_WORKERS ?= 2
# Extra pytest arguments for every stage, e.g. make test PYTEST_ARGS="-k login -x".
PYTEST_ARGS ?=
# Debian's Chromium (the browser tests never download one); the conftest reads the same name.
CHROMIUM ?= /usr/bin/chromium

PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

# The stages share the machine's 2 cores and would fight over them: never run them in
# parallel, even under make -j. `make -k test` runs every stage even after one fails.
.NOTPARALLEL:
.PHONY: install run serve dist test test-sqlite test-postgres test-browser test-faults lint typecheck bench bench-province bench-cadence clean

install: $(PY_STAMP) $(NODE_STAMP)

# pip's editable install reads pyproject.toml; reinstall only when it changes.
$(PY_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# htmx and ECharts come from the npm registry (settings.DANGJIAN_VENDOR_STATIC serves them from
# node_modules). npm ci installs exactly the lock file; without one, npm install writes it.
$(NODE_STAMP): package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || { echo "npm is needed for htmx and ECharts (apt-get install npm)" >&2; exit 1; }
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; \
	else npm install --no-audit --no-fund --loglevel=error; fi
	touch $@

# Migrate, load the demo county only into an empty database (seed_demo --if-empty does
# nothing when organizations exist), print where to go and how to log in, then serve.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo ""
	@echo "  党建工作平台 / dangjian: http://$(HOST):$(PORT)/"
	@$(PY) manage.py seed_demo --print-logins
	$(PY) manage.py rundev $(HOST):$(PORT)

# The production shape on the embedded database: gunicorn web workers, the task worker,
# static files collected and served by WhiteNoise, DANGJIAN_ENV=production (scripts/serve).
serve: install
	scripts/serve

# One archive that installs with no internet and no package registry (scripts/make-dist).
dist: install
	scripts/make-dist

# ---- tests -----------------------------------------------------------------------------
# Four stages, in this order:
#   test-sqlite    the suite on SQLite (default settings), browser tests excluded
#   test-postgres  the same suite on a throwaway PostgreSQL server (scripts/with-postgres)
#   test-browser   the browser tests (-m browser) on SQLite, in Debian's headless Chromium
#   test-faults    drills and fault tests (-m faults): real gunicorn, worker and PostgreSQL
#                  processes of their own (dangjian.pgtest), killed and restored
# Any non-zero pytest exit fails its stage, exit 5 ("no tests collected") included, so a
# stage that silently collected nothing (a broken -m filter, say) fails instead of passing.
# A missing PostgreSQL or Chromium skips its stage with a loud SKIPPED line, unless
# DANGJIAN_REQUIRE_PG=1 / DANGJIAN_REQUIRE_BROWSER=1 (set by .ci/run) make it a failure.
test: test-sqlite test-postgres test-browser test-faults

test-sqlite: install
	@echo "==== [1/4] tests on SQLite"
	env -u DATABASE_URL $(PY) -m pytest -m "not browser and not faults" -n $(PYTEST_WORKERS) -q $(PYTEST_ARGS)

test-postgres: install
	@echo "==== [2/4] tests on PostgreSQL"
	@if scripts/with-postgres --available; then \
	  echo "scripts/with-postgres $(PY) -m pytest -m 'not browser and not faults' -n $(PYTEST_WORKERS) -q $(PYTEST_ARGS)"; \
	  scripts/with-postgres $(PY) -m pytest -m "not browser and not faults" -n $(PYTEST_WORKERS) -q $(PYTEST_ARGS); \
	elif [ "$$DANGJIAN_REQUIRE_PG" = 1 ]; then \
	  echo "FAILED: DANGJIAN_REQUIRE_PG=1 but no PostgreSQL server binaries (initdb, pg_ctl) were found; apt-get install postgresql" >&2; \
	  exit 1; \
	else \
	  echo "********************************************************************************"; \
	  echo "*** SKIPPED: PostgreSQL stage: no server binaries (apt-get install postgresql)"; \
	  echo "********************************************************************************"; \
	fi

# No xdist here: one browser, one live server; the stage is short.
test-browser: install
	@echo "==== [3/4] browser tests (headless Chromium)"
	@if [ -x "$(CHROMIUM)" ]; then \
	  echo "$(PY) -m pytest -m browser -n $(PYTEST_WORKERS) --dist worksteal -q $(PYTEST_ARGS)"; \
	  env -u DATABASE_URL DANGJIAN_CHROMIUM="$(CHROMIUM)" \
	    $(PY) -m pytest -m browser -n $(PYTEST_WORKERS) --dist worksteal -q $(PYTEST_ARGS); \
	elif [ "$$DANGJIAN_REQUIRE_BROWSER" = 1 ]; then \
	  echo "FAILED: DANGJIAN_REQUIRE_BROWSER=1 but $(CHROMIUM) is missing; apt-get install chromium fonts-noto-cjk" >&2; \
	  exit 1; \
	else \
	  echo "********************************************************************************"; \
	  echo "*** SKIPPED: browser stage: no $(CHROMIUM) (apt-get install chromium fonts-noto-cjk)"; \
	  echo "********************************************************************************"; \
	fi

# One process at a time: these tests start servers and kill them; xdist would only make them
# fight over the ports and the two cores.
test-faults: install
	@echo "==== [4/4] drills and fault tests (own PostgreSQL servers and processes)"
	@if scripts/with-postgres --available; then \
	  echo "$(PY) -m pytest -m faults -p no:xdist -q $(PYTEST_ARGS)"; \
	  env -u DATABASE_URL $(PY) -m pytest -m faults -p no:xdist -q $(PYTEST_ARGS); \
	elif [ "$$DANGJIAN_REQUIRE_PG" = 1 ]; then \
	  echo "FAILED: DANGJIAN_REQUIRE_PG=1 but no PostgreSQL server binaries were found" >&2; \
	  exit 1; \
	else \
	  echo "********************************************************************************"; \
	  echo "*** SKIPPED: drills and fault tests: no PostgreSQL server binaries"; \
	  echo "********************************************************************************"; \
	fi

# ---- checks ----------------------------------------------------------------------------
# One lint command for developers and CI (.ci/run): formatting, lint rules, types, layers
# (the import-linter contract in pyproject.toml).
lint: install
	$(BIN)/ruff format --check src bench
	$(BIN)/ruff check src bench
	$(BIN)/mypy src
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy src

bench: install
	@if [ -f bench/run.py ]; then $(PY) bench/run.py; else echo "bench/run.py does not exist yet"; fi

# The statistics on a 5-million-member province in PostgreSQL (DATABASE_URL: a scratch
# database, kept so a second run skips the ~25-minute load). See bench/stats_province.py.
bench-province: install
	$(PY) bench/stats_province.py

# 会议频次: the compliance view on a synthetic province of 250,000 branches (organizations and
# one year of tally rows only, a minute to load; DATABASE_URL: a scratch PostgreSQL database, or
# run it as scripts/with-postgres .venv/bin/python bench/cadence_province.py).
bench-cadence: install
	$(PY) bench/cadence_province.py

clean:
	rm -rf $(VENV) node_modules staticfiles test-artifacts .pytest_cache .ruff_cache .mypy_cache
