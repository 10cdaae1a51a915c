# Entry points: `make run` (install, build, serve), `make run-postgis` (the same on a local
# PostgreSQL/PostGIS cluster) and `make test` (install, run the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run run-postgis postgis-packages test install clean mutate

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
	mkdir -p static/vendor/leaflet static/vendor/leaflet.vectorgrid
	cp -r static/node_modules/leaflet/dist/. static/vendor/leaflet/
	cp static/node_modules/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js \
		static/vendor/leaflet.vectorgrid/

install: $(VENV)/.installed static/vendor/leaflet/leaflet.js

## Build the strukturbild from the data directory and serve it on http://127.0.0.1:5000.
## The road network is fetched first when the data directory lacks it; without internet that
## is one line and the build goes on with labelled straight-line distances.
run: install
	$(BIN)/strukturbild fetch --source osm_vagnat --if-missing
	$(BIN)/strukturbild build
	$(BIN)/strukturbild serve

## The PostGIS setup on this machine: Debian's PostgreSQL and PostGIS (installed when missing),
## a cluster in .pgdata on 127.0.0.1:$(PG_PORT) (scripts/pg_cluster.sh; stop it with
## `scripts/pg_cluster.sh stop .pgdata`), a build loaded into it, served on http://127.0.0.1:5000
PG_PORT ?= 55432
PG_URL := postgresql://strukturbild@127.0.0.1:$(PG_PORT)/postgres
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
postgis-packages:
	@dpkg -s postgresql postgresql-15-postgis-3 >/dev/null 2>&1 || { $(SUDO) apt-get update -qq \
		&& $(SUDO) apt-get install -y -qq postgresql postgresql-15-postgis-3; }

run-postgis: install postgis-packages
	scripts/pg_cluster.sh start $(CURDIR)/.pgdata $(PG_PORT)
	$(BIN)/strukturbild fetch --source osm_vagnat --if-missing
	$(BIN)/strukturbild build --store $(PG_URL)
	$(BIN)/strukturbild serve --store $(PG_URL)

## Lint, then run the whole test suite (pytest's exit 5, "no tests collected", fails the target)
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## Mutation testing of the core pipelines (not part of `make test` or CI): each module's
## mutants against its fast tests; prints a survivor report. One module: ARGS=layers/trafikdag.py
mutate: install
	$(BIN)/pip install --quiet -e ".[mutation]"
	nice -n 19 $(BIN)/python scripts/mutate.py $(ARGS)

clean:
	rm -rf builds .pytest_cache test-artifacts static/vendor static/node_modules
