# Two entry points: `make run` (install, build, serve) and `make test` (install, run the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install clean mutate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# Front-end libraries come from the npm registry at install time (never committed) and are
# served by the app from static/vendor, so maps render without internet access.
static/vendor/leaflet/leaflet.js: static/package.json
	npm install --prefix static --no-audit --no-fund --silent
	mkdir -p static/vendor/leaflet
	cp -r static/node_modules/leaflet/dist/. static/vendor/leaflet/

install: $(VENV)/.installed static/vendor/leaflet/leaflet.js

## Build the strukturbild from the data directory and serve it on http://127.0.0.1:5000.
## The road network is fetched first when the data directory lacks it; without internet that
## is one line and the build goes on with labelled straight-line distances.
run: install
	$(BIN)/strukturbild fetch --source osm_vagnat --if-missing
	$(BIN)/strukturbild build
	$(BIN)/strukturbild serve

## Lint, then run the whole test suite (pytest's exit 5, "no tests collected", fails the target)
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## Mutation testing of the core pipelines (not part of `make test` or CI): each module's
## mutants against its fast tests; prints a survivor report. One module: ARGS=layers/trafikdag.py
mutate: install
	$(BIN)/pip install --quiet -e ".[mutation]"
	$(BIN)/python scripts/mutate.py $(ARGS)

clean:
	rm -rf builds .pytest_cache test-artifacts static/vendor static/node_modules
