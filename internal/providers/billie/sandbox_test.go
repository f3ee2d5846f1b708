package billie

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/conformance"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

func eurs(s string) money.Money { return money.MustParse(s, Currency) }

func wantErr(t *testing.T, what string, err, class error) {
	t.Helper()
	if !errors.Is(err, class) {
		t.Fatalf("%s: %v, want %v", what, err, class)
	}
}

func (e *env) merchant(t *testing.T) string {
	t.Helper()
	a, err := e.client.ActivateMerchant(context.Background(), providers.Merchant{CompanyID: "cmp_" + t.Name(), LegalName: "Holz Kontor GmbH", Country: "DE"})
	if err != nil || a.Status != providers.ActivationActive || a.ExternalMerchantID == "" {
		t.Fatalf("activation: %+v, %v", a, err)
	}
	return a.ExternalMerchantID
}

// session is 2 × 59.50 (VAT 19 %) + 1.5 m × 20.00 (fractional, VAT 19 %) = 149.00.
func (e *env) session(t *testing.T, mid string, mutate func(*providers.SessionRequest)) (providers.SessionRequest, providers.Session) {
	t.Helper()
	id := sandboxkit.NewID("")[:10]
	req := providers.SessionRequest{OrderID: "ord_" + id, Reference: "R-" + id, ExternalMerchantID: mid, Amount: eurs("149.00"),
		Lines: []providers.Line{
			{SKU: "BOARD", Name: "Oak board", Quantity: money.Units(2), UnitPrice: eurs("59.50"), VATRateBps: 1900, Total: eurs("119.00")},
			{SKU: "ROPE", Name: "Rope, per metre", Quantity: money.MustQuantity("1.5"), UnitPrice: eurs("20.00"), VATRateBps: 1900, Total: eurs("30.00")},
		},
		Shopper:    providers.Shopper{FirstName: "Jana", LastName: "Kraus", Email: "jana@holz.example", CompanyName: "Tischlerei Kraus GmbH"},
		Billing:    providers.Address{Street: "Hauptstr. 1", City: "Köln", PostalCode: "50667", Country: "DE"},
		SuccessURL: "https://shop.example/ok", FailedURL: "https://shop.example/failed"}
	if mutate != nil {
		mutate(&req)
	}
	s, err := e.client.CreateSession(context.Background(), req)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return req, s
}

func (e *env) approve(t *testing.T, s providers.Session) string {
	t.Helper()
	loc, _, err := conformance.CompletePage(context.Background(), s.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionApprove})
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// authorized activates a merchant and answers it with an order its shopper approved
// (the standard session): where capture, refund and wire tests start.
func (e *env) authorized(t *testing.T) (merchantID, ref string) {
	t.Helper()
	mid := e.merchant(t)
	_, s := e.session(t, mid, nil)
	e.approve(t, s)
	return mid, s.ProviderReference
}

func TestActivation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := providers.Merchant{CompanyID: "cmp_9", LegalName: "Nord Metall GmbH", Country: "de"}
	a1, err := e.client.ActivateMerchant(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := e.client.ActivateMerchant(ctx, m)
	if err != nil || a2.ExternalMerchantID != a1.ExternalMerchantID {
		t.Fatalf("activating the same company twice: %+v, %v; want merchant %s again", a2, err, a1.ExternalMerchantID)
	}
	p, err := e.client.ActivateMerchant(ctx, providers.Merchant{CompanyID: "cmp_10", LegalName: "Pending Review AG", Country: "AT"})
	if err != nil || p.Status != providers.ActivationPending || p.ExternalMerchantID == "" {
		t.Fatalf("pending trigger: %+v, %v", p, err)
	}
	_, err = e.client.ActivateMerchant(ctx, providers.Merchant{CompanyID: "cmp_11", Country: "DE"})
	wantErr(t, "activation without a legal name", err, providers.ErrValidation)

	// Every later call carries an active merchant ID.
	_, err = e.client.CreateSession(ctx, providers.SessionRequest{Amount: eurs("10.00")})
	wantErr(t, "session without merchant ID", err, providers.ErrValidation)
	_, err = e.client.CreateSession(ctx, providers.SessionRequest{ExternalMerchantID: p.ExternalMerchantID, OrderID: "o1", Amount: eurs("10.00"),
		Shopper: providers.Shopper{CompanyName: "X GmbH"}, Billing: providers.Address{Country: "DE"},
		SuccessURL: "https://a.example/ok", FailedURL: "https://a.example/no"})
	wantErr(t, "session for a pending merchant", err, providers.ErrConflict)
	_, err = e.client.CreateSession(ctx, providers.SessionRequest{ExternalMerchantID: sandboxkit.NewUUID(), OrderID: "o1", Amount: eurs("10.00")})
	wantErr(t, "session for an unknown merchant", err, providers.ErrValidation)
}

func TestSessionRules(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mid := e.merchant(t)
	req, s := e.session(t, mid, nil)

	// Re-sending the same order while nobody paid renews the same order.
	again, err := e.client.CreateSession(ctx, req)
	if err != nil || again.ProviderReference != s.ProviderReference {
		t.Fatalf("same order id: %+v, %v", again, err)
	}
	o, _ := e.client.Order(ctx, s.ProviderReference)
	if o.State != StatePreWaiting || o.Amount.Gross.Amount() != "149.00" || o.Amount.Tax.Amount() != "23.79" || len(o.LineItems) != 1 {
		// tax: 119.00 → 19.00, 30.00 → 4.79; the 1.5 m line is not a Billie line item.
		t.Fatalf("order %+v", o)
	}
	e.approve(t, s)
	_, err = e.client.CreateSession(ctx, req)
	wantErr(t, "same order id after approval", err, providers.ErrConflict)

	for name, mutate := range map[string]func(*providers.SessionRequest){
		"no debtor company": func(r *providers.SessionRequest) { r.Shopper.CompanyName = "" },
		"relative URL":      func(r *providers.SessionRequest) { r.SuccessURL = "/ok" },
		"not EUR":           func(r *providers.SessionRequest) { r.Amount = money.MustParse("149.00", "CHF") },
	} {
		r := req
		r.OrderID += "-" + strings.ReplaceAll(name, " ", "")
		mutate(&r)
		_, err := e.client.CreateSession(ctx, r)
		wantErr(t, name, err, providers.ErrValidation)
	}
}

func TestDeclineTrigger(t *testing.T) {
	e := newEnv(t)
	mid := e.merchant(t)
	req, s := e.session(t, mid, func(r *providers.SessionRequest) { r.Shopper.CompanyName = "Decline Bau KG" })
	if loc := e.approve(t, s); loc != req.FailedURL {
		t.Fatalf("redirect %s", loc)
	}
	d := e.Receiver.WaitFor(t, s.ProviderReference, "", 1, 5*time.Second)[0]
	if d.Err != nil || d.Event.Kind != providers.EventFailed || !strings.Contains(string(d.Body), `"success":"false"`) {
		t.Fatalf("webhook %s → %+v, %v", d.Body, d.Event, d.Err)
	}
	st, _ := e.client.FetchStatus(context.Background(), s.ProviderReference)
	if st.State != providers.PaymentFailed || st.DeclineReason != DeclineRiskPolicy {
		t.Fatalf("status %+v", st)
	}
}

func TestCapturesSplitTaxAndEndExactly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mid, ref := e.authorized(t)
	capture := func(op string, amount string, lines ...providers.Line) (string, error) {
		r, err := e.client.Capture(ctx, providers.CaptureRequest{ProviderReference: ref, ExternalMerchantID: mid, OperationID: op, Amount: eurs(amount), Lines: lines})
		return r.ProviderOperationID, err
	}
	// A whole unit of the fractional order line is unknown to Billie: it goes by amount.
	if _, err := capture("inv-1", "20.00", providers.Line{SKU: "ROPE", Quantity: money.Units(1), VATRateBps: 1900, Total: eurs("20.00")}); err != nil {
		t.Fatal(err)
	}
	id2, err := capture("inv-2", "59.50", providers.Line{SKU: "BOARD", Quantity: money.Units(1), VATRateBps: 1900, Total: eurs("59.50")})
	if err != nil {
		t.Fatal(err)
	}
	// Same invoice number, same amount: Billie answers the invoice it has.
	if again, err := capture("inv-2", "59.50", providers.Line{SKU: "BOARD", Quantity: money.Units(1), VATRateBps: 1900, Total: eurs("59.50")}); err != nil || again != id2 {
		t.Fatalf("repeat: %s, %v; want %s", again, err, id2)
	}
	_, err = capture("inv-2", "10.00")
	wantErr(t, "same invoice number, other amount", err, providers.ErrConflict)
	if _, err := capture("inv-3", "69.50"); err != nil {
		t.Fatal(err)
	}
	o, _ := e.client.Order(ctx, ref)
	if o.State != StateShipped || !o.UnshippedAmount.Gross.IsZero() || !o.UnshippedAmount.Net.IsZero() || !o.UnshippedAmount.Tax.IsZero() {
		t.Fatalf("after capturing everything: %s, unshipped %+v", o.State, o.UnshippedAmount)
	}
	got := []string{}
	for _, iv := range o.Invoices {
		got = append(got, iv.Amount.Net.Amount()+"+"+iv.Amount.Tax.Amount())
	}
	// 20.00 by the order's ratio (23.79/149.00 → 3.19), 59.50 by its 19 % line, the rest exactly.
	if strings.Join(got, " ") != "16.81+3.19 50.00+9.50 58.40+11.10" {
		t.Fatalf("invoice net+tax = %v", got)
	}
	// Webhooks: invoice_created for each, order_shipped at the end.
	ds := e.Receiver.WaitFor(t, ref, "", 5, 5*time.Second)
	kinds := map[providers.EventKind]int{}
	for _, d := range ds {
		if d.Err != nil {
			t.Fatalf("webhook refused: %v", d.Err)
		}
		kinds[d.Event.Kind]++
	}
	if kinds[providers.EventAuthorized] != 1 || kinds[providers.EventCaptured] != 3 || kinds[providers.EventPaymentChanged] != 1 {
		t.Fatalf("events %v", kinds)
	}
}

func TestRefundSpreadsOverInvoicesAndRepeatsSafely(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mid, ref := e.authorized(t)
	for i, amt := range []string{"50.00", "60.00"} {
		if _, err := e.client.Capture(ctx, providers.CaptureRequest{ProviderReference: ref, ExternalMerchantID: mid,
			OperationID: "inv-" + string(rune('a'+i)), Amount: eurs(amt)}); err != nil {
			t.Fatal(err)
		}
	}
	refund := providers.RefundRequest{ProviderReference: ref, ExternalMerchantID: mid, OperationID: "ref_1",
		Amount: eurs("80.00"), ReturnAmount: eurs("80.00"), Reason: "returned"}
	r1, err := e.client.Refund(ctx, refund)
	if err != nil || strings.Count(r1.ProviderOperationID, ",") != 1 {
		t.Fatalf("refund over two invoices: %+v, %v", r1, err)
	}
	o, _ := e.client.Order(ctx, ref)
	if c := o.Invoices[1].CreditNotes; len(c) != 1 || c[0].Amount.Gross.Amount() != "60.00" {
		t.Fatalf("the newest invoice should be credited first: %+v", o.Invoices)
	}
	r2, err := e.client.Refund(ctx, refund)
	if err != nil || r2.ProviderOperationID != r1.ProviderOperationID {
		t.Fatalf("repeat: %+v, %v; want %s", r2, err, r1.ProviderOperationID)
	}
	st, _ := e.client.FetchStatus(ctx, ref)
	if st.Refunded.Amount() != "80.00" || st.Amount.Amount() != "69.00" {
		t.Fatalf("after the refund (twice): %+v", st)
	}
	refund.OperationID, refund.ReturnAmount, refund.Amount = "ref_2", eurs("30.01"), eurs("30.01")
	_, err = e.client.Refund(ctx, refund)
	wantErr(t, "refund above what is left", err, providers.ErrConflict)
}

func TestFullCancelBeforeCapture(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mid, ref := e.authorized(t)
	if _, err := e.client.Refund(ctx, providers.RefundRequest{ProviderReference: ref, ExternalMerchantID: mid, OperationID: "ref_c",
		Amount: eurs("149.00"), CancelAmount: eurs("149.00")}); err != nil {
		t.Fatal(err)
	}
	st, _ := e.client.FetchStatus(ctx, ref)
	if st.State != providers.PaymentCancelled || !st.Amount.IsZero() {
		t.Fatalf("status %+v", st)
	}
	var cancelled bool
	for _, d := range e.Receiver.WaitFor(t, ref, "", 2, 5*time.Second) {
		cancelled = cancelled || d.Event.Kind == providers.EventCancelled
	}
	if !cancelled {
		t.Fatal("no order_canceled webhook")
	}
	_, err := e.client.Capture(ctx, providers.CaptureRequest{ProviderReference: ref, ExternalMerchantID: mid, OperationID: "inv-x", Amount: eurs("1.00")})
	wantErr(t, "capture of a cancelled order", err, providers.ErrConflict)
}

func TestOrdersBelongToTheirPSP(t *testing.T) {
	e := newEnv(t)
	_, s := e.session(t, e.merchant(t), nil)
	other := New(providers.Account{BaseURL: e.Base, Username: "psp_7_other", Password: "other"})
	_, err := other.FetchStatus(context.Background(), s.ProviderReference)
	wantErr(t, "another PSP's order", err, providers.ErrNotFound)
}

func TestIntegerLineQuantitiesOnTheWire(t *testing.T) {
	e := newEnv(t)
	mid, ref := e.authorized(t)
	body := `{"merchant_id":"` + mid + `","orders":["` + ref + `"],"external_code":"inv-f",` +
		`"amount":{"net":10.00,"gross":11.90,"tax":1.90},"line_items":[{"external_id":"BOARD","quantity":0.5}]}`
	resp := conformance.Raw(t, http.MethodPost, e.Base+"/psp/invoices", testUser, testPass, body, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a fractional line quantity answered %s", resp.Status)
	}
}

func TestStatusMapsBothSpellingsOfCancelled(t *testing.T) {
	for _, state := range []string{StateCanceled, StateCancelled} {
		// A canned Billie answer: the provider's wire format, not our code.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sandboxkit.WriteJSON(w, http.StatusOK, map[string]any{"uuid": "u1", "state": state,
				"amount": map[string]any{"net": 0, "gross": 0, "tax": 0}, "invoices": []any{}})
		}))
		st, err := New(providers.Account{BaseURL: srv.URL}).FetchStatus(context.Background(), "u1")
		srv.Close()
		if err != nil || st.State != providers.PaymentCancelled {
			t.Fatalf("%s: %+v, %v", state, st, err)
		}
	}
}

func TestParseWebhook(t *testing.T) {
	h := http.Header{WebhookKeyHeader: {"k1"}}
	if _, err := ParseWebhook("", h, []byte(`{"order_id":"u","success":true}`)); !errors.Is(err, providers.ErrUnauthenticated) {
		t.Fatalf("no configured secret must refuse everything: %v", err)
	}
	ev, err := ParseWebhook("k1", h, []byte(`{"order_id":"u","success":true}`))
	if err != nil || ev.Kind != providers.EventAuthorized || ev.ProviderReference != "u" {
		t.Fatalf("boolean success: %+v, %v", ev, err)
	}
	ev2, _ := ParseWebhook("k1", h, []byte(`{ "success": "true", "order_id": "u" }`))
	if ev2.ID != ev.ID {
		t.Fatal("the same authorization in another layout got another id")
	}
	ev, err = ParseWebhook("k1", h, []byte(`{"created_at":"2026-11-21T10:00:00Z","event":"order_paid_out","order_id":"R-1","order_uuid":"u"}`))
	if err != nil || ev.Kind != providers.EventPaymentChanged || !ev.NeedsFetch || ev.OccurredAt.IsZero() {
		t.Fatalf("unmapped event: %+v, %v", ev, err)
	}
	for _, body := range []string{`{"order_id":"u","success":"yes"}`, `{"success":"true"}`, `[]`, `{"event":"x"}`,
		`{"event":"invoice_created","order_uuid":"u","amount":{"net":1,"gross":3,"tax":1}}`} {
		if _, err := ParseWebhook("k1", h, []byte(body)); !errors.Is(err, providers.ErrValidation) {
			t.Errorf("%s: %v, want ErrValidation", body, err)
		}
	}
}

// A RETURN of lines no one invoice holds is split by lines over the invoices: every
// credit note names what it returns, so Billie's returned quantities follow the
// money (credit notes by amount alone left them at 0 while we counted the return).
func TestReturnOfLinesOverTwoInvoicesKeepsQuantities(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mid, ref := e.authorized(t)
	board := func(n int64, total string) providers.Line {
		return providers.Line{SKU: "BOARD", Name: "Oak board", Quantity: money.Units(n), UnitPrice: eurs("59.50"), VATRateBps: 1900, Total: eurs(total)}
	}
	for _, op := range []string{"inv-a", "inv-b"} {
		if _, err := e.client.Capture(ctx, providers.CaptureRequest{ProviderReference: ref, ExternalMerchantID: mid,
			OperationID: op, Amount: eurs("59.50"), Lines: []providers.Line{board(1, "59.50")}}); err != nil {
			t.Fatal(err)
		}
	}
	refund := providers.RefundRequest{ProviderReference: ref, ExternalMerchantID: mid, OperationID: "ref_1", Amount: eurs("119.00"),
		Lines: []providers.RefundLine{{Line: board(2, "119.00"), Kind: providers.RefundReturn}}, Reason: "returned"}
	r1, err := e.client.Refund(ctx, refund)
	if err != nil {
		t.Fatal(err)
	}
	if r2, err := e.client.Refund(ctx, refund); err != nil || r2.ProviderOperationID != r1.ProviderOperationID {
		t.Fatalf("repeat: %+v, %v; want %s", r2, err, r1.ProviderOperationID)
	}
	st, err := e.client.FetchStatus(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if st.Refunded.Amount() != "119.00" {
		t.Fatalf("refunded %s", st.Refunded)
	}
	for _, it := range st.Items {
		if it.SKU == "BOARD" && (it.Fulfilled != money.Units(2) || it.Returned != money.Units(2)) {
			t.Fatalf("BOARD at Billie: fulfilled %s returned %s; want 2 and 2", it.Fulfilled, it.Returned)
		}
	}
}
