# Workbench — two commands on a fresh Debian machine with Python 3.11: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
WAREHOUSE := data/warehouse.duckdb
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup setup-dev browser demo site run test test-fast lint benchmarks clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-runtime: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install -c constraints.txt -e .
	@touch $@

$(VENV)/.stamp-dev: pyproject.toml constraints.txt $(VENV)/.stamp-runtime
	$(PIP) install -c constraints.txt -e '.[dev,spark]'
	@touch $@

setup: $(VENV)/.stamp-runtime ## create .venv and install the package with pinned dependencies (quick when nothing changed)

setup-dev: $(VENV)/.stamp-dev ## setup plus test tools and the Spark extra

browser: ## make sure Debian's Chromium is installed for the browser tests (installs it with apt when missing)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; }
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing a Java runtime for the Spark tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null; }

$(WAREHOUSE): $(VENV)/.stamp-runtime $(wildcard src/workbench/demo/*.py) $(wildcard src/workbench/data/*)
	$(VENV)/bin/workbench demo-data

demo: $(WAREHOUSE) ## build the demo city warehouse (data/warehouse.duckdb) when missing or out of date

site: demo ## render every scheduled report into site/
	@if $(VENV)/bin/workbench render --help >/dev/null 2>&1; then $(VENV)/bin/workbench render --all; fi

run: setup demo site ## set up, build the demo warehouse, render the site, serve the apps
	@echo "warehouse: $(abspath $(WAREHOUSE))"
	@if [ -f site/index.html ]; then echo "site:      file://$(abspath site/index.html)"; fi
	@if $(VENV)/bin/workbench apps --help >/dev/null 2>&1; then $(VENV)/bin/workbench apps; fi

test: setup-dev browser ## set up with dev dependencies, then run every test (unit, real data, slow, browser, Spark)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: setup-dev ## the unit tests only (no slow, browser or Spark suites)
	$(PY) -m pytest -m "not slow and not browser and not spark" $(PYTEST_ARGS)

lint: setup-dev ## ruff and mypy
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

benchmarks: setup-dev demo ## run every benchmark script (prints tables; slow)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## remove generated data, site and the venv
	rm -rf $(VENV) data site test-artifacts
