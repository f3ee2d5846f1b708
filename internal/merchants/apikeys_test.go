package merchants_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/merchants"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// keyFixture is the tenant world with the API key service on a clock the test owns,
// and the context of merchant A1's admin.
type keyFixture struct {
	w      *tenanttest.World
	hasher *auth.KeyHasher
	keys   *merchants.APIKeys
	admin  context.Context
	now    time.Time
}

func newKeyFixture(t *testing.T, d *db.DB) *keyFixture {
	t.Helper()
	f := &keyFixture{now: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
		hasher: auth.NewKeyHasher([]byte("a pepper for the API key tests"))}
	f.w = tenanttest.Build(t, d.Ent, f.hasher, auth.EnvTest)
	f.keys = &merchants.APIKeys{Client: d.Ent, DB: d, Hasher: f.hasher, Env: auth.EnvTest, Now: f.clock}
	f.admin = auth.With(context.Background(), f.w.Actors["adminA1"].Principal)
	return f
}

func (f *keyFixture) clock() time.Time { return f.now }

// TestRolledKeyWorksUntilItsEnd rolls an API key on a clock the test moves: the new
// key works at once with the old one's company, shop and scopes; the old one keeps
// working until expiresInHours have passed and is refused from that instant on.
func TestRolledKeyWorksUntilItsEnd(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newKeyFixture(t, d)
		w, keys, admin := f.w, f.keys, f.admin
		authn := auth.NewAuthenticator(auth.AuthenticatorConfig{Client: d.Ent, Keys: f.hasher, Env: auth.EnvTest, Now: f.clock,
			Sessions: auth.NewSessions([]byte("a session key for the API key roll test"))})
		ctx := context.Background()
		works := func(key string) error { _, err := authn.KeyPrincipal(ctx, key); return err }

		old := w.Actors["settlekeyA1"] // scoped settlements:read
		k, secret, err := keys.Roll(admin, old.Principal.ID, 48)
		if err != nil {
			t.Fatal(err)
		}
		p, err := authn.KeyPrincipal(ctx, secret)
		if err != nil {
			t.Fatalf("the new key: %v", err)
		}
		if p.ID != k.ID || p.CompanyID != old.Principal.CompanyID || p.ShopID != old.Principal.ShopID ||
			!slices.Equal(p.Scopes, old.Principal.Scopes) {
			t.Errorf("the new key acts as %+v, want the company, shop and scopes of %+v", p, old.Principal)
		}
		f.now = f.now.Add(48*time.Hour - time.Second)
		if err := works(old.Key); err != nil {
			t.Errorf("the old key a second before its end: %v", err)
		}
		f.now = f.now.Add(time.Second)
		if err := works(old.Key); !errors.Is(err, auth.ErrKeyExpired) {
			t.Errorf("the old key at its end: %v, want ErrKeyExpired", err)
		}
		if err := works(secret); err != nil {
			t.Errorf("the new key after the old one's end: %v", err)
		}

		// A key is rolled once; its successor is the one to roll, with 0 it stops now.
		if _, _, err := keys.Roll(admin, old.Principal.ID, 1); !errors.Is(err, merchants.ErrAPIKeyInactive) {
			t.Errorf("rolling the expired key again: %v, want ErrAPIKeyInactive", err)
		}
		_, secret2, err := keys.Roll(admin, k.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := works(secret); !errors.Is(err, auth.ErrKeyExpired) {
			t.Errorf("a key rolled with expiresInHours 0: %v, want ErrKeyExpired", err)
		}
		if err := works(secret2); err != nil {
			t.Errorf("its successor: %v", err)
		}
	})
}

// TestRollRefusals: out-of-bound overlaps, another merchant's key, a key rolled
// already; each refused with its code and nothing made.
func TestRollRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newKeyFixture(t, d)
		w, keys, admin := f.w, f.keys, f.admin
		own := w.Actors["keyA1"].Principal.ID
		count := func() int { return d.Ent.APIKey.Query().CountX(auth.System(context.Background())) }
		before := count()
		for _, tc := range []struct {
			name  string
			ctx   context.Context
			id    string
			hours int
			want  error
			code  string
		}{
			{"a negative overlap", admin, own, -1, merchants.ErrInvalidRoll, domain.CodeValidation},
			{"an overlap over 30 days", admin, own, merchants.MaxRollOverlapHours + 1, merchants.ErrInvalidRoll, domain.CodeValidation},
			{"another merchant's key", auth.With(context.Background(), w.Actors["adminA2"].Principal), own, 1,
				merchants.ErrAPIKeyNotFound, domain.CodeNotFound},
			{"another PSP's staff", auth.With(context.Background(), w.Actors["staffB"].Principal), own, 1,
				merchants.ErrAPIKeyNotFound, domain.CodeNotFound},
		} {
			_, secret, err := keys.Roll(tc.ctx, tc.id, tc.hours)
			r, ok := domain.AsRefusal(err)
			if !errors.Is(err, tc.want) || !ok || r.Problems[0].Code != tc.code || secret != "" {
				t.Errorf("%s: %v, want %v (%s)", tc.name, err, tc.want, tc.code)
			}
		}
		if n := count(); n != before {
			t.Errorf("refused rolls made %d keys", n-before)
		}
		if _, _, err := keys.Roll(admin, own, merchants.MaxRollOverlapHours); err != nil {
			t.Fatal(err)
		}
		if _, _, err := keys.Roll(admin, own, 1); !errors.Is(err, merchants.ErrAPIKeyRolled) {
			t.Errorf("rolling a key twice: %v, want ErrAPIKeyRolled", err)
		}
	})
}

// TestNewKeyGetsLeastPrivilege: a key made without scopes may read orders only; every
// scope only when asked for.
func TestNewKeyGetsLeastPrivilege(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := newKeyFixture(t, d)
		w, keys, admin := f.w, f.keys, f.admin
		in := merchants.NewAPIKey{CompanyID: w.ByName["company A1/a"].ID, ShopID: w.ByName["shop A1/a"].ID, Name: "default"}
		k, _, err := keys.Create(admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(k.Scopes, []string{auth.ScopeOrdersRead}) {
			t.Errorf("a key made without scopes has %v, want [orders:read]", k.Scopes)
		}
		in.Name, in.Scopes = "all", auth.Scopes
		if k, _, err = keys.Create(admin, in); err != nil || !slices.Equal(k.Scopes, auth.Scopes) {
			t.Errorf("a key asking every scope: %v %v", k.Scopes, err)
		}
	})
}
