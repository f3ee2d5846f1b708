package graph

import (
	"encoding/json"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/graph/model"
	"github.com/pspbackoffice/backoffice/internal/merchants"
)

// inviteOf translates inviteUser's input.
func inviteOf(in model.InviteUserInput) merchants.Invite {
	out := merchants.Invite{Email: in.Email, Role: in.Role}
	if in.MerchantID != nil {
		out.MerchantID = *in.MerchantID
	}
	if in.Name != nil {
		out.Name = *in.Name
	}
	return out
}

// newAPIKeyOf translates createApiKey's input.
func newAPIKeyOf(in model.CreateAPIKeyInput) merchants.NewAPIKey {
	return merchants.NewAPIKey{CompanyID: in.CompanyID, ShopID: in.ShopID, Name: in.Name, Scopes: in.Scopes,
		ExpiresAt: in.ExpiresAt}
}

// emptyToNil is a string answered only when there is one (a refused mutation has no
// secret or link).
func emptyToNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// apiKeyActive tells whether a key still works: not revoked and not expired.
func apiKeyActive(k *ent.APIKey, now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

// auditInput is an audit event's (already redacted) input as JSON text.
func auditInput(e *ent.AuditEvent) (*string, error) {
	if e.Input == nil {
		return nil, nil
	}
	b, err := json.Marshal(e.Input)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}
