# shequ — two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := var/demo

.PHONY: run test bench bench-spatial lint clean install install-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## run: build the sample city into $(DEMO)/shequ.db, import it and evaluate 2025
run: install
	$(BIN)/shequ demo --out $(DEMO)

## test: the whole test suite; PostgreSQL tests run against a throwaway server when one can be started
test: install-test
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/with-postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: benchmarks against peers (not part of the tests)
bench: install-test
	$(BIN)/python bench/evaluate/bench_province.py
	$(BIN)/python bench/voice/bench_voice.py

## bench-spatial: coverage/siting/2SFCA vs pandana, osmnx, spopt, access (peers in their own venv, see bench/spatial/README.md)
bench-spatial: install-test
	bash bench/spatial/setup_peers.sh
	-$(BIN)/python bench/spatial/bench_coverage.py
	-$(BIN)/python bench/spatial/bench_siting.py
	-$(BIN)/python bench/spatial/bench_2sfca.py
	-$(BIN)/python bench/spatial/bench_coverage.py --preset large

lint: install-test
	$(BIN)/python -m pip install -q ruff && $(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache
