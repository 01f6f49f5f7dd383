# hotline — `make run` to try it, `make test` for everything CI runs (.ci/run calls it).
SHELL := /bin/bash
GO ?= go
BIN := bin/hotline

.PHONY: all build run test fuzz bench deps servers-up servers-down clean web web-deps web-timing

all: build

build:
	$(GO) build -o $(BIN) ./cmd/hotline

# Installs ClickHouse from Debian when missing; the binary then starts the embedded broker and a
# supervised local ClickHouse and runs until Ctrl-C.
run: build
	scripts/deps.sh clickhouse
	./$(BIN) run

# Everything CI runs, against real servers: ClickHouse 18.16 from Debian and Apache Kafka (KRaft)
# from Maven Central. The broker starts empty (reset: earlier runs' test topics would slow it
# down); the servers are stopped at the end whatever the result, and the exit status is the first
# failure's.
test: deps web-deps var/go.mod
	@rc=0; \
	{ scripts/clickhouse.sh start && scripts/kafka.sh reset && scripts/kafka.sh start && \
	  $(GO) vet ./... && \
	  $(GO) test -count=1 -timeout 40m ./... && \
	  $(MAKE) --no-print-directory fuzz ; } || rc=$$?; \
	scripts/kafka.sh stop || true; \
	scripts/clickhouse.sh stop || true; \
	exit $$rc

# A short fuzzing run of every request decoder (their seed corpora already ran as plain tests in
# `go test ./...`); FUZZTIME each. A failing input is saved under the package's testdata/fuzz/.
FUZZTIME ?= 3s
FUZZ_TARGETS := \
	./internal/httpapi:FuzzDecodeJSON ./internal/httpapi:FuzzMaskNumbers \
	./dialer:FuzzParseCampaign ./dialer:FuzzParseCampaignJSON \
	./qa:FuzzParseScorecard ./qa:FuzzEvaluationInput \
	./analytics/report:FuzzPeriod ./routing:FuzzDecodeOptional
fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $${t#*:} ($${t%%:*}, $(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

# Every benchmark table (`hotline bench all`) against the project's real servers, then the Go
# benchmarks.
bench: build servers-up
	./$(BIN) bench all
	$(GO) test -run '^$$' -bench . -benchtime 2000x ./events/ ./ingest/ ./routing/routingbench/

# var/ holds the local servers' data. A go.mod there makes it a module of its own, so `go ./...`
# does not walk its many files, nor fail when a ClickHouse merge deletes one mid-walk.
var/go.mod:
	mkdir -p var
	printf 'module hotline.local/var\n' > $@

deps:
	scripts/deps.sh
	scripts/analytics-deps.sh

# The web workspace's pinned packages (web/package-lock.json): the build and the browser tests.
# web/node_modules is kept while the lock file is unchanged.
web-deps: web/node_modules/.package-lock.json
web/node_modules/.package-lock.json: web/package-lock.json
	scripts/deps.sh web
	cd web && npm ci --no-audit --no-fund
	touch $@

# Rebuilds web/dist from web/src after a change (commit both; go test ./web/ checks they match).
web: web-deps
	cd web && node build.mjs

# Times the first screens in Chromium against a running `hotline run` (make run): a table.
#   make web-timing WEB_USER=demo-agent WEB_PASSWORD=… [URL=http://127.0.0.1:8080] [RUNS=10]
URL ?= http://127.0.0.1:8080
RUNS ?= 10
web-timing: web-deps
	cd web && node e2e/firstscreen.mjs "$(URL)" "$(WEB_USER)" "$(WEB_PASSWORD)" $(RUNS)

servers-up: deps
	scripts/clickhouse.sh start
	scripts/kafka.sh start

servers-down:
	-scripts/kafka.sh stop
	-scripts/clickhouse.sh stop

clean: servers-down
	rm -rf bin var
