# Lathe: `make run` sets everything up and starts the studio; `make test` sets everything up and
# runs every test (lint, Python unit/integration/e2e, frontend unit, browser end-to-end).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_VERSION := 26.3
DEFAULT_MODEL := smollm2-135m-instruct
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install python-deps frontend-deps build model run dev chromium lint \
	test test-python test-frontend test-e2e openapi clean

help:  ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml scripts/install-torch.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==$(PIP_VERSION)
	scripts/install-torch.sh $(BIN)/pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

python-deps: $(BIN)/.installed  ## Create .venv with the pinned Python packages

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend-deps: frontend/node_modules/.installed  ## Install the pinned npm packages

install: python-deps frontend-deps  ## Install everything (Python and npm)

build: install  ## Build the web UI into frontend/dist
	cd frontend && npm run build

model: python-deps  ## Pull the built-in chat model into LATHE_HOME (idempotent)
	$(BIN)/lathe models pull $(DEFAULT_MODEL)

run: build model  ## Install, build, pull the default model and serve on http://127.0.0.1:8000
	$(BIN)/lathe serve

dev: install  ## API on :8000 plus the Vite dev server with hot reload on :5173
	$(BIN)/lathe serve & api=$$!; trap "kill $$api" EXIT; cd frontend && npm run dev

chromium:  ## Debian Chromium for the browser tests
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

openapi: python-deps  ## Regenerate frontend/openapi.json and the TypeScript client
	$(BIN)/python -m lathe.api.openapi frontend/openapi.json
	cd frontend && npm run gen:api

lint: install  ## ruff, mypy, TypeScript
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd frontend && npm run lint

test-python: python-deps  ## Python tests on SQLite and PostgreSQL, incl. e2e with the built-in model
	url="$$(scripts/postgres-for-tests.sh)"; LATHE_TEST_POSTGRES_URL="$$url" $(BIN)/pytest

test-frontend: frontend-deps  ## Vitest and the generated-client staleness check
	cd frontend && npm run check:api && npm run test

test-e2e: build chromium  ## Playwright in headless Chromium against a real `lathe serve`
	cd frontend && LATHE_BIN=$(CURDIR)/$(BIN)/lathe npm run e2e

test: lint test-python test-frontend test-e2e  ## Install everything and run every test

clean:  ## Remove build outputs (not LATHE_HOME)
	rm -rf frontend/dist frontend/test-results .pytest_cache .mypy_cache .ruff_cache
