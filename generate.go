// Package backoffice is the repository root. `go generate ./...` runs ent's code
// generation (which also writes graph/ent.graphql), then gqlgen (graph/gqlgen.go), then
// prints graph/schema.graphql (graph/printschema), in that order; the typed client of
// examples/orderflow (genqlient) is generated from that file afterwards, its package
// coming later in the walk.
package backoffice

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod ./graph/gqlgen.go
//go:generate go run ./graph/printschema
