# `make docs`: run every page's code (drawing its figures) and build the site into site/, offline.
PYTHON ?= $(shell test -x .venv/bin/python && echo .venv/bin/python || echo python3)

.PHONY: docs docs-serve

docs:
	PYTHONPATH=$(CURDIR) $(PYTHON) -m mkdocs build --strict

docs-serve:
	PYTHONPATH=$(CURDIR) $(PYTHON) -m mkdocs serve
