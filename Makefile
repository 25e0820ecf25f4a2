# Two entry points: `make serve` and `make test`. Each sets up what it needs:
# a virtual environment with the project installed, and FerretDB built.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup ferretdb serve test clean

setup: $(VENV)/.installed ferretdb

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The script returns at once when the right version is already built.
ferretdb:
	tools/build-ferretdb.sh

serve: setup
	$(BIN)/memberdir serve

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .tools var .pytest_cache
