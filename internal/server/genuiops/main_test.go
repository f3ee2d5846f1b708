package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestGeneratedListIsCurrent: ui_operations.go names every operation of the web UI;
// when this fails, run go generate ./internal/server.
func TestGeneratedListIsCurrent(t *testing.T) {
	src, err := os.ReadFile("../../../web/src/gql/graphql.ts")
	if err != nil {
		t.Fatal(err)
	}
	gen, err := os.ReadFile("../ui_operations.go")
	if err != nil {
		t.Fatal(err)
	}
	names := Names(src)
	if len(names) < 10 {
		t.Fatalf("found %d operations in graphql.ts: the pattern no longer matches codegen's output", len(names))
	}
	for _, n := range names {
		if !strings.Contains(string(gen), strconv.Quote(n)+":") {
			t.Errorf("ui_operations.go lacks %s: run go generate ./internal/server", n)
		}
	}
	if got := len(regexp.MustCompile(`(?m)^\t"\w+":\s+true,$`).FindAll(gen, -1)); got != len(names) {
		t.Errorf("ui_operations.go has %d names, the UI %d: run go generate ./internal/server", got, len(names))
	}
}
