package billwerk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/conformance"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

const (
	testKey     = "priv_11111111111111111111111111111111"
	testTimeout = 500 * time.Millisecond
)

// env is a sandbox mounted where the server mounts it, behind a real HTTP server.
type env struct {
	*conformance.Mounted
	acct  providers.Account
	store sandboxkit.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{store: sandboxkit.NewMemoryStore()}
	e.Mounted = conformance.Mount(t, providers.Billwerk, sandboxkit.NotifierConfig{
		Client: &http.Client{Timeout: 2 * time.Second}, Retry: sandboxkit.TestRetry,
	}, func(cfg sandboxkit.Config, recv *conformance.Receiver) http.Handler {
		cfg.Authenticate = sandboxkit.AcceptOnly(sandboxkit.Credential{User: testKey})
		cfg.Store = e.store
		return NewSandbox(SandboxConfig{Config: cfg, NotifyURL: recv.NotifyURL(providers.Billwerk), WebhookSecret: testSecret})
	})
	e.Faults.MaxHang = 3 * time.Second
	e.acct = providers.Account{BaseURL: e.Base, Username: testKey, WebhookSecret: testSecret}
	return e
}

func (e *env) client(acct providers.Account, opts ...Option) *Client {
	return New(acct, append([]Option{WithTimeout(testTimeout), WithRetry(3, 5*time.Millisecond)}, opts...)...)
}

func TestConformance(t *testing.T) {
	e := newEnv(t)
	conformance.Run(t, e.Harness(conformance.Harness{
		Client:       e.client(e.acct),
		Account:      e.acct,
		NewClient:    func(a providers.Account) providers.Provider { return e.client(a) },
		Timeout:      testTimeout,
		FaultAccount: testKey,
		Merchant:     providers.Merchant{CompanyID: "cmp_1", LegalName: "Conformance Trading GmbH", Country: "DE"},
		Complete:     completeStrippingReepayParams,
		Forge:        forgeWebhooks,
	}))
}

// completeStrippingReepayParams completes the payment window and checks that the
// redirect carries Reepay's own query parameters (the invoice handle and session id),
// then removes them so the suite sees the URL it gave.
func completeStrippingReepayParams(ctx context.Context, redirectURL string, form sandboxkit.PageForm) (string, error) {
	loc, _, err := conformance.CompletePage(ctx, redirectURL, form)
	if err != nil {
		return loc, err
	}
	u, err := url.Parse(loc)
	if err != nil {
		return loc, err
	}
	q := u.Query()
	if q.Get("invoice") == "" || q.Get("id") == "" {
		return loc, fmt.Errorf("redirect %s lacks Reepay's invoice and id parameters", loc)
	}
	for _, k := range []string{"invoice", "id", "customer"} {
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// forgeWebhooks makes the forgeries a Reepay webhook must be refused for.
func forgeWebhooks(genuine conformance.Delivery) []conformance.Delivery {
	var w Webhook
	if err := json.Unmarshal(genuine.Body, &w); err != nil {
		return []conformance.Delivery{{Header: genuine.Header, Body: []byte("not json")}}
	}
	mk := func(f func(w *Webhook)) conformance.Delivery {
		c := w
		f(&c)
		b, _ := json.Marshal(c)
		return conformance.Delivery{Header: genuine.Header, Body: b}
	}
	return []conformance.Delivery{
		mk(func(w *Webhook) { w.Signature = Sign("guessed-secret", w.Timestamp, w.ID) }),                  // wrong key
		mk(func(w *Webhook) { w.Signature = "00" + w.Signature[2:] }),                                     // forged signature
		mk(func(w *Webhook) { w.ID += "x" }),                                                              // another webhook id
		mk(func(w *Webhook) { w.Timestamp = Timestamp(time.Now().Add(time.Hour)) }),                       // another time
		mk(func(w *Webhook) { w.Signature = "" }),                                                         // unsigned
		{Header: genuine.Header, Body: []byte(`{"id":"` + w.ID + `","signature":"` + w.Signature + `"}`)}, // parts missing
		{Header: genuine.Header, Body: []byte("invoice=" + w.Invoice)},                                    // wrong shape
	}
}

// TestSettleRetriesWithTheSameKey: a settle that meets a 5xx is repeated with the same
// key, and the money moves once.
func TestSettleRetriesWithTheSameKey(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	ref := authorizedCharge(t, e, c)
	if _, err := e.Faults.Add(sandboxkit.Fault{Account: testKey, Operation: sandboxkit.OpCapture, Kind: sandboxkit.FaultStatus5xx, Count: 2}); err != nil {
		t.Fatal(err)
	}
	req := providers.CaptureRequest{ProviderReference: ref, OperationID: "ful_retry", Amount: eur("50.00")}
	res, err := c.Capture(context.Background(), req)
	if err != nil {
		t.Fatalf("Capture after two 5xx: %v", err)
	}
	// The same operation again (our crash-recovery job) answers the same settle.
	again, err := c.Capture(context.Background(), req)
	if err != nil || again.ProviderOperationID != res.ProviderOperationID {
		t.Fatalf("repeat: %+v %v, first %+v", again, err, res)
	}
	st, err := c.FetchStatus(context.Background(), ref)
	if err != nil || st.Captured.Minor() != 5000 {
		t.Fatalf("captured %s (%v), want 50.00 once", st.Captured, err)
	}
}

// TestCallsWithoutKeyAreNotRetried: session creation and status reads carry no key, so
// one temporary failure is answered as such.
func TestCallsWithoutKeyAreNotRetried(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	f, _ := e.Faults.Add(sandboxkit.Fault{Account: testKey, Operation: sandboxkit.OpCreateSession, Kind: sandboxkit.FaultStatus5xx, Count: 5})
	_, err := c.CreateSession(context.Background(), sessionReq("ord_nokey"))
	if !errors.Is(err, providers.ErrTemporary) {
		t.Fatalf("err = %v, want ErrTemporary", err)
	}
	if used := e.Faults.List()[0].Used; used != 1 || e.Faults.List()[0].ID != f.ID {
		t.Fatalf("the call was sent %d times, want once", used)
	}
}

func TestErrorCodesMapToClasses(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	ref := authorizedCharge(t, e, c)
	ctx := context.Background()
	cases := []struct {
		name  string
		call  func() error
		code  string
		class error
	}{
		{"settle above authorized is 102", func() error {
			_, err := c.Capture(ctx, providers.CaptureRequest{ProviderReference: ref, OperationID: "ful_a", Amount: eur("171.01")})
			return err
		}, "102", providers.ErrConflict},
		{"refund before settle is 109", func() error {
			_, err := c.Refund(ctx, providers.RefundRequest{ProviderReference: ref, OperationID: "ref_a", ReturnAmount: eur("1.00")})
			return err
		}, "109", providers.ErrConflict},
		{"unknown invoice is 31", func() error {
			_, err := c.FetchStatus(ctx, "no-such-handle")
			return err
		}, "31", providers.ErrNotFound},
		{"same handle, other amount is 11", func() error {
			r := sessionReq("ord_dup")
			if _, err := c.CreateSession(ctx, r); err != nil {
				return err
			}
			r.Amount, r.Lines = eur("1.00"), nil
			_, err := c.CreateSession(ctx, r)
			return err
		}, "11", providers.ErrConflict},
		{"new session for an authorized invoice is 105", func() error {
			r := sessionReq(ref)
			_, err := c.CreateSession(ctx, r)
			return err
		}, "105", providers.ErrConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var pe *providers.Error
			if !errors.As(err, &pe) || !errors.Is(err, tc.class) || pe.Code != tc.code {
				t.Fatalf("err = %v, want code %s class %v", err, tc.code, tc.class)
			}
		})
	}
	// After all that, the charge is untouched.
	st, err := c.FetchStatus(ctx, ref)
	if err != nil || st.Captured.Minor() != 0 || st.Refunded.Minor() != 0 || st.State != providers.PaymentAuthorized {
		t.Fatalf("status %+v %v", st, err)
	}
}

// TestSettleDeclineIsDeclined: an acquirer decline is HTTP 200 with error_state, which
// the client turns into ErrDeclined; the first settle's decline fails the charge.
func TestSettleDeclineIsDeclined(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	ref := authorizedCharge(t, e, c)
	_, _ = e.Faults.Add(sandboxkit.Fault{Account: testKey, Operation: sandboxkit.OpCapture, Kind: sandboxkit.FaultDecline, Count: 1})
	_, err := c.Capture(context.Background(), providers.CaptureRequest{ProviderReference: ref, OperationID: "ful_d", Amount: eur("10.00")})
	if !errors.Is(err, providers.ErrDeclined) {
		t.Fatalf("err = %v, want ErrDeclined", err)
	}
	st, _ := c.FetchStatus(context.Background(), ref)
	if st.State != providers.PaymentFailed || st.Captured.Minor() != 0 {
		t.Fatalf("status %+v", st)
	}
}

// TestFullCancelOfAnAuthorizedCharge: releasing everything is Reepay's plain cancel.
func TestFullCancelOfAnAuthorizedCharge(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	ref := authorizedCharge(t, e, c)
	req := providers.RefundRequest{ProviderReference: ref, OperationID: "ref_all", CancelAmount: eur("171.00"), Amount: eur("171.00")}
	if _, err := c.Refund(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Refund(context.Background(), req); err != nil {
		t.Fatalf("a repeated cancel must succeed: %v", err)
	}
	st, _ := c.FetchStatus(context.Background(), ref)
	if st.State != providers.PaymentCancelled || !st.Amount.IsZero() {
		t.Fatalf("status %+v", st)
	}
}

func eur(s string) money.Money { return money.MustParse(s, "EUR") }

func sessionReq(orderID string) providers.SessionRequest {
	return providers.SessionRequest{
		OrderID: orderID, Reference: "REF-" + orderID, Amount: eur("171.00"),
		Lines: []providers.Line{
			{SKU: "A", Name: "Desk lamp", Quantity: money.Units(3), UnitPrice: eur("40.00"), VATRateBps: 2200, Total: eur("120.00")},
			{SKU: "B", Name: "Linen", Quantity: money.Units(2), UnitPrice: eur("25.50"), VATRateBps: 2200, Total: eur("51.00")},
		},
		Shopper:    providers.Shopper{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
		SuccessURL: "https://shop.example/ok", FailedURL: "https://shop.example/failed",
	}
}

// authorizedCharge creates a session and approves it on the payment window.
func authorizedCharge(t *testing.T, e *env, c *Client) string {
	t.Helper()
	req := sessionReq(sandboxkit.NewID("ord_"))
	sess, err := c.CreateSession(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := completeStrippingReepayParams(context.Background(), sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	return sess.ProviderReference
}
