// Command printschema writes graph/schema.graphql: the server's executable schema as
// one SDL file, the file clients generate from and the schema check compares with
// the released snapshot (README "Schema evolution"). Run by `go generate ./...` from
// the repository root, after gqlgen.
package main

import (
	"log"
	"os"

	"github.com/pspbackoffice/backoffice/graph/generated"
	"github.com/pspbackoffice/backoffice/internal/schemacheck"
)

func main() {
	sdl := schemacheck.File(generated.NewExecutableSchema(generated.Config{}).Schema())
	if err := os.WriteFile("graph/schema.graphql", []byte(sdl), 0o644); err != nil {
		log.Fatal(err)
	}
}
