package registry_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/outbound"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
	"github.com/pspbackoffice/backoffice/internal/providers/registry"
	"github.com/pspbackoffice/backoffice/internal/secrets"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestLiveClientsRefuseInternalAddresses: a live account's base URL is what a
// PSP_ADMIN typed, so in live mode no provider client may reach the server's own
// network. A PSP_ADMIN points all four providers at a loopback HTTPS server; every
// client's call is refused at the dialer (outbound.ErrForbiddenAddress, a temporary
// provider error) and the server sees no request. (Sandbox mode reaches loopback:
// TestSandboxAccountsWorkAndStaySealed.)
func TestLiveClientsRefuseInternalAddresses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := auth.System(context.Background())
		box, _ := secrets.NewBox("registry-test-secret-0123456789abcdef")
		var hits atomic.Int64
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			hits.Add(1)
			http.Error(w, `{}`, http.StatusNotFound)
		}))
		t.Cleanup(srv.Close)
		pspID := d.Ent.PSP.Create().SetName("Live").SaveX(ctx).ID
		live := registry.New(d.Ent, box, true)
		for _, p := range catalog.All {
			if _, err := live.ConfigureLive(ctx, pspID, registry.LiveAccountInput{Provider: p, BaseURL: srv.URL,
				Username: "key", Password: "secret", WebhookSecret: "webhook-secret-0123456789"}); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			c, err := live.For(ctx, pspID, p)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.FetchStatus(ctx, "pay_1")
			if !errors.Is(err, outbound.ErrForbiddenAddress) || !errors.Is(err, providers.ErrTemporary) {
				t.Errorf("%s live client at %s: %v, want refused by outbound", p, srv.URL, err)
			}
		}
		if n := hits.Load(); n != 0 {
			t.Fatalf("the loopback server got %d requests from live clients", n)
		}

	})
}
