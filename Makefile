# rikg: `make demo` builds the graph from the bundled plans and writes the explorer page;
# `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RIKG := $(BIN)/rikg

.PHONY: demo test lint typecheck bench system-deps clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(RIKG) build
	@echo "explorer page: $$($(RIKG) explore)"
	$(RIKG) stats

system-deps:
	bash scripts/install-system-deps.sh

test: $(VENV)/.installed system-deps
	$(BIN)/ruff check rikg ontology loaders graph_store queries tests bench notebooks
	$(BIN)/mypy rikg ontology loaders graph_store queries bench/run.py bench/generator.py
	$(BIN)/pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check rikg ontology loaders graph_store queries tests bench notebooks
	$(BIN)/mypy rikg ontology loaders graph_store queries bench/run.py bench/generator.py

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var build *.egg-info
