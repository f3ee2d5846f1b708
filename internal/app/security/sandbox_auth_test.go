package security_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
	"github.com/pspbackoffice/backoffice/internal/providers/conformance"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// Finding 1: the sandbox controls answered anyone, their notifications showed the
// Paywerk / Billwerk+ API key as "account", faults had no cap and no account, and
// sandbox_records kept the provider's side in plaintext.
func TestSandboxControlsNeedAPSPAdmin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := start(t, d)
		pspA := h.world.ByName["psp A"].ID
		mine := catalog.SandboxAccountID(pspA)
		for _, path := range []string{"/sandbox/paywerk/_sandbox/notifications", "/sandbox/billwerk/_sandbox/faults"} {
			for _, c := range []struct {
				actor string
				want  int
			}{{"", http.StatusUnauthorized}, {"adminA1", http.StatusForbidden}, {"viewerA1", http.StatusForbidden},
				{"operatorA", http.StatusForbidden}, {"keyA1", http.StatusForbidden}, {"staffA", http.StatusOK}} {
				tok := ""
				if c.actor != "" {
					tok = h.credential(c.actor)
				}
				if got := h.do("GET", path, tok, nil, nil); got.status != c.want {
					t.Errorf("GET %s as %q: %d %s, want %d", path, c.actor, got.status, got.body, c.want)
				}
			}
		}
		// simulate (docs/reconciliation.md) changes a provider's side: PSP admins only,
		// and only their own payments (another's is as unknown as none).
		for _, c := range []struct {
			actor string
			want  int
		}{{"", http.StatusUnauthorized}, {"adminA1", http.StatusForbidden}, {"operatorA", http.StatusForbidden},
			{"keyA1", http.StatusForbidden}, {"staffA", http.StatusNotFound}} {
			tok := ""
			if c.actor != "" {
				tok = h.credential(c.actor)
			}
			simulate := jsonBody(map[string]any{"providerReference": "no-such-payment", "event": "refund", "amount": "10.00"})
			if got := h.do("POST", "/sandbox/billie/_sandbox/simulate", tok, simulate, nil); got.status != c.want {
				t.Errorf("POST simulate as %q: %d %s, want %d", c.actor, got.status, got.body, c.want)
			}
		}
		faults := "/sandbox/paywerk/_sandbox/faults"
		if got := h.do("POST", faults, "", jsonBody(map[string]any{"account": mine, "kind": "conflict"}), nil); got.status != http.StatusUnauthorized {
			t.Errorf("anonymous POST fault: %d, want 401", got.status)
		}
		// A session cookie counts under the API's cross-site rule: a form post cannot add faults.
		cookie := http.Header{"Cookie": {auth.CookieName + "=" + h.credential("staffA")}, "Content-Type": {"text/plain"}}
		if got := h.do("POST", faults, "", strings.NewReader(`{"account":"`+mine+`","kind":"conflict"}`), cookie); got.status != http.StatusForbidden {
			t.Errorf("cross-site cookie POST fault: %d %s, want 403", got.status, got.body)
		}
		staff := h.credential("staffA")
		for _, c := range []struct {
			name string
			body any
			want int
		}{
			{"without an account", map[string]any{"kind": "conflict"}, http.StatusBadRequest},
			{"on another PSP's account", map[string]any{"account": catalog.SandboxAccountID(h.world.ByName["psp B"].ID), "kind": "conflict"}, http.StatusForbidden},
			{"on its own account", map[string]any{"account": mine, "kind": "conflict", "operation": "refund"}, http.StatusCreated},
		} {
			if got := h.do("POST", faults, staff, jsonBody(c.body), nil); got.status != c.want {
				t.Errorf("POST fault %s: %d %s, want %d", c.name, got.status, got.body, c.want)
			}
		}
		var over []map[string]any
		for range sandboxkit.MaxFaultsPerAccount {
			over = append(over, map[string]any{"account": mine, "kind": "conflict", "operation": "refund"})
		}
		if got := h.do("POST", faults, staff, jsonBody(over), nil); got.status != http.StatusTooManyRequests {
			t.Errorf("POST past the per-account cap: %d, want 429", got.status)
		}
		if n := len(h.app.Sandboxes.Faults[domain.ProviderPaywerk].List()); n != 1 {
			t.Errorf("%d faults after the refused ones, want 1", n)
		}
		if got := h.do("GET", faults, h.credential("staffB"), nil, nil); strings.Contains(string(got.body), mine) {
			t.Errorf("PSP B's admin sees PSP A's faults: %s", got.body)
		}
		// The shopper-facing page stays public: an unknown checkout is 404, not 401.
		if got := h.do("GET", "/sandbox/paywerk/checkout/nothing-here", "", nil, nil); got.status != http.StatusNotFound {
			t.Errorf("GET a payment page anonymously: %d, want 404", got.status)
		}
	})
}

// TestSandboxShowsNoCredentials: after a real Paywerk payment at the in-process
// sandbox, its notification names the account by id, and neither the notifications
// nor sandbox_records contain the API key.
func TestSandboxShowsNoCredentials(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := start(t, d)
		pspA := h.world.ByName["psp A"].ID
		acct := h.app.Sandboxes.Account(pspA, domain.ProviderPaywerk)
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
		t.Cleanup(rcv.Close)
		client, err := catalog.Client(domain.ProviderPaywerk, acct, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		act, err := client.ActivateMerchant(ctx, providers.Merchant{CompanyID: "cmp_sec", LegalName: "Turva OÜ", Country: "EE"})
		if err != nil {
			t.Fatal(err)
		}
		eur := func(s string) money.Money { return money.MustParse(s, "EUR") }
		sess, err := client.CreateSession(ctx, providers.SessionRequest{OrderID: "ord_sec1", Reference: "SEC-1",
			ExternalMerchantID: act.ExternalMerchantID, ProductTypes: client.Capabilities().ProductTypes, Amount: eur("171.00"),
			Lines:      []providers.Line{{SKU: "A", Name: "Lamp", Quantity: money.Units(1), UnitPrice: eur("171.00"), VATRateBps: 2200, Total: eur("171.00")}},
			Shopper:    providers.Shopper{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Phone: "+37255555555", Lang: "en"},
			Billing:    providers.Address{Street: "Narva mnt 5", City: "Tallinn", PostalCode: "10117", Country: "EE"},
			SuccessURL: rcv.URL + "/ok", FailedURL: rcv.URL + "/failed", NotifyURL: rcv.URL + "/notify"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := conformance.CompletePage(ctx, sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionApprove, ProductType: string(domain.ProductInvoice)}); err != nil {
			t.Fatal(err)
		}
		h.app.Sandboxes.Notifiers[domain.ProviderPaywerk].Wait()

		got := h.do("GET", "/sandbox/paywerk/_sandbox/notifications", h.credential("staffA"), nil, nil)
		var out struct{ Attempts []sandboxkit.Attempt }
		if err := json.Unmarshal(got.body, &out); err != nil || len(out.Attempts) == 0 {
			t.Fatalf("notifications: %d %s", got.status, got.body)
		}
		if strings.Contains(string(got.body), acct.Username) || out.Attempts[0].Account != catalog.SandboxAccountID(pspA) {
			t.Fatalf("notifications show %q, want the account id %q and never the key", out.Attempts[0].Account, catalog.SandboxAccountID(pspA))
		}
		if other := h.do("GET", "/sandbox/paywerk/_sandbox/notifications", h.credential("staffB"), nil, nil); strings.Contains(string(other.body), "SEC-1") || strings.Contains(string(other.body), pspA) {
			t.Fatalf("PSP B's admin sees PSP A's notifications: %s", other.body)
		}

		rows, err := d.SQL.QueryContext(ctx, "SELECT key, value FROM sandbox_records WHERE namespace = 'sandbox'")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var key string
			var value []byte
			if err := rows.Scan(&key, &value); err != nil {
				t.Fatal(err)
			}
			n++
			if strings.Contains(key, acct.Username) || strings.Contains(string(value), acct.Username) || json.Valid(value) {
				t.Errorf("sandbox_records %q is not sealed or names the key: %.80q", key, value)
			}
		}
		if n == 0 {
			t.Fatal("no sandbox_records written")
		}
	})
}
