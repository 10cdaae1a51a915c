# Two entry points: `make run` (install, build, serve) and `make test` (install, run the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

## Build the strukturbild from the data directory and serve it on http://127.0.0.1:5000
run: install
	$(BIN)/strukturbild build
	$(BIN)/strukturbild serve

## Run the whole test suite (exit 5, "no tests collected", fails like any other error)
test: install
	$(BIN)/python -m pytest

clean:
	rm -rf builds .pytest_cache test-artifacts
