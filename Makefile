# Atelier — the README's two commands: `make run` and `make test`.
PORT ?= 5000
HOST ?= 127.0.0.1
ARGS ?=
VENV := .venv
PY := $(VENV)/bin/python
SAAS := $(VENV)/bin/saas
STAMP := $(VENV)/.installed

.PHONY: run test lint messages clean install

install: $(STAMP)

# The venv is rebuilt only when pyproject.toml changes; uv is ~10x faster than pip, pip is the fallback.
$(STAMP): pyproject.toml
	@if ! command -v uv >/dev/null 2>&1; then python3 -m pip install -q uv >/dev/null 2>&1 || true; fi
	@if command -v uv >/dev/null 2>&1; then \
		UV_PYTHON_DOWNLOADS=never uv venv -q --allow-existing $(VENV) && \
		uv pip install -q --python $(PY) -e '.[dev]'; \
	else \
		python3 -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -e '.[dev]'; \
	fi
	@touch $(STAMP)

run: $(STAMP)
	@export ATELIER_ENV=development PORT=$(PORT); \
	$(SAAS) db upgrade && $(SAAS) demo && $(SAAS) serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check saas tests bench
	$(VENV)/bin/ruff format --check saas tests bench

test: $(STAMP) lint
	bash scripts/test.sh $(ARGS)

messages: $(STAMP)
	$(VENV)/bin/pybabel extract --no-location -F babel.cfg -k _l -k N_ -k lazy_gettext -o saas/translations/messages.pot .
	$(VENV)/bin/pybabel update -i saas/translations/messages.pot -d saas/translations -l zh --no-fuzzy-matching --width 120 --ignore-obsolete

clean:
	rm -rf $(VENV) instance test-artifacts
