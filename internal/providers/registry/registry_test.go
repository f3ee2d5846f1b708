package registry_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/outbound"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
	"github.com/pspbackoffice/backoffice/internal/providers/registry"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxenv"
	"github.com/pspbackoffice/backoffice/internal/secrets"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestSandboxAccountsWorkAndStaySealed gives two PSPs their sandbox accounts, checks
// every stored credential is sealed (never in clear in the table), that each PSP's
// client talks to its sandbox over HTTP, and that one PSP's credentials cannot see
// the other's payments.
func TestSandboxAccountsWorkAndStaySealed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := auth.System(context.Background())
		box, _ := secrets.NewBox("registry-test-secret-0123456789abcdef")
		env := sandboxenv.Start(t, sandboxenv.Options{})
		reg := registry.New(d.Ent, box, false)
		pspA := d.Ent.PSP.Create().SetName("A").SaveX(ctx)
		pspB := d.Ent.PSP.Create().SetName("B").SaveX(ctx)
		for _, p := range []string{pspA.ID, pspB.ID} {
			if err := reg.EnsureSandbox(ctx, p, env.Sandboxes); err != nil {
				t.Fatal(err)
			}
		}
		if err := reg.EnsureSandbox(ctx, pspA.ID, env.Sandboxes); err != nil {
			t.Fatalf("ensuring twice: %v", err)
		}
		accounts := d.Ent.ProviderAccount.Query().AllX(ctx)
		if len(accounts) != 8 {
			t.Fatalf("want 4 accounts per PSP, got %d", len(accounts))
		}
		for _, a := range accounts {
			acct, err := reg.Account(ctx, a.PspID, a.Provider)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{acct.Username, acct.Password, acct.WebhookSecret} {
				if secret != "" && (bytes.Contains(a.CredentialsEnc, []byte(secret)) || bytes.Contains(a.WebhookSecretEnc, []byte(secret))) {
					t.Fatalf("%s credentials stored in clear", a.Provider)
				}
			}
		}

		billwerkA, err := reg.For(ctx, pspA.ID, domain.ProviderBillwerk)
		if err != nil {
			t.Fatal(err)
		}
		sess, err := billwerkA.CreateSession(ctx, sessionRequest())
		if err != nil {
			t.Fatalf("PSP A's sandbox session: %v", err)
		}
		if _, err := billwerkA.FetchStatus(ctx, sess.ProviderReference); err != nil {
			t.Fatalf("PSP A reads its own payment: %v", err)
		}
		billwerkB, _ := reg.For(ctx, pspB.ID, domain.ProviderBillwerk)
		if _, err := billwerkB.FetchStatus(ctx, sess.ProviderReference); !errors.Is(err, providers.ErrNotFound) {
			t.Fatalf("PSP B read PSP A's payment: %v", err)
		}
	})
}

func sessionRequest() providers.SessionRequest {
	return providers.SessionRequest{
		OrderID: "ord_test", Reference: "R-1",
		Amount:     mustEUR("10.00"),
		Shopper:    providers.Shopper{FirstName: "Mari", LastName: "Tamm", Email: "mari@example.com"},
		Billing:    providers.Address{Country: "EE"},
		SuccessURL: "https://shop.example/ok", FailedURL: "https://shop.example/failed",
		NotifyURL: "https://backoffice.example/webhooks/billwerk", ProductType: domain.ProductPayNowCard,
	}
}

func mustEUR(s string) money.Money { return money.MustParse(s, "EUR") }

// TestSandboxStoreKeepsCompositeKeys stores ids with the NUL separator the sandboxes
// use (PostgreSQL text refuses NUL) and reads and lists them back unchanged.
func TestSandboxStoreKeepsCompositeKeys(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		store := registry.SandboxStore{Client: d.Ent}
		id := "account\x00W-1234"
		if err := store.Put(ctx, "paywerk_order_ref", id, map[string]string{"paywerkId": "p1"}); err != nil {
			t.Fatal(err)
		}
		if err := store.Put(ctx, "paywerk_order_ref", id, map[string]string{"paywerkId": "p2"}); err != nil {
			t.Fatalf("replacing: %v", err)
		}
		var got map[string]string
		found, err := store.Get(ctx, "paywerk_order_ref", id, &got)
		if err != nil || !found || got["paywerkId"] != "p2" {
			t.Fatalf("get = %v %v %v", got, found, err)
		}
		ids, err := store.List(ctx, "paywerk_order_ref")
		if err != nil || len(ids) != 1 || ids[0] != id {
			t.Fatalf("list = %q, %v", ids, err)
		}
	})
}

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
