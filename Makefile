# The two commands of the README:  make serve  |  make test
# Everything they need is installed by this file: a virtualenv with the package and its
# dependencies (PyPI, within pyproject.toml's ranges), and the browser UI's assets (npm).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# Settings for `kg serve` come from KG_* variables, e.g. `KG_PORT=8080 make serve`.

.PHONY: serve test gate lint setup build clean

serve: setup
	$(BIN)/kg serve

test: setup gate lint

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The UI's assets (YASGUI), and axe-core for the accessibility tests. Without npm the endpoint
# still serves a plain query form, and the browser tests that need these skip.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the browser UI falls back to a plain form; its browser test will skip"; \
	fi

# The gate, in order: Turtle parses -> reasoning has no error triples -> QC queries return
# nothing -> SHACL conforms (and every shape fires on its fixture) -> every other test.
GATE := tests/test_load.py tests/test_reason.py tests/test_qc.py tests/test_shapes.py
# The tests run on the machine's cores (pytest-xdist), at most four: two on the CI machine. A
# worker that has run its share takes tests not yet started from another's (--dist worksteal):
# with tests of 0.01 s to 25 s, the handed-out shares end far apart.
PYTEST := $(BIN)/python -m pytest -q -n auto --maxprocesses=4 --dist worksteal

gate:
	$(PYTEST) $(GATE)
	$(PYTEST) $(addprefix --ignore=,$(GATE))

lint:
	$(BIN)/ruff check src tests bench

build: setup
	$(BIN)/kg build

clean:
	rm -rf build .pytest_cache .ruff_cache test-artifacts
