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
// field deliberately removed fails; listed in the CHANGELOG it still fails while the
// release had not deprecated the field, and passes once both hold.
func TestSchemaCheckFailsOnRemovedField(t *testing.T) {
	current, released := readFile(t, "schema.graphql"), readFile(t, "schema.released.graphql")
	removed := loadSDL(t, editOrderReference(t, current, ""))
	changelog := readFile(t, "../CHANGELOG.md")
	listed := strings.Replace(changelog, "\n## Unreleased\n", "\n## Unreleased\n\n### Breaking\n- `Order.reference` removed: use Order.id.\n", 1)
	deprecated := loadSDL(t, editOrderReference(t, released, "  reference: String! @deprecated(reason: \"use id\")\n"))
	for _, c := range []struct {
		name      string
		released  *ast.Schema
		changelog string
		fails     bool
	}{
		{"not listed", load(t, "schema.released.graphql"), changelog, true},
		{"listed, not deprecated in the release", load(t, "schema.released.graphql"), listed, true},
		{"deprecated in the release, not listed", deprecated, changelog, true},
		{"deprecated in the release and listed", deprecated, listed, false},
	} {
		got := schemacheck.Check(c.released, removed, c.changelog)
		if c.fails && (len(got) != 1 || got[0].Path != "Order.reference") {
			t.Errorf("%s: the check found %v, want Order.reference removed", c.name, got)
		}
		if !c.fails && len(got) != 0 {
			t.Errorf("%s: the removal still fails: %v", c.name, got)
		}
	}
}

// editOrderReference replaces the line of Order.reference in sdl with line.
func editOrderReference(t *testing.T, sdl, line string) string {
	t.Helper()
	const field = "  reference: String!\n"
	start := strings.Index(sdl, "\ntype Order implements Node")
	at := strings.Index(sdl[max(start, 0):], field)
	if start < 0 || at < 0 {
		t.Fatal("Order.reference not found")
	}
	return sdl[:start+at] + line + sdl[start+at+len(field):]
}

func loadSDL(t *testing.T, sdl string) *ast.Schema {
	t.Helper()
	s, err := schemacheck.Load("modified", sdl)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func load(t *testing.T, name string) *ast.Schema {
	t.Helper()
	return loadSDL(t, readFile(t, name))
}
