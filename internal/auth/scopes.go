package auth

import "slices"

// API key scopes: read or write per area (docs/api.md "Credentials"). A key without scopes may do
// everything an API key may do; a write scope includes its area's read scope.
const (
	ScopeOrdersRead      = "orders:read"
	ScopeOrdersWrite     = "orders:write"
	ScopeRefundsWrite    = "refunds:write"
	ScopeSettlementsRead = "settlements:read"
)

// Scopes are every scope a key can be given.
var Scopes = []string{ScopeOrdersRead, ScopeOrdersWrite, ScopeRefundsWrite, ScopeSettlementsRead}

// ValidScope tells whether s is one of Scopes.
func ValidScope(s string) bool { return slices.Contains(Scopes, s) }

// CanReadOrders tells whether the principal may see orders and their items,
// fulfilments and refunds: a key that refunds must see the order it refunds.
func (p *Principal) CanReadOrders() bool {
	return p.HasScope(ScopeOrdersRead) || p.HasScope(ScopeRefundsWrite)
}

// CanReadSettlements tells whether the principal may see settlements.
func (p *Principal) CanReadSettlements() bool { return p.HasScope(ScopeSettlementsRead) }
