# Yishi: `make run` serves the demo, `make test` lints and tests. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in reminders lead to the server `make run` starts, unless SITE_URL says otherwise.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-browser lint format setup migrate demo worker messages clean browser-deps bench load audit system-libs

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP) messages system-libs

# WeasyPrint (the PDFs) needs the Pango library from the system; the Chinese fonts ship with
# Yishi (static/fonts/). Installed from Debian where we may, otherwise a clear message and a stop.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
system-libs: $(STAMP)
	@$(PY) -c "import weasyprint" 2>/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "installing $(PDF_LIBS) from Debian for the PDFs"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(PDF_LIBS) || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(PDF_LIBS); }; \
	  else \
	    echo "The PDFs need the Pango library: install $(PDF_LIBS) (Debian/Ubuntu) or pango (other systems), then run make again."; exit 1; \
	  fi; }
	@$(PY) -c "import weasyprint"

messages: $(STAMP)
	$(VENV)/bin/pybabel compile -d locale -D django

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo
	@mkdir -p var

# Without Redis the periodic jobs (reminders, sweeps) run beside the server, in-process.
run: demo
	@echo "Yishi demo: http://$(HOST):$(PORT)/  (accounts in README.md, password yishi2026)"
	SITE_URL=$(SITE_URL) $(PY) manage.py run_jobs > var/jobs.log 2>&1 & trap "kill $$!" EXIT; \
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -m "not browser" -n $${TEST_WORKERS:-auto}
	@# The SQLite demo's own locking, on SQLite even where the run above used PostgreSQL.
	env -u DATABASE_URL -u TEST_DATABASE_NAME $(VENV)/bin/pytest -m sqlite_demo -q

# Browser tests drive Debian's chromium (apt-get install chromium); no browser is downloaded.
test-browser: setup
	$(VENV)/bin/pytest -m browser

# An RQ worker (with the scheduler for delayed jobs) and rq's cron scheduler for the periodic
# sweeps in config/cron.py. Needs REDIS_URL.
worker: setup
	@test -n "$$REDIS_URL" || (echo "make worker needs REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0"; exit 1)
	$(PY) manage.py rqcron config/cron.py & trap "kill $$!" EXIT; \
	$(PY) manage.py rqworker default --with-scheduler

# Key pages at two scales on PostgreSQL (seed_scale builds them once): queries, median/p95 server time,
# and the floor of a minimal page; needs DATABASE_URL=postgres://…; BENCH_FACTOR=1 by default.
# Production settings (DEBUG=0, collected static files, cached templates, persistent connections);
# BENCH_ARGS=--debug measures with the DEBUG settings for comparison.
bench: setup
	@test -n "$$DATABASE_URL" || (echo "make bench needs DATABASE_URL=postgres://..."; exit 1)
	@test -n "$$REDIS_URL" || echo "note: without REDIS_URL the cache is each process's memory, not Redis as in production"
	@mkdir -p var
	$(PY) benchmarks/bench.py --factor $${BENCH_FACTOR:-1} --out var/bench.json $${BENCH_ARGS}

# The load generator (locust) lives in a venv of its own: it only speaks HTTP to the server.
LOAD_VENV := .venv-load
LOAD_STAMP := $(LOAD_VENV)/.installed

$(LOAD_STAMP): requirements-load.txt
	test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOAD_VENV)/bin/python -m pip install --quiet -r requirements-load.txt
	$(LOAD_VENV)/bin/python -m pip check
	touch $(LOAD_STAMP)

# 50 people at once on gunicorn + PostgreSQL + Redis for 60 s (locust, headless, loopback only),
# then the ceiling (a minimal logged-in page) on the same server; the table and var/load.json.
# LOAD_FACTOR=1 by default (a large college, seed_scale builds it once), 0.1 for a quick run.
load: setup $(LOAD_STAMP)
	@test -n "$$DATABASE_URL" || (echo "make load needs DATABASE_URL=postgres://..."; exit 1)
	@test -n "$$REDIS_URL" || (echo "make load needs REDIS_URL=redis://127.0.0.1:6379/N (a Redis database of its own)"; exit 1)
	@mkdir -p var
	$(PY) benchmarks/load/run.py --factor $${LOAD_FACTOR:-1} --out var/load.json

# Known vulnerabilities in the pinned requirements (pip-audit in a venv of its own, PyPI's advisory
# data). Fails on a vulnerable pin; says so plainly when no advisory data can be reached.
AUDIT_VENV := .venv-audit

audit:
	test -x $(AUDIT_VENV)/bin/pip-audit || ($(PYTHON) -m venv $(AUDIT_VENV) && $(AUDIT_VENV)/bin/python -m pip install --quiet pip-audit==2.10.1)
	$(PYTHON) .ci/audit.py --pip-audit $(AUDIT_VENV)/bin/pip-audit requirements.txt requirements-dev.txt requirements-load.txt

clean:
	rm -rf $(VENV) $(AUDIT_VENV) db.sqlite3 var staticfiles .pytest_cache .ruff_cache
