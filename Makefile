# Two entry points: `make serve` and `make test`. Each sets up what it needs:
# a virtual environment with the project installed, the embedded engines
# (SecantusDB's Rust server built from crates.io, its Python server in its own
# environment, FerretDB built), the Node.js packages
# for federation (Apollo's composition library, and Apollo Gateway for the
# end-to-end tests) installed from their lockfile, and the browser pages
# (frontend/) built from theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NODE_PROJECT := tools/federation
FRONTEND := frontend
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src -type f) $(wildcard $(FRONTEND)/*.html) $(FRONTEND)/vite.config.js

# The database-facing tests, run again on the second engine by `make test`:
# the queries, the import, and the write path (its races, kills and sync),
# which must hold on every engine.
SECOND_ENGINE := ferretdb
DATABASE_TESTS := tests/schema/test_organisations.py tests/schema/test_people.py tests/schema/test_groups.py tests/schema/test_stats.py \
	tests/schema/test_batching.py tests/schema/test_privacy.py tests/datastore/test_import.py tests/datastore/test_dump.py tests/embedded/test_embedded.py \
	tests/embedded/test_supervision.py tests/writes/test_writes.py tests/writes/test_kill.py tests/writes/test_sync.py tests/writes/test_mutations_organisations.py \
	tests/datastore/test_roster_windows.py tests/datastore/test_generations.py tests/writes/test_erasure.py tests/writes/test_input_limits.py \
	tests/writes/test_cross_record_rules.py tests/execution/test_cancellation.py tests/writes/test_uniqueness.py tests/properties/test_properties.py \
	tests/writes/test_fencing.py tests/writes/test_retries.py tests/writes/test_pause_kill.py \
	tests/notifications/test_verified_email.py tests/notifications/test_webhooks.py

.PHONY: setup ferretdb secantusdb secantusdb-rs serve test chromium supergraph clean

setup: $(VENV)/.installed ferretdb secantusdb secantusdb-rs $(NODE_PROJECT)/node_modules/.installed $(FRONTEND)/dist/.built

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Exactly the versions in the lockfile; their install scripts are not needed.
$(NODE_PROJECT)/node_modules/.installed: $(NODE_PROJECT)/package.json $(NODE_PROJECT)/package-lock.json
	npm ci --prefix $(NODE_PROJECT) --ignore-scripts --no-audit --no-fund
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

serve: setup
	$(BIN)/memberdir serve

# The whole suite on the default engine (SecantusDB's Rust server), then the
# database-facing tests on the second.
test: setup chromium
	$(BIN)/python -m pytest
	MEMBERDIR_ENGINE=$(SECOND_ENGINE) $(BIN)/python -m pytest $(DATABASE_TESTS)

# The browser tests drive Debian's chromium. Under CI it is installed when
# missing, and a failed install fails the run; elsewhere those tests skip
# with a line saying how to get it.
chromium:
	@if [ "$$CI" = "true" ] && ! command -v chromium >/dev/null; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# The supergraph docker/compose.production.yaml's router serves. Add other
# subgraphs as NAME=FILE@URL, e.g. make supergraph SUBGRAPHS="events=events.graphql@http://events:4000/graphql"
supergraph: setup
	$(BIN)/memberdir supergraph --directory-url http://directory:8000/graphql $(SUBGRAPHS) --output docker/supergraph.graphql

clean:
	rm -rf $(VENV) .tools var .pytest_cache $(NODE_PROJECT)/node_modules $(FRONTEND)/node_modules $(FRONTEND)/dist test-artifacts
