# Tingjian 听见 — two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := portal
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install migrate demo worker lint bench clean translations extract-messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

# English is the second locale: the catalogue (.po) is committed, the compiled .mo is built here.
CATALOG := portal/translations/en/LC_MESSAGES/messages
$(CATALOG).mo: $(CATALOG).po | $(STAMP)
	$(BIN)/pybabel compile -d portal/translations -f --use-fuzzy -l en

translations: $(CATALOG).mo

# Refresh the catalogue after changing UI text, then translate the new entries in the .po file.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ValidationError -k NotFound -k Conflict -k PermissionDenied -k DomainError -o portal/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations -l en --no-fuzzy-matching

install: $(STAMP) $(CATALOG).mo

migrate: install
	$(BIN)/flask db upgrade

# Demo data once (idempotent), the Q&A index (built on the first run, then only loaded), and a topics re-cluster
# queued for the worker that `make run` starts in-process.
demo: migrate
	$(BIN)/flask demo load
	$(BIN)/flask respond seed-demo
	$(BIN)/flask kb reindex
	$(BIN)/flask topics recluster --queue

run: demo
	@echo ""
	@echo "  听见 Tingjian is running at http://$(HOST):$(PORT)"
	@echo "  Staff sign-in: http://$(HOST):$(PORT)/staff/login  (demo admin: admin / tingjian-demo;"
	@echo "  also reviewer, dept1 … dept7 with the same password)"
	@echo ""
	TINGJIAN_QUEUE_IN_PROCESS=1 $(BIN)/flask run --host $(HOST) --port $(PORT) --with-threads

worker: install
	$(BIN)/flask queue worker

# PYTEST_ARGS narrows a run, e.g. make test PYTEST_ARGS="tests/portal -x".
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
