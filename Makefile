# One-word tasks. Each sets up what a fresh machine lacks (the virtual environment; for the
# browser tests, Debian's chromium) before it runs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-12)
PORT ?= 8000

.PHONY: demo test test-fast lint bench openapi browser java serve clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) is needed (Python 3.11)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

# Debian's chromium for the browser tests (no browser download); needs root or sudo once.
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; }

# Java for the Spark engine (PySpark ships Spark but not Java; Debian's is 17, which Spark 4
# supports); needs root or sudo once.
java:
	@command -v java >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q default-jre-headless; }

demo: $(STAMP)
	$(BIN)/becoming demo --port $(PORT)

serve: $(STAMP)
	$(BIN)/becoming serve --port $(PORT)

# The whole suite; DATABASE_URL=postgres://... runs it on PostgreSQL.
test: $(STAMP) browser java
	BECOMING_HOME=$$(mktemp -d) $(BIN)/pytest -q -n 2 --dist loadfile

# Lint, the migrations check and the type check (mypy with django-stubs; see pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	BECOMING_HOME=$$(mktemp -d) $(BIN)/python -m django makemigrations --check --dry-run --settings=becoming.settings
	BECOMING_HOME=$$(mktemp -d) $(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

openapi: $(STAMP)
	BECOMING_HOME=$$(mktemp -d) $(BIN)/python -m becoming.api.openapi docs/openapi.json

clean:
	rm -rf $(VENV) build *.egg-info
