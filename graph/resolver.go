// Package graph is the GraphQL edge: the schema (*.graphqls, plus ent.graphql that
// entgql generates), thin resolvers that translate and delegate to the domain
// packages, the error presenter and the query limits.
package graph

import (
	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/merchants"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers/registry"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/reconciliation"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// Resolver holds the dependencies resolvers delegate to, and nothing else.
type Resolver struct {
	Client *ent.Client
	// Registry stores and hands out provider accounts.
	Registry *registry.Registry
	Orders   *psp.Orders // createOrder, payment status
	// Operations: fulfilOrder, fulfilAll, refundOrder, refundAll, previewRefund.
	Operations *psp.Operations
	// Onboarding: merchants, companies, shops, provider activation.
	Onboarding *merchants.Onboarding
	// Settlements: runs, status, overview, export.
	SettlementService *settlement.Settlements
	// Reconciliation: runReconciliation, resolveMismatch.
	Reconciliation *reconciliation.Service
	// Invitations: inviteUser.
	Invitations *merchants.Invitations
	// APIKeys: createApiKey, revokeApiKey.
	APIKeys *merchants.APIKeys
	// Auth: two-factor sign-in and the viewer's sessions.
	Auth *auth.Authenticator
}

// moneyOf is the one conversion from a stored minor-unit column to the API's Money.
func moneyOf(minor int64, currency string) *money.Money {
	m := money.New(minor, currency)
	return &m
}
