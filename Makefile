# The two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/backoffice
E2E_PORT ?= 18765

.PHONY: run test build web web-deps go-test web-test e2e generate check-generated fmt vet lint tools bench

# Linters at pinned versions, installed into bin/tools by `make tools`.
TOOLS := $(CURDIR)/bin/tools
STATICCHECK_VERSION := v0.7.0
DEADCODE_VERSION := v0.40.0

## run: build the UI and the server, then serve with the embedded database, the provider
## sandboxes and the demo data on http://localhost:8080
run: build
	BACKOFFICE_DEMO=1 ./$(BIN) serve

## build: the one binary, with the web UI embedded
build: web
	$(GO) build -o $(BIN) ./cmd/backoffice

web-deps: web/node_modules/.package-lock.json

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

## web: build the React UI into web/dist (embedded by the Go build)
web: web-deps
	cd web && npm run build

## test: vet, Go tests (SQLite always, PostgreSQL when TEST_DATABASE_URL is set), UI tests, browser end-to-end
test: vet lint go-test web-test e2e

vet:
	$(GO) vet ./...

$(TOOLS)/staticcheck-$(STATICCHECK_VERSION):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	touch $@

$(TOOLS)/deadcode-$(DEADCODE_VERSION):
	GOBIN=$(TOOLS) $(GO) install golang.org/x/tools/cmd/deadcode@$(DEADCODE_VERSION)
	touch $@

tools: $(TOOLS)/staticcheck-$(STATICCHECK_VERSION) $(TOOLS)/deadcode-$(DEADCODE_VERSION)

## lint: staticcheck over the hand-written code (ent's generated packages aside) and
## deadcode (functions no program or test reaches); either finding fails the build
lint: tools
	$(TOOLS)/staticcheck $$($(GO) list ./... | grep -vE '/backoffice/ent($$|/)') ./ent/schema
	@out="$$($(TOOLS)/deadcode -test ./...)"; if [ -n "$$out" ]; then echo "$$out"; echo "deadcode: unreachable functions (delete them)"; exit 1; fi

go-test:
	$(GO) test -count=1 -timeout 20m ./...

web-test: web-deps
	cd web && npm test

## e2e: the real server in sandbox mode with the demo data, driven by Chromium
e2e: build
	scripts/e2e.sh $(E2E_PORT)

## generate: ent, entgql and gqlgen code generation
generate:
	$(GO) generate ./...

## check-generated: generated code matches its sources
check-generated: generate
	git diff --exit-code -- ent graph examples

fmt:
	gofmt -w $$(git ls-files '*.go')

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2000x ./internal/psp/...
