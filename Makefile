# The command index. A fresh clone needs only `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.nashra-installed
PYTEST_ARGS ?=

.PHONY: venv test unit demo run bench load eval airflow airflow-down lint fmt services-stop clean

venv: $(STAMP)

# The venv is rebuilt when the dependency set changes. constraints.txt pins the set that was
# resolved and checked together (Airflow's supported way: pip with a constraints file).
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ is required (found %s)" % sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/python -m pip install -q -e ".[dev]" -c constraints.txt
	@touch $@

# Whole suite: unit tests, then the real services (Elasticsearch node, SeaweedFS, fixture web,
# Airflow dag.test()). pytest's exit 5 ("no tests collected") counts as a failure.
test: venv
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

unit: venv
	@$(BIN)/python -m pytest -m "not services" $(PYTEST_ARGS)

# The whole pipeline on the offline fixture web, with embedded Elasticsearch and SeaweedFS.
demo: venv
	$(BIN)/python -m devkit demo

# A local Airflow 3 (api-server, scheduler, dag-processor, triggerer) over the fixture web, with the
# demo's services and ElasticMQ: prints the UI address and login. Stop with `make airflow-down`.
airflow: venv
	$(BIN)/python -m devkit airflow up

airflow-down: venv
	$(BIN)/python -m devkit airflow down

# Stop the SeaweedFS and Elasticsearch the demo left running (by PID).
services-stop: venv
	$(BIN)/python -m devkit services stop

# Crawl the live outlets (needs internet). Uses ES_URL and NASHRA_LAKE_URI from the environment.
run: venv
	$(BIN)/nashra run

bench: venv
	$(BIN)/python -m devkit bench

# Extraction, dedup and dialect scores on the labelled sets (tests/eval), with their targets.
eval: venv
	$(BIN)/python -m devkit eval extraction
	$(BIN)/python -m devkit eval dedup
	$(BIN)/python -m devkit eval dialect

# Load: crawl + process a 50,000-page fixture outlet; time, peak RSS of the crawl and of the
# process stage, and page accounting, in var/load/report.json. Too slow for `make test`, which
# runs the same at 2,000 pages (tests/integration/test_load.py). LOAD_PAGES=N for another size.
LOAD_PAGES ?= 50000
load: venv
	$(BIN)/python -m devkit load --pages $(LOAD_PAGES)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/deptry .
	$(BIN)/lint-imports

fmt: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var .pytest_cache .ruff_cache
