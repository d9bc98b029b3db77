# Atelier — the README's two commands are `make run` and `make test`.
#   make run                  set up (first time) and serve on http://$(HOST):$(PORT) with the demo studio
#   make test ARGS="-k login" lint, then the suite on SQLite and again on PostgreSQL + Redis + Chromium
#   make lint                 ruff, then the import contracts of pyproject.toml (the floors)
#   make messages | clean | install
PORT ?= 5000
HOST ?= 127.0.0.1
ARGS ?=
PYTHON ?= python3
VENV := .venv
SAAS := $(VENV)/bin/saas
STAMP := $(VENV)/.installed
ASSETS := node_modules/.installed

export PYTHON

.PHONY: install run test lint messages clean

install: $(STAMP) $(ASSETS)

# Rebuilt only when pyproject.toml changes (the stamp lives inside .venv, so deleting .venv also redoes it).
$(STAMP): pyproject.toml
	@bash scripts/venv.sh
	@touch $@

# The pinned front-end libraries (package-lock.json), reinstalled when the lock changes.
$(ASSETS): package-lock.json
	@bash scripts/assets.sh

# Idempotent: the migrations and the demo studio are applied only when missing. `exec` hands make's
# SIGTERM (e.g. from `timeout`) straight to the server, so stopping make stops the server.
run: install
	@export ATELIER_ENV=development PORT=$(PORT); \
	$(SAAS) db upgrade && \
	$(SAAS) demo && \
	exec $(SAAS) serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check saas tests bench
	$(VENV)/bin/ruff format --check saas tests bench
	$(VENV)/bin/lint-imports --no-cache

# Lint first: it takes a second and fails early.
test: install
	@$(MAKE) --no-print-directory lint
	@bash scripts/test.sh $(ARGS)

# babel.cfg (repo root) says which files hold messages. Every catalogue under saas/translations is updated
# (no line numbers, 120 columns, obsolete entries dropped) so diffs show only real changes.
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -k lazy_pgettext:1c,2 --no-location \
		-o saas/translations/messages.pot .
	$(VENV)/bin/pybabel update -i saas/translations/messages.pot -d saas/translations \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --width 120

clean:
	rm -rf $(VENV) instance node_modules
