# Everyday commands. `make demo` and `make test` set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-out

.PHONY: demo test lint bench setup clean dist install-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench,postgres,dist]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/chefintro demo $(DEMO_DIR)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks sample_data
	$(BIN)/ruff format --check src tests benchmarks sample_data
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The sdist and the wheel a coordinator installs (README, Install), into dist/.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/uv build --out-dir dist

# Install that wheel with `uv tool install` outside the repository and run it (CI does).
install-check: dist
	UV=$(BIN)/uv bash .ci/install-smoke

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) dist .mypy_cache .ruff_cache .pytest_cache
