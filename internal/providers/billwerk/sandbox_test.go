package billwerk

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/conformance"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// rawCharge reads the charge as Reepay's JSON, to see what went over the wire.
func rawCharge(t *testing.T, e *env, handle string) charge {
	t.Helper()
	resp := conformance.Raw(t, http.MethodGet, e.Base+"/api/v1/charge/"+handle, testKey, "", "", nil)
	defer resp.Body.Close()
	var ch charge
	if err := json.NewDecoder(resp.Body).Decode(&ch); err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestDeclineTrigger(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	req := sessionReq("ord_decline_trigger")
	req.Shopper.LastName = "Decline-Me"
	sess, err := c.CreateSession(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := completeStrippingReepayParams(context.Background(), sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionApprove})
	if err != nil || loc != req.FailedURL {
		t.Fatalf("redirect %q (%v), want the failed URL", loc, err)
	}
	st, _ := c.FetchStatus(context.Background(), sess.ProviderReference)
	if st.State != providers.PaymentFailed || st.DeclineReason != "credit_card_declined" {
		t.Fatalf("status %+v", st)
	}
}

// Whole-quantity lines whose totals add up go over the wire as order lines with the
// VAT as a fraction; a fractional line turns the settle into an amount.
func TestLinesOnTheWire(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	ref := authorizedCharge(t, e, c)
	ch := rawCharge(t, e, ref)
	if len(ch.OrderLines) != 2 || ch.OrderLines[0].Quantity != 3 || ch.OrderLines[0].Amount != 4000 ||
		ch.OrderLines[0].VAT != "0.22" || ch.OrderLines[1].TotalAmount != 5100 || ch.Amount != 17100 {
		t.Fatalf("charge lines %+v", ch)
	}
	line := providers.Line{SKU: "A", Name: "Desk lamp", Quantity: money.Units(1), UnitPrice: eur("40.00"), VATRateBps: 2200, Total: eur("40.00")}
	if _, err := c.Capture(context.Background(), providers.CaptureRequest{ProviderReference: ref, OperationID: "ful_l", Amount: eur("40.00"), Lines: []providers.Line{line}}); err != nil {
		t.Fatal(err)
	}
	half := providers.Line{SKU: "B", Name: "Linen", Quantity: money.MustQuantity("0.5"), UnitPrice: eur("25.50"), VATRateBps: 2200, Total: eur("12.75")}
	if _, err := c.Capture(context.Background(), providers.CaptureRequest{ProviderReference: ref, OperationID: "ful_h", Amount: eur("12.75"), Lines: []providers.Line{half}}); err != nil {
		t.Fatal(err)
	}
	ch = rawCharge(t, e, ref)
	if ch.SettledAmount != 5275 || len(ch.OrderLines) != 3 || ch.OrderLines[2].Ordertext != "Desk lamp" {
		t.Fatalf("after settles: %+v", ch)
	}
}

// Against the live hosts partial cancel is off: a cancel of part of what is still
// authorised makes no call (the rest simply lapses), a cancel of all of it is Reepay's
// plain cancel.
func TestPartialCancelOff(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct, WithPartialCancel(false))
	ref := authorizedCharge(t, e, c)
	res, err := c.Refund(context.Background(), providers.RefundRequest{ProviderReference: ref, OperationID: "ref_p", CancelAmount: eur("51.00")})
	if err != nil || !strings.HasSuffix(res.ProviderOperationID, "/lapse") {
		t.Fatalf("%+v %v", res, err)
	}
	if ch := rawCharge(t, e, ref); ch.AuthorizedAmount != 17100 || ch.State != stateAuthorized {
		t.Fatalf("a lapsing cancel changed the charge: %+v", ch)
	}
	_, err = c.Refund(context.Background(), providers.RefundRequest{ProviderReference: ref, OperationID: "ref_o", CancelAmount: eur("171.01")})
	if err == nil {
		t.Fatal("over-cancel accepted")
	}
	if _, err := c.Refund(context.Background(), providers.RefundRequest{ProviderReference: ref, OperationID: "ref_f", CancelAmount: eur("171.00")}); err != nil {
		t.Fatal(err)
	}
	if ch := rawCharge(t, e, ref); ch.State != stateCancelled {
		t.Fatalf("state %s, want cancelled", ch.State)
	}
}

// A partial cancel repeated with the same operation releases once.
func TestPartialCancelIsIdempotent(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	ref := authorizedCharge(t, e, c)
	req := providers.RefundRequest{ProviderReference: ref, OperationID: "ref_twice", CancelAmount: eur("51.00")}
	for range 2 {
		if _, err := c.Refund(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := c.FetchStatus(context.Background(), ref)
	if st.Amount.Minor() != 12000 || st.Authorized.Minor() != 12000 {
		t.Fatalf("status %+v, want 120.00 owed and authorised", st)
	}
}

func TestUnauthorizedBody(t *testing.T) {
	e := newEnv(t)
	resp := conformance.Raw(t, http.MethodGet, e.Base+"/api/v1/charge/x", "priv_wrong", "", "", nil)
	defer resp.Body.Close()
	var body apiError
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 401 || body.HTTPStatus != 401 || body.HTTPReason != "Unauthorized" || body.Path != "/api/v1/charge/x" || body.RequestID == "" {
		t.Fatalf("%s %+v", resp.Status, body)
	}
}

func TestHostsAndPartialCancelDefault(t *testing.T) {
	cases := []struct {
		name           string
		c              *Client
		core, checkout string
		partialCancel  bool
	}{
		{"empty base URL is live", New(providers.Account{}), LiveCoreURL, LiveCheckoutURL, false},
		{"live core host is live", New(providers.Account{BaseURL: "https://api.reepay.com/v1/"}), LiveCoreURL, LiveCheckoutURL, false},
		{"sandbox serves both", New(providers.Account{BaseURL: "http://127.0.0.1:8080/sandbox/billwerk/"}),
			"http://127.0.0.1:8080/sandbox/billwerk/api", "http://127.0.0.1:8080/sandbox/billwerk/checkout", true},
		{"explicit live hosts turn partial cancel off", New(providers.Account{BaseURL: "http://x/sandbox/billwerk"}, WithBaseURLs(LiveCoreURL, LiveCheckoutURL)),
			LiveCoreURL, LiveCheckoutURL, false},
		{"explicit choice wins", New(providers.Account{}, WithPartialCancel(true)), LiveCoreURL, LiveCheckoutURL, true},
	}
	for _, tc := range cases {
		if tc.c.coreURL != tc.core || tc.c.checkoutURL != tc.checkout || *tc.c.partialCancel != tc.partialCancel {
			t.Errorf("%s: core %s checkout %s partial %v", tc.name, tc.c.coreURL, tc.c.checkoutURL, *tc.c.partialCancel)
		}
	}
}
