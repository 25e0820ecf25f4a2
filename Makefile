# Two entry points: `make serve` and `make test`. Each sets up only what it
# needs. `serve`: a virtual environment with the project installed, the one
# embedded engine it runs (MEMBERDIR_ENGINE: SecantusDB's Rust server by default,
# built from crates.io; FerretDB, built with Go; or SecantusDB's Python server,
# in its own environment; none when MONGODB_URI is set) and the browser pages
# (frontend/) built from their lockfile. `test`: the same environment and pages,
# both engines the tests run on, and the Node.js packages for federation
# (Apollo's composition library, and Apollo Gateway for the end-to-end tests)
# installed from their lockfile.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NODE_PROJECT := tools/federation
OIDC_PROVIDER := tools/oidc-provider
FRONTEND := frontend
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src -type f) $(wildcard $(FRONTEND)/*.html) $(FRONTEND)/vite.config.js

# The engine `serve` runs, as memberdir reads it from the environment.
SERVE_ENGINE := $(if $(MONGODB_URI),,$(or $(MEMBERDIR_ENGINE),secantusdb-rs))
TEST_ENGINE := secantusdb-rs
# The tests marked `database` (the queries, the import, and the write path: its
# races, kills and sync), run again on the second engine by `make test`.
# tests/test_engine_markers.py fails on a database test neither marked nor
# listed as engine-specific.
SECOND_ENGINE := ferretdb

.PHONY: setup ferretdb secantusdb secantusdb-rs serve test chromium supergraph clean

# Everything `make test` needs, without running it (the benchmarks use it too;
# `make secantusdb` adds SecantusDB's Python server, which no test needs).
setup: $(VENV)/.installed $(TEST_ENGINE) $(SECOND_ENGINE) $(NODE_PROJECT)/node_modules/.installed \
	$(OIDC_PROVIDER)/node_modules/.installed $(FRONTEND)/dist/.built

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Exactly the versions in the lockfile; their install scripts are not needed.
$(NODE_PROJECT)/node_modules/.installed: $(NODE_PROJECT)/package.json $(NODE_PROJECT)/package-lock.json
	npm ci --prefix $(NODE_PROJECT) --ignore-scripts --no-audit --no-fund
	touch $@

# The real OpenID Connect provider the sign-in tests run on loopback (tests/oidc_provider.py).
$(OIDC_PROVIDER)/node_modules/.installed: $(OIDC_PROVIDER)/package.json $(OIDC_PROVIDER)/package-lock.json
	npm ci --prefix $(OIDC_PROVIDER) --ignore-scripts --no-audit --no-fund
	touch $@

# The pages the app serves from frontend/dist: rebuilt only when the lockfile
# or a source changed.
$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	npm ci --prefix $(FRONTEND) --ignore-scripts --no-audit --no-fund
	touch $@

$(FRONTEND)/dist/.built: $(FRONTEND)/node_modules/.installed $(FRONTEND_SOURCES)
	npm run --prefix $(FRONTEND) build
	touch $@

# The script returns at once when the right version is already built.
ferretdb:
	tools/build-ferretdb.sh

# GPL-2.0: separate processes, never in the production image. The script
# returns at once when its version is already there.
secantusdb:
	PYTHON=$(PYTHON) tools/install-secantusdb.sh

secantusdb-rs:
	tools/install-secantusdb-rs.sh

# Serving needs neither the second engine nor the federation packages.
serve: $(VENV)/.installed $(SERVE_ENGINE) $(FRONTEND)/dist/.built
	$(BIN)/memberdir serve

# The whole suite on the default engine (SecantusDB's Rust server), then the
# tests marked `database` on the second.
test: setup chromium
	$(BIN)/lint-imports --no-cache
	MEMBERDIR_ENGINE=$(TEST_ENGINE) $(BIN)/python -m pytest
	MEMBERDIR_ENGINE=$(SECOND_ENGINE) $(BIN)/python -m pytest -m database

# The browser tests drive Debian's chromium. Under CI it is installed when
# missing, and a failed install fails the run; elsewhere those tests skip
# with a line saying how to get it.
chromium:
	@if [ "$$CI" = "true" ] && ! command -v chromium >/dev/null; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# The supergraph docker/compose.production.yaml's router serves. Add other
# subgraphs as NAME=FILE@URL, e.g. make supergraph SUBGRAPHS="events=events.graphql@http://events:4000/graphql"
supergraph: $(VENV)/.installed $(NODE_PROJECT)/node_modules/.installed
	$(BIN)/memberdir supergraph --directory-url http://directory:8000/graphql $(SUBGRAPHS) --output docker/supergraph.graphql

clean:
	rm -rf $(VENV) .tools var .pytest_cache $(NODE_PROJECT)/node_modules $(OIDC_PROVIDER)/node_modules $(FRONTEND)/node_modules $(FRONTEND)/dist test-artifacts
