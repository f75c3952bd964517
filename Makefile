# `make docs`: run every page's Python code (drawing its figures) and build the site into site/, offline.
# The pages with a PostgreSQL example run it against a throw-away server (bash scripts/ensure-postgres.sh).
PYTHON ?= $(shell test -x .venv/bin/python && echo .venv/bin/python || echo python3)

.PHONY: docs docs-serve

docs:
	PYTHONPATH=$(CURDIR) $(PYTHON) -m mkdocs build --strict

docs-serve:
	PYTHONPATH=$(CURDIR) $(PYTHON) -m mkdocs serve
