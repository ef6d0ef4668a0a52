# Every target works on a fresh clone: `deps` installs what is missing first.
SHELL := /bin/bash
export REDIS_URL ?= redis://127.0.0.1:6379
NODE_BIN := node_modules/.bin

.PHONY: test demo bench broker lint typecheck build unit integration e2e deps redis tools clean

# Installs the locked versions. Not `npm ci`: the package registry reachable here lacks the other
# platforms' optional binaries of @swc/core and unrs-resolver (404), so npm cannot record them in the
# lockfile and `npm ci` refuses it as out of sync; `npm install --no-save` honours the lockfile as it is.
node_modules/.package-lock.json: package.json package-lock.json
	npm install --no-save --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

redis:
	@scripts/ensure-redis.sh

tools:
	@scripts/ensure-tools.sh

lint: deps
	$(NODE_BIN)/eslint .
	$(NODE_BIN)/prettier --check .

typecheck: deps
	$(NODE_BIN)/tsc -p tsconfig.json

# There is nothing to emit: bins run TypeScript through tsx. `build` is the full static check.
build: typecheck

unit: deps
	$(NODE_BIN)/jest --selectProjects unit --coverage --coverageReporters=text-summary

integration: deps redis tools
	$(NODE_BIN)/jest --selectProjects integration --runInBand

e2e: deps redis tools
	$(NODE_BIN)/jest --selectProjects e2e --runInBand

test: deps redis tools lint typecheck unit integration e2e

demo: deps redis
	$(NODE_BIN)/tsx scripts/demo.ts

bench: deps redis
	$(NODE_BIN)/tsx scripts/bench.ts

broker: deps
	node bin/devbroker.js --port $${PORT:-9092}

clean:
	rm -rf coverage .data
