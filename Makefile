# Two commands for a newcomer: `make run` and `make test`.  Everything else here
# is what those two need: a virtualenv, the vendored front-end files, a database.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json
HTMX := app/static/vendor/htmx.min.js
AXE := node_modules/axe-core/axe.min.js
PYTEST_ARGS ?=

# The development server and the CLI run with the local htmx copy (no internet
# needed) and in debug mode, because production config refuses the dev SECRET_KEY.
DEV_ENV := FLASK_DEBUG=1 HTMX_SOURCE=local
FLASK := $(DEV_ENV) $(BIN)/flask --app wsgi

.PHONY: run test serve clean setup assets database voikko translations messages

run: setup voikko database
	$(FLASK) run --host 127.0.0.1 --port 5000

# TEST_DATABASE_URL (PostgreSQL) is read by the tests from the environment as is.
test: setup voikko
	HTMX_SOURCE=local $(BIN)/pytest $(PYTEST_ARGS)

serve: setup
	$(BIN)/gunicorn --config gunicorn.conf.py

setup: $(INSTALLED) assets translations

# Compiled catalogues (.mo) are built, not committed: one per language in app/translations.
CATALOGUES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
translations: $(CATALOGUES:.po=.mo)

%.mo: %.po | $(INSTALLED)
	$(BIN)/pybabel compile --input-file $< --output-file $@

# After changing texts: gather them into messages.pot and merge into each catalogue,
# then translate the new entries (tests/test_translations.py lists what is missing).
messages: $(INSTALLED)
	$(BIN)/pybabel extract --mapping-file app/translations/babel.cfg --keywords _l --no-location \
	  --ignore-dirs ".* node_modules" \
	  --sort-output --omit-header --no-wrap --output-file app/translations/messages.pot .
	$(BIN)/pybabel update --input-file app/translations/messages.pot --output-dir app/translations \
	  --no-fuzzy-matching --ignore-obsolete --no-wrap

assets: $(HTMX) $(AXE)

database: $(INSTALLED)
	$(FLASK) db upgrade
	$(FLASK) seed taxonomy
	$(FLASK) seed demo --if-empty
	$(FLASK) search reindex --if-stale

# Voikko gives Finnish search its base forms and compound parts.  Installed here when this
# machine allows it without asking (Debian/Ubuntu as root or with passwordless sudo, macOS
# with Homebrew); otherwise a notice says how, and the app runs on its fallback analyser.
# `make run` then rebuilds the search index for Voikko (`search reindex --if-stale`).
VOIKKO_CHECK ?= $(BIN)/python -c "import libvoikko; libvoikko.Voikko('fi')" >/dev/null 2>&1
APT_PACKAGES := libvoikko1 voikko-fi

voikko: $(INSTALLED)
	@if $(VOIKKO_CHECK); then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else SUDO=none; fi; \
	if [ "$$SUDO" != none ]; then \
	  echo "Installing Voikko: $$SUDO apt-get install $(APT_PACKAGES)"; \
	  $$SUDO apt-get install -y -q $(APT_PACKAGES) \
	    || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q $(APT_PACKAGES); } || true; \
	elif command -v brew >/dev/null; then \
	  echo "Installing Voikko: brew install libvoikko"; brew install libvoikko || true; \
	fi; \
	$(VOIKKO_CHECK) || printf '%s\n' \
	  '+------------------------------------------------------------------------+' \
	  '| Voikko is not installed, so Finnish search runs on its fallback        |' \
	  '| analyser and finds a little less. The staff dashboard says so too.     |' \
	  '|   Debian/Ubuntu:  sudo apt-get install libvoikko1 voikko-fi            |' \
	  '|   macOS:          brew install libvoikko                               |' \
	  '| Then run make run again: it rebuilds the search index for Voikko.      |' \
	  '+------------------------------------------------------------------------+'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies change.
$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# npm ci installs exactly what package-lock.json pins (htmx.org 2.0.11, axe-core).
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(AXE): $(NODE_STAMP)
	test -f $@
	touch $@

# Copy htmx and check it against the SRI hash the CDN tag uses, so the local
# copy and the CDN copy are provably the same file.
$(HTMX): $(NODE_STAMP) app/platform/templating.py | $(INSTALLED)
	mkdir -p $(dir $@)
	cp node_modules/htmx.org/dist/htmx.min.js $@.tmp
	@$(BIN)/python -c 'import base64, hashlib, sys; \
	from app.platform.templating import HTMX_SRI; \
	got = "sha384-" + base64.b64encode(hashlib.sha384(open(sys.argv[1], "rb").read()).digest()).decode(); \
	sys.exit(0 if got == HTMX_SRI else f"htmx SRI mismatch: file has {got}, app/platform/templating.py expects {HTMX_SRI}")' $@.tmp \
	  || { rm -f $@.tmp; exit 1; }
	mv $@.tmp $@
	@echo "$@: SRI hash verified"

# Removes what make built; keeps instance/ (your database and local settings).
clean:
	rm -rf $(VENV) node_modules app/static/vendor .pytest_cache *.egg-info app/translations/*/LC_MESSAGES/*.mo
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
