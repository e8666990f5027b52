# The two commands: `make run` serves the example, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt
PORT ?= 8000
B ?=

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/sovet setup
	PORT=$(PORT) $(BIN)/sovet run

test: $(VENV)/.installed-dev
	$(BIN)/ruff check sovet tests bench
	$(BIN)/ruff format --check sovet tests bench
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench $(B)

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis .ruff_cache .mypy_cache
