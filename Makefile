# Orchard: the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup demo test test-fast browser catalogs extract worker bench

## setup: the virtualenv with every Python package, the npm assets, the compiled catalogs
setup: $(BIN)/saas saas/web/static/vendor/htmx.min.js catalogs

$(BIN)/saas: pyproject.toml plugins/birthday_greetings/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip install --quiet -e plugins/birthday_greetings
	touch $(BIN)/saas

saas/web/static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	npm run --silent vendor

catalogs: $(BIN)/saas
	$(BIN)/pybabel compile --use-fuzzy -d saas/translations -D messages -f --statistics 2>&1 | tail -n 3

## extract: refresh the message catalogs after changing user-facing strings
extract: $(BIN)/saas
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o saas/translations/messages.pot .
	$(BIN)/pybabel update -i saas/translations/messages.pot -d saas/translations --no-fuzzy-matching

## demo: set up, create the demo workspace and serve it at http://127.0.0.1:5000
demo: setup
	$(BIN)/saas demo
	$(BIN)/saas run --host $(HOST) --port $(PORT)

## browser: Debian's chromium for the real-browser tests (installed when missing and allowed)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "Install Debian's chromium package for the browser tests (sudo apt-get install chromium)"; exit 1; fi; }

## test: set up and run every test, the real-browser ones included
test: setup browser
	$(BIN)/python -m pytest

## test-fast: the tests without the real browser
test-fast: setup
	$(BIN)/python -m pytest -m "not e2e"

worker: setup
	$(BIN)/saas worker

bench: setup
	$(BIN)/python -m bench
