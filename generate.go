// Package backoffice is the repository root. `go generate ./...` runs ent's code
// generation (which also writes graph/ent.graphql) and then gqlgen (graph/gqlgen.go), in that order.
package backoffice

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod ./graph/gqlgen.go
//go:generate go run ./graph/printschema
