# stream-mcp developer targets. `make help` lists them.
# Every tool the tests need is installed from here (npm packages into
# testdata/npm, pinned Go tools through `go run pkg@version`), never by hand.

SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCH_OUT ?= bench.txt

.DEFAULT_GOAL := help

# Python test tools (cfn-lint, aws-sam-translator, moto, the MCP SDK) live in
# a virtualenv that sees the machine's site packages; every recipe finds them
# first on PATH.
VENV := $(CURDIR)/.cache/venv
export PATH := $(VENV)/bin:$(PATH)

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: build
build: ## build bin/stream-mcp with the version stamped in
	CGO_ENABLED=0 $(GO) build -buildvcs=auto -trimpath -ldflags '$(LDFLAGS)' -o bin/stream-mcp ./cmd/stream-mcp

.PHONY: test
test: npm-deps python-deps lint test-backends fuzz-short test-resources ## everything CI checks: gofmt, vet, staticcheck, real backends, a short fuzz run, the resource test, race tests (count=1)
	CI=$${CI:-true} $(GO) test -race -count=1 -timeout 20m ./...

# The parsers that take untrusted input (model-supplied JSON, template text,
# JSON-RPC lines, confirmation tokens); seeds are in each package's
# testdata/fuzz. FUZZTIME per target: a count of executions, not a duration,
# because a duration that ends while a worker is minimising an input fails the
# run with "context deadline exceeded" (seen in CI on 2 busy cores); a longer
# hunt: make fuzz-short FUZZTIME=5m.
FUZZTIME ?= 2000x
FUZZ_TARGETS := ./internal/esm:FuzzValidate ./internal/cfntemplate:FuzzValidate ./internal/kafkacfg:FuzzValidate \
	./internal/server:FuzzGuardStdio ./internal/server:FuzzCheckArgs ./internal/confirm:FuzzParseToken

.PHONY: test-resources
test-resources: ## every tool with hostile input sizes: answers within deadline + margin under a heap ceiling (skipped under -race)
	$(GO) test -count=1 -run '^TestEveryToolBoundsAdversarialInput$$' -v ./tools/ | grep -E '^(---|ok|FAIL)|adversarial calls'

.PHONY: fuzz-short
fuzz-short: ## run each fuzz target for FUZZTIME (default 2000 executions) on one worker
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; fn=$${t##*:}; echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) -parallel 1 $$pkg; \
	done

BACKENDS_LOG ?= .cache/test-backends.log

.PHONY: test-backends
test-backends: python-deps ## the Kafka suites on kfake and Apache Kafka 4.x (jars from Maven Central), the AWS inspectors on awssim and moto, the Python MCP SDK
	@mkdir -p .cache
	@set -o pipefail; CI=$${CI:-true} STREAM_MCP_BACKENDS=1 $(GO) test -count=1 -v -timeout 15m ./internal/testenv/backends/ ./internal/testenv/kafkareal/ 2>&1 | tee $(BACKENDS_LOG) \
	  | grep -E '^(ok|FAIL|panic)|^\s*--- (FAIL|SKIP)|^\s+[a-z_]+_test\.go:[0-9]+: (Apache Kafka|backend|backends:|python SDK|known divergence)|^ *--- ' ; \
	  rc=$$?; echo "test-backends: full log in $(BACKENDS_LOG)"; exit $$rc

.PHONY: test-short
test-short: ## quick tests without the race detector
	$(GO) test -count=1 ./...

.PHONY: fmt-check
fmt-check: ## fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './testdata/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: vet
vet: ## go vet
	$(GO) vet ./...

.PHONY: lint
lint: fmt-check vet ## gofmt, vet and a pinned staticcheck
	$(GO) run $(STATICCHECK) ./...

.PHONY: tidy-check
tidy-check: ## fail when go.mod/go.sum are not tidy
	$(GO) mod tidy -diff

.PHONY: snaps
snaps: ## rewrite tool schema snapshots (review the diff!)
	UPDATE_TOOLSNAPS=1 $(GO) test -count=1 ./tools/...

.PHONY: demo
demo: ## the guided run on embedded defaults
	$(GO) run ./cmd/stream-mcp demo

.PHONY: bench
bench: npm-deps ## benchmarks; results are written to bench.txt (BENCH_OUT)
	$(GO) test -run '^$$' -bench . -benchmem -count=1 -timeout 30m ./... | tee $(BENCH_OUT)

.PHONY: cover
cover: ## coverage report (no gate)
	$(GO) test -count=1 -coverprofile=cover.out ./... && $(GO) tool cover -func=cover.out | tail -1

NPM_DIR := testdata/npm

.PHONY: python-deps
python-deps: $(VENV)/.installed ## install the pinned Python test tools (testdata/python/requirements.txt) into .cache/venv

# Re-installed only when the requirements change; the stamp is written last.
$(VENV)/.installed: testdata/python/requirements.txt
	python3 -m venv --system-site-packages $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r testdata/python/requirements.txt
	@touch $@

.PHONY: npm-deps
npm-deps: $(NPM_DIR)/node_modules/.package-lock.json ## install test emulators (kinesis-local) from testdata/npm/package-lock.json

# npm ci is re-run only when the lock file changes, so the target is cheap
# to call from every test run. npm writes node_modules/.package-lock.json on
# every successful install; it is the stamp.
$(NPM_DIR)/node_modules/.package-lock.json: $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	npm ci --prefix $(NPM_DIR) --no-audit --no-fund
	@touch $@

KINESIS_LOCAL_PORT ?= 4568
KINESIS_LOCAL_TLS_PORT ?= 4567

.PHONY: kinesis-local
kinesis-local: npm-deps ## run the kinesis-local emulator on 127.0.0.1:$(KINESIS_LOCAL_PORT) (plain HTTP) for manual tries; Ctrl-C stops it
	cd $(NPM_DIR)/node_modules/kinesis-local && STREAM_MCP_BIND_HOST=127.0.0.1 \
	  KINESIS_MOCK_PLAIN_PORT=$(KINESIS_LOCAL_PORT) KINESIS_MOCK_TLS_PORT=$(KINESIS_LOCAL_TLS_PORT) \
	  node --require ../../loopback.cjs main.js

.PHONY: docs
docs: ## regenerate the README's flags and tools tables
	UPDATE_README=1 $(GO) test -count=1 -run TestReadmeTables ./cmd/stream-mcp/
