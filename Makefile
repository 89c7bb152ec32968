# District Share: `make run` serves the demo district, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
TRANSLATIONS := booking/translations

.PHONY: run test lint install install-dev translations messages migrate seed scheduler serve-prod backup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

# Compile the .po catalogues into the .mo files Flask-Babel reads.
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

# For developers: extract new strings and merge them into the catalogues.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --no-wrap

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

# Links in emails and feeds name the address the demo is served on, unless PUBLIC_URL says otherwise (a digest of a
# demo on another port linked to 5000).
PUBLIC_URL ?= http://$(HOST):$(PORT)

run: seed
	@echo "District Share on http://$(HOST):$(PORT)  (demo logins: see README.md)"
	@echo "Nightly digests: run 'make scheduler' in a second terminal (the web server never runs jobs)"
	PUBLIC_URL=$(PUBLIC_URL) $(FLASK) run --host $(HOST) --port $(PORT)

scheduler: migrate
	PUBLIC_URL=$(PUBLIC_URL) $(FLASK) scheduler

serve-prod: migrate
	$(BIN)/gunicorn --bind $(HOST):$(PORT) wsgi:app  # workers, threads, limits: gunicorn.conf.py

# The linter first (rules in ruff.toml), then the suite on pytest-xdist workers, one more than the cores: part
# of the suite waits (a gunicorn or slapd starting, racing processes, the browser), and the spare worker runs
# tests meanwhile (on 2 cores: 3 or 4 workers 7.6 minutes each). A worker that runs out of tests takes some of
# another's queue (worksteal), so the slow tests at the end do not leave the others idle (7:17 -> 6:37 on 2 cores).
# `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): pytest keeps the test modules
# it rewrote for their asserts beside them, and every worker rewrote all 170 of them again on every run (collection
# 10-11 s a process, 4 s with the cache).
test: install-dev lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# A consistent backup of the configured database (SQLite: the online backup API; PostgreSQL: pg_dump),
# by default to instance/backups/; `make backup BACKUP=path` names the file. Restoring: see README.md.
backup: $(VENV)/.installed
	$(FLASK) backup create $(BACKUP)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check booking tests bench tools wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache
