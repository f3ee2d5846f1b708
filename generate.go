// Package backoffice is the repository root. `go generate ./...` runs ent's code
// generation (which also writes graph/ent.graphql) and then gqlgen, in that order.
package backoffice

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod github.com/99designs/gqlgen generate
