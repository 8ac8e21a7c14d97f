# Two commands for a new machine: `make run` (the demo on http://127.0.0.1:8000) and
# `make test` (lint, types, every test). Everything they need is installed from here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON := $(shell scripts/find-python)
ifeq ($(PYTHON),)
$(error No Python 3.12+ found; see the message above)
endif
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
VENV := .venv
BIN := $(VENV)/bin
TANDEM := $(BIN)/tandem
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test lint types pytest pytest-sqlite pytest-postgres browser bench clean

help:
	@echo "make run   install, migrate, load the demo site, serve http://$(HOST):$(PORT)"
	@echo "make test  install, lint, type-check, run every test (PostgreSQL too if TEST_DATABASE_URL is set)"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet uv

$(BIN)/tandem: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(BIN)/tandem

run: install
	TANDEM_DEMO=1 TANDEM_DEMO_RELAX_MFA=1 $(TANDEM) migrate --no-input -v0
	TANDEM_DEMO=1 $(TANDEM) createcachetable
	TANDEM_DEMO=1 TANDEM_DEMO_RELAX_MFA=1 $(TANDEM) seed_demo
	@echo
	@echo "WARNING: the demo does not enforce two-factor authentication. Never load real data into it."
	@echo "Tandem demo on http://$(HOST):$(PORT), with the background worker  (Ctrl-C stops both)"
	@export TANDEM_DEMO=1 TANDEM_DEMO_RELAX_MFA=1 TANDEM_BASE_URL=http://$(HOST):$(PORT); \
	$(TANDEM) worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/gunicorn config.wsgi:application \
		--bind $(HOST):$(PORT) --workers 2 --log-level warning

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/djlint --lint templates tandem

types: install
	TANDEM_TESTING=1 $(BIN)/mypy .

# Debian's Chromium for the browser tests; never a browser downloaded by a test tool.
browser:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	echo "Installing Debian's chromium for the browser tests"; \
	if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	   || (sudo -n apt-get update -qq && sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1; then \
	  echo "chromium installed"; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "ERROR: chromium could not be installed and CI=true: browser tests cannot be skipped" >&2; exit 1; \
	else \
	  echo "WARNING: chromium could not be installed; browser tests will be skipped"; \
	fi

pytest-sqlite: install browser
	$(BIN)/pytest

pytest-postgres: install browser
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
	  echo "Running the suite again on PostgreSQL ($${TEST_DATABASE_URL})"; \
	  DATABASE_URL="$${TEST_DATABASE_URL}" $(BIN)/pytest; \
	else \
	  echo "TEST_DATABASE_URL is not set: skipping the PostgreSQL run"; \
	fi

pytest: pytest-sqlite pytest-postgres

test: lint types pytest

bench: install
	@shopt -s nullglob; benches=(bench/*.py); \
	if [ $${#benches[@]} -eq 0 ]; then echo "No benchmarks in bench/ yet."; exit 0; fi; \
	for b in "$${benches[@]}"; do echo "== $$b"; $(BIN)/python "$$b"; done

clean:
	rm -rf .venv .tools var .mypy_cache .ruff_cache
