# synthguard: every target sets itself up from a bare machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: venv demo test slow lint e2e app bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip setuptools wheel

# torch first, pinned, so that no CUDA build is pulled by a dependency.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/synthguard demo --out reports/demo

test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not e2e" -q $(PYTEST_ARGS)

slow: $(STAMP)
	$(BIN)/python -m pytest -m "slow" -q $(PYTEST_ARGS)

# Real-browser test: Debian's chromium + chromium-driver, driven by Playwright (no browser download).
e2e: $(STAMP)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)
	$(BIN)/python -m pytest -m e2e -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

app: $(STAMP)
	$(BIN)/synthguard app

# Quality and speed vs SDV from one run (benchmarks/foundation.py): --quick unless FULL=1.
bench: $(STAMP)
	$(BIN)/python benchmarks/foundation.py $(if $(FULL),,--quick)

clean:
	rm -rf $(VENV) reports build *.egg-info
