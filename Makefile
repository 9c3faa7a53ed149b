# Parley: `make run` starts a node, `make test` runs every check, `make bench` measures.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export NODE_OPTIONS := --import tsx

SPECS = $(shell find core adapters sim bench -name '*.spec.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)

.PHONY: run test bench install typecheck lint deps unit features features-sim features-wire e2e clean

node_modules/.installed: package.json package-lock.json
	@bash scripts/install-deps.sh
	@touch $@

install: node_modules/.installed

run: install
	node --import tsx adapters/node/cli/main.ts serve

typecheck: install
	NODE_OPTIONS= npx tsc --noEmit -p tsconfig.json

lint: install
	NODE_OPTIONS= npx eslint --max-warnings 0 .

deps: install
	bash scripts/check-deps.sh

unit: install
	node --test --test-reporter=spec --test-reporter-destination=stdout $(SPECS)

features-sim: install
	npx cucumber-js -p sim

features-wire: install
	npx cucumber-js -p wire

features: features-sim

e2e: install
	@if [ -x e2e/run.sh ]; then bash e2e/run.sh; else echo "no end-to-end suite yet"; fi

test: install
	@bash scripts/test-all.sh

bench: install
	node --import tsx bench/run.ts

clean:
	rm -rf node_modules bench/out reports
