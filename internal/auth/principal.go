// Package auth knows who is asking: the Principal (a logged-in user, an API key, or
// the system itself) travels in the request context, and the storage layer's privacy
// rules (internal/tenant) read it to filter every query by tenant.
//
// Decisions a reader would otherwise rediscover:
//   - Logins are short-lived (12 h) HS256 JWTs signed with a key derived from
//     BACKOFFICE_SECRET, sent as Authorization: Bearer or in an HttpOnly SameSite=Lax
//     cookie. A token carries the user's token version; logout and a new password
//     raise it, which ends every session of that user at once (all devices).
//   - Every request reads the user or key row again: disabling, revoking, expiry and
//     role changes take effect on the next request, not when a token runs out.
//   - A cookie counts on an unsafe method only with X-Requested-With: backoffice or a
//     JSON body (what a cross-site form cannot send); Bearer requests need neither.
//   - API keys (pk_<env>_<prefix>_<secret>) are stored as their prefix and an
//     HMAC-SHA256 under a pepper derived from BACKOFFICE_SECRET; the secret is shown
//     once. Their last use is written at most once a minute per key, in the
//     background. A key of the other environment (pk_live on a sandbox server) fails.
//   - Failed logins and set-password attempts are limited per client address and per
//     account × address in a sliding window (httprate's counter, in memory: per server
//     instance); an account under attack from many addresses is slowed down, never
//     locked. The client address is the TCP peer unless it is a trusted proxy
//     (internal/clientaddr). argon2id work waits in a small fair queue (throttle.go).
//   - Invitations are 256-bit one-time tokens valid 72 h; only their SHA-256 is stored.
package auth

import (
	"context"
	"slices"
	"strings"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// Kind is what sort of principal is acting.
type Kind string

const (
	KindUser   Kind = "USER"
	KindAPIKey Kind = "API_KEY"
	KindSystem Kind = "SYSTEM" // jobs, seeds and migrations: sees everything
)

// Principal is the authenticated actor of a request.
type Principal struct {
	Kind       Kind
	ID         string // user id or API key id
	Label      string // email or key name, for the audit trail
	PSPID      string
	MerchantID string // empty for PSP staff
	CompanyID  string // API keys only
	ShopID     string // API keys only
	Role       domain.Role
	Scopes     []string // API keys: e.g. "orders:write"; empty means all
	// SessionID is a user's login session (LoginSession), when a login token authenticated.
	SessionID string
	// MFAEnrolmentRequired: the user's PSP (staff) or merchant requires two-factor
	// sign-in and the user has none yet. Such a user may only enrol (graph's @auth).
	MFAEnrolmentRequired bool
}

// IsSystem tells whether the principal bypasses tenant filters.
func (p *Principal) IsSystem() bool { return p != nil && p.Kind == KindSystem }

// IsPSPStaff tells whether the principal is a PSP user (sees all its PSP's merchants).
func (p *Principal) IsPSPStaff() bool { return p != nil && p.Kind == KindUser && p.Role.IsPSPStaff() }

// HasScope tells whether an API key may act in an area ("orders:write"); users and
// keys without scopes answer true, their role decides. A write scope includes the
// read scope of its area: "orders:write" may also read orders.
func (p *Principal) HasScope(scope string) bool {
	if p == nil || p.Kind != KindAPIKey || len(p.Scopes) == 0 {
		return true
	}
	if slices.Contains(p.Scopes, scope) {
		return true
	}
	if area, ok := strings.CutSuffix(scope, ":read"); ok {
		return slices.Contains(p.Scopes, area+":write")
	}
	return false
}

// IsMerchantUser tells whether the principal is a user of one merchant.
func (p *Principal) IsMerchantUser() bool {
	return p != nil && p.Kind == KindUser && !p.Role.IsPSPStaff() && p.MerchantID != ""
}

// IsAPIKey tells whether the principal is an API key (bound to one company and shop).
func (p *Principal) IsAPIKey() bool { return p != nil && p.Kind == KindAPIKey }

// Key identifies the principal across requests ("USER:usr_…", "API_KEY:key_…"):
// idempotency records are stored and looked up under it.
func (p *Principal) Key() string {
	if p == nil {
		return ""
	}
	return string(p.Kind) + ":" + p.ID
}

type ctxKey struct{}

// With puts a principal into a context.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From reads the principal of a context, or nil.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// System is the context of background work that acts for no tenant in particular.
func System(ctx context.Context) context.Context {
	return With(ctx, &Principal{Kind: KindSystem, ID: "system", Label: "system"})
}
