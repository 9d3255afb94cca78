# Two commands on a fresh machine: `make handouts` and `make test`.
# Each bootstraps .venv with the system python (if missing) and installs the kit.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.seminarkit-installed

.PHONY: handouts test lint bootstrap validate bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

bootstrap: $(STAMP)

handouts: $(STAMP)
	$(BIN)/seminarkit build

validate: $(STAMP)
	$(BIN)/seminarkit validate

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy

test: $(STAMP) lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/build_bench.py
	$(BIN)/python benchmarks/grade_bench.py

clean:
	rm -rf build
