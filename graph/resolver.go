// Package graph is the GraphQL edge: the schema (*.graphqls, plus ent.graphql that
// entgql generates), thin resolvers that translate and delegate to the domain
// packages, the error presenter and the query limits.
package graph

import (
	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// Resolver holds the dependencies resolvers delegate to, and nothing else.
type Resolver struct {
	Client *ent.Client
}

// moneyOf is the one conversion from a stored minor-unit column to the API's Money.
func moneyOf(minor int64, currency string) *money.Money {
	m := money.New(minor, currency)
	return &m
}
