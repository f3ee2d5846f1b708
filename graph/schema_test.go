package graph_test

import (
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/pspbackoffice/backoffice/graph/generated"
	"github.com/pspbackoffice/backoffice/internal/schemacheck"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSchemaFileIsTheServersSchema: graph/schema.graphql is what the server
// executes (go generate ./... prints it).
func TestSchemaFileIsTheServersSchema(t *testing.T) {
	want := schemacheck.File(generated.NewExecutableSchema(generated.Config{}).Schema())
	if readFile(t, "schema.graphql") != want {
		t.Fatal("graph/schema.graphql differs from the server's schema: run go generate ./...")
	}
}

// TestSchemaHasNoUnannouncedBreakingChange: against the released snapshot, every
// breaking change is listed in CHANGELOG.md (README "Schema evolution").
func TestSchemaHasNoUnannouncedBreakingChange(t *testing.T) {
	released, current := load(t, "schema.released.graphql"), load(t, "schema.graphql")
	for _, c := range schemacheck.Check(released, current, readFile(t, "../CHANGELOG.md")) {
		t.Errorf("breaking change not listed under ## Unreleased / ### Breaking in CHANGELOG.md: %s", c)
	}
}

// TestSchemaCheckFailsOnRemovedField: the check run on a copy of the schema with a
// field deliberately removed fails, until CHANGELOG lists the removal.
func TestSchemaCheckFailsOnRemovedField(t *testing.T) {
	sdl := readFile(t, "schema.graphql")
	const field = "\n  reference: String!\n"
	start := strings.Index(sdl, "\ntype Order implements Node")
	at := strings.Index(sdl[start:], field)
	if start < 0 || at < 0 {
		t.Fatal("Order.reference not found in graph/schema.graphql")
	}
	removed, err := schemacheck.Load("modified", sdl[:start+at]+"\n"+sdl[start+at+len(field):])
	if err != nil {
		t.Fatal(err)
	}
	changelog := readFile(t, "../CHANGELOG.md")
	got := schemacheck.Check(load(t, "schema.released.graphql"), removed, changelog)
	if len(got) != 1 || got[0].Path != "Order.reference" {
		t.Fatalf("the check found %v, want Order.reference removed", got)
	}
	listed := strings.Replace(changelog, "\n## Unreleased\n", "\n## Unreleased\n\n### Breaking\n- `Order.reference` removed: use Order.id.\n", 1)
	if got := schemacheck.Check(load(t, "schema.released.graphql"), removed, listed); len(got) != 0 {
		t.Errorf("listed under ### Breaking, the removal still fails: %v", got)
	}
}

func load(t *testing.T, name string) *ast.Schema {
	t.Helper()
	s, err := schemacheck.Load(name, readFile(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
