# shequ — two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := var/demo

.PHONY: run test bench bench-quick bench-spatial crash-trials lint clean install install-test web-assets serve fuzz fuzz-quick

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $@ $(VENV)/.installed

## web assets: ECharts, Leaflet and Swagger UI from the npm registry (package-lock.json), copied
## into the static folder. `npm ci` runs when the lock file is newer than npm's own record of what
## it installed (node_modules/.package-lock.json); the copies are remade when that record changes.
WEB_STATIC := src/shequ/web/static
WEB_BUNDLES := $(WEB_STATIC)/echarts.min.js $(WEB_STATIC)/swagger-ui-bundle.js $(WEB_STATIC)/swagger-ui.css \
  $(WEB_STATIC)/favicon.png $(WEB_STATIC)/leaflet.js $(WEB_STATIC)/leaflet.css
NPM := $(shell command -v npm 2>/dev/null)

ifneq ($(NPM),)
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_STATIC)/.bundles: node_modules/.package-lock.json
	cp node_modules/echarts/dist/echarts.min.js node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   node_modules/swagger-ui-dist/swagger-ui.css $(WEB_STATIC)/
	cp node_modules/swagger-ui-dist/favicon-32x32.png $(WEB_STATIC)/favicon.png
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(WEB_STATIC)/
	touch $@
else
$(WEB_STATIC)/.bundles:
	@echo "npm not found: web pages show tables instead of charts and maps"
endif

web-assets: $(WEB_STATIC)/.bundles

install: $(VENV)/.installed web-assets
install-test: $(VENV)/.installed-test web-assets

## run: build the sample city into $(DEMO)/shequ.db, import it, evaluate 2025, then serve it
## on http://127.0.0.1:8000 (demo accounts are printed)
run: install
	$(BIN)/shequ demo --out $(DEMO)
	$(BIN)/shequ serve --db $(DEMO)/shequ.db --host 127.0.0.1 --port 8000

serve: install
	$(BIN)/shequ serve --db $(DEMO)/shequ.db --host 127.0.0.1 --port 8000

## test: the import contract of DESIGN §3 (import-linter), lint, then the whole test suite;
## PostgreSQL tests run against a throwaway server when one can be started. Temporary files
## go to var/test-tmp of this checkout: under /tmp/pytest-of-$USER, any other pytest run on
## the machine deletes all but the three newest runs' folders, live stores included.
test: install-test
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check src tests bench
	mkdir -p var
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/with-postgres.sh $(BIN)/python -m pytest \
	  --basetemp=$(CURDIR)/var/test-tmp $(PYTEST_ARGS)

## fuzz: the long fuzz profile of every importer (SHEQU_FUZZ=long; bombs in a fresh process)
fuzz: install-test
	SHEQU_FUZZ=long $(BIN)/python -m pytest tests/ingest/test_fuzz_importers.py -q -s -p no:cacheprovider

## fuzz-quick: the CI profile of the same tests (what make test runs)
fuzz-quick: install-test
	$(BIN)/python -m pytest tests/ingest/test_fuzz_importers.py -q -p no:cacheprovider

## bench: benchmarks against peers (not part of the tests)
bench: install-test
	$(BIN)/python bench/evaluate/bench_province.py
	$(BIN)/python bench/voice/bench_voice.py
	test -f $(DEMO)/shequ.db || $(BIN)/shequ demo --out $(DEMO)
	$(BIN)/python bench/web/bench_web.py --users 50 --requests 40

## bench-quick: every benchmark's --quick mode (tiny data, agreement only; what make test runs)
bench-quick: install-test
	$(BIN)/python -m pytest tests/test_bench_quick.py -q -p no:cacheprovider

## bench-spatial: coverage/siting/2SFCA vs pandana, osmnx, spopt, access (peers in their own venv, see bench/spatial/README.md)
bench-spatial: install-test
	bash bench/spatial/setup_peers.sh
	-$(BIN)/python bench/spatial/bench_coverage.py
	-$(BIN)/python bench/spatial/bench_siting.py
	-$(BIN)/python bench/spatial/bench_2sfca.py
	-$(BIN)/python bench/spatial/bench_coverage.py --preset large

## crash-trials: kill -9 at random moments of import, evaluation (plain and composite),
## migration, coverage and report writing, 50 trials each (bench/crash/crash_trials.py;
## `--quick` is what the tests run)
crash-trials: install-test
	$(BIN)/python bench/crash/crash_trials.py $(CRASH_ARGS)

lint: install-test
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check src tests bench

## clean: remove what the build made (venv, sample city, caches, npm's folder, copied bundles);
## never a tracked file
clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules $(WEB_BUNDLES) $(WEB_STATIC)/.bundles
	find src tests bench -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf src/*.egg-info
