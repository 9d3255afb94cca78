# Two commands on a fresh machine: `make handouts` and `make test`.
# Each bootstraps .venv with the system python (if missing) and installs the kit.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.seminarkit-installed
# JavaScript the browser tests inject (axe-core), pinned in tests/tooling/package-lock.json.
TOOLING := tests/tooling
AXE := $(TOOLING)/node_modules/axe-core/axe.min.js

.PHONY: handouts test lint bootstrap tooling validate bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Installed only where npm exists (CI has it); without it the accessibility tests skip,
# or fail when SEMINARKIT_REQUIRE_BROWSER=1.
$(AXE): $(TOOLING)/package.json $(TOOLING)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(TOOLING) --no-audit --no-fund --loglevel=error && touch $(AXE) \
	  || echo "warning: npm ci in $(TOOLING) failed (browser accessibility tests will skip)"; \
	else echo "npm not found: skipping $(TOOLING) (browser accessibility tests will skip)"; fi

tooling: $(AXE)

bootstrap: $(STAMP) tooling

handouts: $(STAMP)
	$(BIN)/seminarkit build

validate: $(STAMP)
	$(BIN)/seminarkit validate

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy

test: $(STAMP) tooling lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/build_bench.py
	$(BIN)/python benchmarks/grade_bench.py
	$(BIN)/python benchmarks/room_bench.py

clean:
	rm -rf build
