# Hài lòng — citizen satisfaction with public administration.
# `make help` lists the targets. Every target installs what it needs.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi
# `make run` is a demo: development settings and its own SQLite file, unless overridden.
DEMO_ENV := SURVEY_ENV=$${SURVEY_ENV:-development} \
	SURVEY_DATABASE_URL=$${SURVEY_DATABASE_URL:-sqlite:///$(CURDIR)/instance/demo.sqlite3}

.DEFAULT_GOAL := help
.PHONY: help run serve test test-fast check bench coverage-study translations extract chromium nginx replication clean assets

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d translations -l $* >/dev/null

MO := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations: $(MO)  ## Compile the message catalogues

extract: $(BIN)/.installed  ## Re-extract messages.pot and update every .po
	$(BIN)/pybabel extract --sort-by-file --no-location --omit-header -F babel.cfg -k _l -o translations/messages.pot survey templates >/dev/null
	$(BIN)/pybabel update --omit-header -N -i translations/messages.pot -d translations >/dev/null

chromium:  ## Install Debian's Chromium and a Khmer font (as Android ships one) for the browser tests, if missing
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -d /usr/share/fonts/truetype/khmeros || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-khmeros >/dev/null; }

nginx:  ## Install Debian's nginx for `make serve` and the tests through the proxy, if missing
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

replication:  ## Let this machine's PostgreSQL accept a local streaming replica (the replica test), if it does not
	@.ci/allow-replication >/dev/null

run: $(BIN)/.installed translations  ## Start the demo on SQLite and print its URLs
	mkdir -p instance
	$(DEMO_ENV) $(FLASK) db upgrade
	$(DEMO_ENV) $(FLASK) demo seed
	$(DEMO_ENV) $(FLASK) demo urls --base http://$(HOST):$(PORT)
	$(DEMO_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

serve: $(BIN)/.installed translations nginx  ## The production-shaped stack: HTTPS (nginx) → gunicorn → PostgreSQL, Redis
	$(BIN)/python -m deploy

test: $(BIN)/.installed translations chromium nginx replication  ## Run the whole test suite
	$(BIN)/pytest -q -p no:cacheprovider

test-fast: $(BIN)/.installed translations  ## The edit-test loop: no browser, fuzz or Monte-Carlo tests
	$(BIN)/pytest -q -p no:cacheprovider -m "not slow and not browser"

check: $(BIN)/.installed  ## Lint, type-check, and check that messages.pot is current
	$(BIN)/ruff check .
	$(BIN)/mypy --strict analysis
	$(BIN)/mypy survey
	$(BIN)/python -m tests.check_catalogue
	$(BIN)/python -m tests.check_assets

assets: $(BIN)/.installed  ## Rewrite the minified static files (*.min.js, *.min.css) from their sources
	$(BIN)/python -m tests.check_assets --write

bench: $(BIN)/.installed  ## Run the benchmarks and print their figures
	$(BIN)/pip install --quiet -e '.[bench]'
	@status=0; for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || status=1; done; exit $$status

coverage-study: $(BIN)/.installed  ## Simulate interval coverage, funnel flags and alert false alarms (SPEC §4)
	$(BIN)/python -m tests.analysis.study

clean:  ## Remove the virtualenv, compiled catalogues and the demo database
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo
