# Two commands do everything: `make run` (serve the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
CATALOGUES := $(wildcard lms/translations/*/LC_MESSAGES/messages.po)

#: the web server's port (make run PORT=5001)
PORT ?= 5000

.PHONY: run test lint format translations extract-messages system-deps clean

run: $(VENV)/.app translations
	$(BIN)/flask db upgrade
	$(BIN)/flask courses load
	$(BIN)/flask demo load
	@# the jobs' worker (and its hourly purge) beside the web server, stopped with it
	$(BIN)/celery -A lms.jobs.worker:celery_app worker --beat --pool=solo --loglevel=WARNING \
	  --schedule "$${LMS_INSTANCE_PATH:-instance}/celerybeat-schedule" & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# the tests run in one process per core (pytest-xdist), a module's tests in the same one;
# PYTEST_WORKERS=0 runs them all in this process
PYTEST_WORKERS ?= auto

test: $(VENV)/.test translations system-deps node_modules/.installed
	$(BIN)/ruff check lms tests migrations wsgi.py
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(BIN)/ruff check lms tests migrations wsgi.py
	$(BIN)/ruff format --check lms tests wsgi.py

format: $(VENV)/.test
	$(BIN)/ruff format lms tests wsgi.py
	$(BIN)/ruff check --fix lms tests migrations wsgi.py

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.app: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.app

# axe-core, which the browser tests inject to check accessibility (pinned in package-lock.json)
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# compiled catalogues (.mo) are build output, not kept in git
translations: $(CATALOGUES:.po=.mo)

%.mo: %.po | $(VENV)/bin/python
	$(BIN)/pybabel compile --statistics -i $< -o $@

# after changing user-facing text: refresh the catalogue, then translate the new entries
extract-messages: $(VENV)/.app
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs='.* .venv node_modules' \
	  --no-location --project lms --version 0.1 -o /tmp/lms-messages.pot .
	$(BIN)/pybabel update -i /tmp/lms-messages.pot -d lms/translations --width 100 --ignore-obsolete --no-fuzzy-matching

# Debian packages the tests use (Chromium, poppler, zbar, HarfBuzz subsetting, Redis)
system-deps:
	@bash scripts/install-system-deps.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find lms -name '*.mo' -delete
