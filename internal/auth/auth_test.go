package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

func TestLoginTokens(t *testing.T) {
	now := time.Now()
	s := auth.NewSessions([]byte("a key of thirty-two bytes or more!!"))
	other := auth.NewSessions([]byte("another key of thirty-two bytes!!!"))
	tok, exp, err := s.Issue("usr_1", 3, "ses_1", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := exp.Sub(now); got != auth.SessionTTL {
		t.Fatalf("token lasts %s, want %s", got, auth.SessionTTL)
	}
	c, err := s.Verify(tok)
	if err != nil || c.UserID != "usr_1" || c.Version != 3 {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
	expired, _, _ := s.Issue("usr_1", 3, "ses_1", now.Add(-13*time.Hour))
	parts := strings.Split(tok, ".")
	tampered := parts[0] + "." + parts[1] + "x." + parts[2]
	for _, tc := range []struct{ name, token string }{
		{"an expired token", expired},
		{"a token signed with another key", func() string { t, _, _ := other.Issue("usr_1", 3, "ses_1", now); return t }()},
		{"a tampered payload", tampered},
		{"garbage", "not-a-token"},
		{"an unsigned token", parts[0] + "." + parts[1] + "."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Verify(tc.token); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestAPIKeyFormatAndHash(t *testing.T) {
	h := auth.NewKeyHasher([]byte("pepper"))
	k, err := auth.NewAPIKeySecret(auth.EnvTest)
	if err != nil {
		t.Fatal(err)
	}
	s := k.String()
	if !strings.HasPrefix(s, "pk_test_") || !auth.LooksLikeAPIKey(s) {
		t.Fatalf("key %q does not look like pk_test_…", s)
	}
	parsed, err := auth.ParseAPIKey(s)
	if err != nil || parsed != k {
		t.Fatalf("ParseAPIKey = %+v, %v", parsed, err)
	}
	stored := h.Hash(k)
	if strings.Contains(string(stored), k.Secret) {
		t.Fatal("the stored hash contains the secret")
	}
	if !h.Matches(parsed, stored) {
		t.Fatal("the key does not match its own hash")
	}
	wrong := parsed
	wrong.Secret = strings.Repeat("a", len(wrong.Secret))
	if h.Matches(wrong, stored) {
		t.Fatal("another secret matches")
	}
	if auth.NewKeyHasher([]byte("other pepper")).Matches(parsed, stored) {
		t.Fatal("the hash does not depend on the pepper")
	}
	for _, bad := range []string{"", "pk_test", "pk_prod_" + k.Prefix + "_" + k.Secret, "pk_test_" + k.Prefix + "_short",
		"sk_test_" + k.Prefix + "_" + k.Secret, s + "_x"} {
		if _, err := auth.ParseAPIKey(bad); err == nil {
			t.Errorf("ParseAPIKey(%q) accepted", bad)
		}
	}
}

func TestScopes(t *testing.T) {
	key := func(scopes ...string) *auth.Principal { return &auth.Principal{Kind: auth.KindAPIKey, Scopes: scopes} }
	for _, tc := range []struct {
		name  string
		p     *auth.Principal
		scope string
		want  bool
	}{
		{"a key without scopes may do everything", key(), auth.ScopeOrdersWrite, true},
		{"a key has its scope", key(auth.ScopeOrdersRead), auth.ScopeOrdersRead, true},
		{"write includes read of its area", key(auth.ScopeOrdersWrite), auth.ScopeOrdersRead, true},
		{"read does not include write", key(auth.ScopeOrdersRead), auth.ScopeOrdersWrite, false},
		{"another area's scope does not count", key(auth.ScopeSettlementsRead), auth.ScopeOrdersRead, false},
		{"users are decided by role", &auth.Principal{Kind: auth.KindUser, Role: domain.RoleMerchantViewer}, auth.ScopeOrdersWrite, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.HasScope(tc.scope); got != tc.want {
				t.Fatalf("HasScope(%s) = %v, want %v", tc.scope, got, tc.want)
			}
		})
	}
	if !key(auth.ScopeRefundsWrite).CanReadOrders() {
		t.Error("a key that refunds cannot see the orders it refunds")
	}
	if key(auth.ScopeSettlementsRead).CanReadOrders() {
		t.Error("a settlements key sees orders")
	}
}

func TestRoleGrants(t *testing.T) {
	for _, tc := range []struct {
		who, grants domain.Role
		want        bool
	}{
		{domain.RolePSPAdmin, domain.RolePSPAdmin, true},
		{domain.RolePSPOperator, domain.RolePSPAdmin, false},
		{domain.RolePSPOperator, domain.RoleMerchantAdmin, true},
		{domain.RoleMerchantAdmin, domain.RoleMerchantViewer, true},
		{domain.RoleMerchantAdmin, domain.RolePSPOperator, false},
		{domain.RoleMerchantOperator, domain.RoleMerchantAdmin, false},
	} {
		if got := auth.RoleAtLeast(tc.who, tc.grants); got != tc.want {
			t.Errorf("%s grants %s = %v, want %v", tc.who, tc.grants, got, tc.want)
		}
	}
}

func TestEmails(t *testing.T) {
	for s, want := range map[string]bool{
		"anna@example.com": true, "a.b+c@shop.example.ee": true,
		"": false, "anna": false, "anna@localhost": false, "Anna <anna@example.com>": false, "a b@example.com": false,
	} {
		if got := auth.ValidEmail(s); got != want {
			t.Errorf("ValidEmail(%q) = %v, want %v", s, got, want)
		}
	}
	if auth.NormalizeEmail("  Anna@Example.COM ") != "anna@example.com" {
		t.Error("emails are not normalised")
	}
}
