# Two commands on a fresh machine: `make handouts` and `make test`.
# Each bootstraps .venv with the system python (if missing) and installs from the lock files:
# `make handouts` the runtime only (requirements/runtime.txt); `make test` adds the test and dev
# tools (requirements/dev.txt). `make lock` refreshes both lock files from pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
RUNTIME_LOCK := requirements/runtime.txt
DEV_LOCK := requirements/dev.txt
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
# JavaScript the browser tests inject (axe-core), pinned in tests/tooling/package-lock.json.
TOOLING := tests/tooling
AXE := $(TOOLING)/node_modules/axe-core/axe.min.js
# reveal.js for `seminarkit build --formats slides`, pinned in slides/package-lock.json.
SLIDES := slides
REVEAL := $(SLIDES)/node_modules/reveal.js/dist/reveal.js
LOCK_FLAGS := --universal --python-version 3.10 --quiet

.PHONY: handouts slides slides-assets test lint bootstrap tooling validate bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): $(RUNTIME_LOCK) pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r $(RUNTIME_LOCK)
	$(PIP) install --quiet --no-deps -e .
	@touch $@

$(DEV_STAMP): $(DEV_LOCK) $(RUNTIME_STAMP)
	$(PIP) install --quiet -r $(DEV_LOCK)
	@touch $@

# Installed only where npm exists (CI has it); without it the accessibility tests fail in CI
# (SEMINARKIT_REQUIRE_BROWSER=1) and skip on a developer machine.
$(AXE): $(TOOLING)/package.json $(TOOLING)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(TOOLING) --no-audit --no-fund --loglevel=error && touch $(AXE) \
	  || echo "warning: npm ci in $(TOOLING) failed (browser accessibility tests will skip)"; \
	else echo "npm not found: skipping $(TOOLING) (browser accessibility tests will skip)"; fi

tooling: $(AXE)

# The build copies what a deck uses from here next to the decks (build/<edition>/_reveal/).
# Like axe-core: skipped with a warning where npm is missing (the deck tests then skip outside CI;
# `seminarkit build --formats slides` says which command installs it).
$(REVEAL): $(SLIDES)/package.json $(SLIDES)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(SLIDES) --no-audit --no-fund --loglevel=error && touch $(REVEAL) \
	  || echo "warning: npm ci in $(SLIDES) failed (slide decks cannot be built)"; \
	else echo "npm not found: skipping $(SLIDES) (slide decks cannot be built)"; fi

slides-assets: $(REVEAL)

bootstrap: $(DEV_STAMP) tooling slides-assets

handouts: $(RUNTIME_STAMP)
	$(BIN)/seminarkit build

slides: $(RUNTIME_STAMP) slides-assets
	$(BIN)/seminarkit build --formats slides

validate: $(RUNTIME_STAMP)
	$(BIN)/seminarkit validate

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy

test: $(DEV_STAMP) tooling slides-assets lint
	$(BIN)/python -m pytest

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/build_bench.py
	$(BIN)/python benchmarks/grade_bench.py
	$(BIN)/python benchmarks/room_bench.py

# Exact versions for every platform and Python >= 3.10, resolved with uv (a dev tool).
lock: $(DEV_STAMP)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -o $(RUNTIME_LOCK)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) --extra test --extra dev -o $(DEV_LOCK)

clean:
	rm -rf build test-results
