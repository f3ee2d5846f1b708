//go:build ignore

// gqlgen.go runs gqlgen's code generation (gqlgen.yml) with one plugin of ours,
// sequentialFields. Run by `go generate ./...` from the repository root, after ent.
package main

import (
	"log"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		log.Fatalf("loading gqlgen.yml: %v", err)
	}
	if err := api.Generate(cfg, api.AddPlugin(sequentialFields{})); err != nil {
		log.Fatalf("running gqlgen: %v", err)
	}
}

// sequentialFields resolves the fields of every object below the root on the
// request's own goroutine. gqlgen runs each resolver field (and every method taking a
// context, such as ent's edges) on a goroutine of its own; here every edge is
// already loaded with the page (entgql field collection), so those goroutines only
// cost: on an order page they were a third of the server's CPU (stack growth and
// scheduling, measured with pprof at 1,000,000 orders). Root fields keep gqlgen's
// default: two root fields of one query still run side by side. The price: a field
// that does its own I/O (Merchant.checklist, Order.paymentUrl) asked on every row of
// a list now runs row after row; those are detail-screen fields.
type sequentialFields struct{}

func (sequentialFields) Name() string { return "sequentialfields" }

// GenerateCode runs before gqlgen writes the executor, on the data it writes it from.
func (sequentialFields) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if !o.Root {
			o.DisableConcurrency = true
		}
	}
	return nil
}
