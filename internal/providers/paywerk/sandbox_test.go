package paywerk

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/conformance"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

func eurs(s string) money.Money { return money.MustParse(s, Currency) }

func (e *env) session(t *testing.T, mutate func(*providers.SessionRequest)) (providers.SessionRequest, providers.Session) {
	t.Helper()
	req := providers.SessionRequest{
		Reference: "W-" + sandboxkit.NewID("")[:8], Amount: eurs("150.00"),
		Lines: []providers.Line{
			{SKU: "A", Name: "Chair", Quantity: money.Units(3), UnitPrice: eurs("30.00"), VATRateBps: 2200, Total: eurs("90.00")},
			{SKU: "B", Name: "Cloth", Quantity: money.Units(2), UnitPrice: eurs("30.00"), VATRateBps: 2200, Total: eurs("60.00")},
		},
		Shopper:    providers.Shopper{FirstName: "Mari", LastName: "Maasikas", Email: "mari@example.ee", Phone: "+37255555555", Lang: "et"},
		Billing:    providers.Address{Street: "Pikk 1", City: "Tallinn", PostalCode: "10123", Country: "EE"},
		SuccessURL: "https://shop.example/ok", FailedURL: "https://shop.example/failed",
		NotifyURL: e.Receiver.NotifyURL(providers.Paywerk),
	}
	if mutate != nil {
		mutate(&req)
	}
	sess, err := e.client.CreateSession(context.Background(), req)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return req, sess
}

func (e *env) pay(t *testing.T, sess providers.Session, pt domain.ProductType) string {
	t.Helper()
	loc, _, err := conformance.CompletePage(context.Background(), sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionApprove, ProductType: string(pt)})
	if err != nil {
		t.Fatalf("paying with %s: %v", pt, err)
	}
	return loc
}

func wantErr(t *testing.T, what string, err, class error) {
	t.Helper()
	if !errors.Is(err, class) {
		t.Fatalf("%s: %v, want %v", what, err, class)
	}
}

func TestSameReferenceUpdatesUntilTheShopperContinues(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req, first := e.session(t, nil)
	req.Amount = eurs("120.00")
	req.Lines = req.Lines[:1]
	req.Lines[0].Total, req.Lines[0].Quantity = eurs("120.00"), money.Units(4)
	second, err := e.client.CreateSession(ctx, req)
	if err != nil || second.ProviderReference != first.ProviderReference {
		t.Fatalf("update with the same reference: %+v, %v; want the same paywerkId %s", second, err, first.ProviderReference)
	}
	d, _ := e.client.Order(ctx, first.ProviderReference)
	if d.Amount.Amount() != "120.00" || len(d.Items) != 1 || d.Items[0].Quantity.String() != "4" {
		t.Fatalf("the update did not replace the order: %+v", d)
	}
	// The shopper opens the page: from now on the reference is taken.
	resp, err := http.Get(first.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	st, _ := e.client.FetchStatus(ctx, first.ProviderReference)
	if !st.ShopperContinued {
		t.Fatal("opening the page did not mark the order continued")
	}
	_, err = e.client.CreateSession(ctx, req)
	wantErr(t, "same reference after the shopper continued", err, providers.ErrConflict)
	var pe *providers.Error
	if errors.As(err, &pe); pe.Code != CodeOrderContinued {
		t.Fatalf("code %q", pe.Code)
	}
	req.Reference += "-2"
	if s3, err := e.client.CreateSession(ctx, req); err != nil || s3.ProviderReference == first.ProviderReference {
		t.Fatalf("a new reference: %+v, %v; want a new order", s3, err)
	}
}

func TestOrderRequestValidation(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		mutate func(*providers.SessionRequest)
	}{
		{"amount differs from the items", func(r *providers.SessionRequest) { r.Amount = eurs("150.01") }},
		{"currency other than EUR", func(r *providers.SessionRequest) {
			r.Amount = money.MustParse("150.00", "USD")
		}},
		{"language other than en or et", func(r *providers.SessionRequest) { r.Shopper.Lang = "de" }},
		{"phone not E.164", func(r *providers.SessionRequest) { r.Shopper.Phone = "5555 5555" }},
		{"email without domain", func(r *providers.SessionRequest) { r.Shopper.Email = "mari@" }},
		{"billing country missing", func(r *providers.SessionRequest) { r.Billing.Country = "" }},
		{"relative success URL", func(r *providers.SessionRequest) { r.SuccessURL = "/ok" }},
		{"no reference", func(r *providers.SessionRequest) { r.Reference, r.OrderID = "", "" }},
		{"unknown product type", func(r *providers.SessionRequest) { r.ProductType = "CRYPTO" }},
		{"same sku twice", func(r *providers.SessionRequest) { r.Lines[1].SKU = "A" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base, _ := e.session(t, nil)
			base.Reference += "-x" // a fresh order, not an update
			c.mutate(&base)
			_, err := e.client.CreateSession(context.Background(), base)
			wantErr(t, c.name, err, providers.ErrValidation)
		})
	}
}

func TestNoItemsGetsOneSummarisingItem(t *testing.T) {
	e := newEnv(t)
	_, sess := e.session(t, func(r *providers.SessionRequest) { r.Lines = nil; r.Amount = eurs("1238.16") })
	d, err := e.client.Order(context.Background(), sess.ProviderReference)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 1 || d.Items[0].TotalAmount.Amount() != "1238.16" || d.Items[0].Quantity.String() != "1" {
		t.Fatalf("items = %+v, want one item covering 1238.16", d.Items)
	}
}

func TestAmountsTravelAsPlainNumbers(t *testing.T) {
	b, _ := json.Marshal(OrderRequestFor(providers.SessionRequest{Amount: eurs("1238.16"),
		Lines: []providers.Line{{SKU: "A", Quantity: money.MustQuantity("0.5"), UnitPrice: eurs("10.05"), Total: eurs("5.03"), VATRateBps: 2200}}}))
	for _, want := range []string{`"amount":1238.16`, `"quantity":0.5`, `"unitPrice":10.05`, `"vatRate":"22.00"`, `"lang":"en"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	var a Amount
	if err := json.Unmarshal([]byte(`1e3`), &a); err == nil {
		t.Error("an exponent was accepted")
	}
	if err := json.Unmarshal([]byte(`10.005`), &a); !errors.Is(err, money.ErrTooManyDecimals) {
		t.Errorf("3 decimals: %v", err)
	}
}

// postForm submits the page form and answers the status and Location.
func postForm(t *testing.T, pageURL string, f sandboxkit.PageForm) (int, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(pageURL, mustValues(f.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func mustValues(s string) url.Values { v, _ := url.ParseQuery(s); return v }

func TestPayLaterOnlyFor100To2000EUR(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	small := func(r *providers.SessionRequest) {
		r.Amount, r.Lines = eurs("99.99"), nil
	}
	_, sess := e.session(t, small)
	_, page, err := conformance.CompletePage(ctx, sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionDecline})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, `value="INVOICE" disabled`) || !strings.Contains(page, `value="SLICE" disabled`) || strings.Contains(page, `value="PAY_NOW_CARD" disabled`) {
		t.Fatalf("page for 99.99 EUR should disable INVOICE and SLICE:\n%s", page)
	}

	_, sess = e.session(t, small)
	if code, _ := postForm(t, sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionApprove, ProductType: "SLICE"}); code != http.StatusUnprocessableEntity {
		t.Fatalf("SLICE for 99.99 EUR answered %d", code)
	}
	if st, _ := e.client.FetchStatus(ctx, sess.ProviderReference); st.State != providers.PaymentPending {
		t.Fatalf("a refused choice changed the state to %s", st.State)
	}
	// Without a choice, the only choosable product (pay now) is taken.
	if code, loc := postForm(t, sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionApprove}); code != http.StatusSeeOther || loc != "https://shop.example/ok" {
		t.Fatalf("approve without a choice: %d to %s", code, loc)
	}
	st, _ := e.client.FetchStatus(ctx, sess.ProviderReference)
	if st.State != providers.PaymentAuthorized || st.ProductType != domain.ProductPayNowCard {
		t.Fatalf("status %+v", st)
	}

	// displayedProductTypes restricts what the shopper may choose.
	_, sess = e.session(t, func(r *providers.SessionRequest) { r.ProductType = domain.ProductSlice })
	if code, _ := postForm(t, sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionApprove, ProductType: "PAY_NOW_CARD"}); code != http.StatusUnprocessableEntity {
		t.Fatalf("a product outside displayedProductTypes answered %d", code)
	}
	e.pay(t, sess, domain.ProductSlice)
}

func TestDeclineTriggerInLastName(t *testing.T) {
	e := newEnv(t)
	req, sess := e.session(t, func(r *providers.SessionRequest) { r.Shopper.LastName = "Decline" })
	if loc := e.pay(t, sess, domain.ProductInvoice); loc != req.FailedURL {
		t.Fatalf("redirected to %s", loc)
	}
	st, _ := e.client.FetchStatus(context.Background(), sess.ProviderReference)
	if st.State != providers.PaymentFailed || st.DeclineReason != FailureRiskDecision {
		t.Fatalf("status %+v", st)
	}
}

func TestOrdersBelongToTheirKey(t *testing.T) {
	e := newEnv(t)
	_, sess := e.session(t, nil)
	other := New(providers.Account{BaseURL: e.Base, Username: "pw_test_key_other_shop"})
	_, err := other.FetchStatus(context.Background(), sess.ProviderReference)
	wantErr(t, "another shop's order", err, providers.ErrNotFound)
}

func TestCaptureAndRefundNeedLines(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, sess := e.session(t, nil)
	_, err := e.client.Capture(ctx, providers.CaptureRequest{ProviderReference: sess.ProviderReference, Amount: eurs("10.00")})
	wantErr(t, "capture by amount", err, providers.ErrValidation)
	_, err = e.client.Refund(ctx, providers.RefundRequest{ProviderReference: sess.ProviderReference, Amount: eurs("10.00")})
	wantErr(t, "refund by amount", err, providers.ErrValidation)
}

func TestFractionalPartsAddUpToTheLine(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, sess := e.session(t, func(r *providers.SessionRequest) {
		r.Amount = eurs("99.99")
		r.Lines = []providers.Line{{SKU: "F", Name: "Fabric", Quantity: money.Units(3), UnitPrice: eurs("33.33"), Total: eurs("99.99")}}
	})
	e.pay(t, sess, domain.ProductPayNowCard)
	ref := sess.ProviderReference
	line := func(q string) []providers.Line {
		return []providers.Line{{SKU: "F", Quantity: money.MustQuantity(q)}}
	}
	if _, err := e.client.Capture(ctx, providers.CaptureRequest{ProviderReference: ref, Lines: line("0.5")}); err != nil {
		t.Fatal(err)
	}
	// round_half_up(33.33 × 0.5) = 16.67
	if st, _ := e.client.FetchStatus(ctx, ref); st.Captured.Amount() != "16.67" {
		t.Fatalf("captured %s, want 16.67", st.Captured)
	}
	// The last part takes exactly what is left: 99.99 − 16.67 = 83.32 (not 83.33).
	if _, err := e.client.Capture(ctx, providers.CaptureRequest{ProviderReference: ref, Lines: line("2.5")}); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.client.FetchStatus(ctx, ref); st.Captured.Amount() != "99.99" {
		t.Fatalf("captured %s, want 99.99", st.Captured)
	}
	if _, err := e.client.Refund(ctx, providers.RefundRequest{ProviderReference: ref,
		Lines: []providers.RefundLine{{Line: line("1.25")[0], Kind: providers.RefundReturn}}}); err != nil {
		t.Fatal(err)
	}
	st, _ := e.client.FetchStatus(ctx, ref)
	if st.Refunded.Amount() != "41.66" || st.Amount.Amount() != "58.33" {
		t.Fatalf("after returning 1.25: refunded %s owed %s; want 41.66 and 58.33", st.Refunded, st.Amount)
	}
}

func TestFulfilAllAndRefundAll(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, sess := e.session(t, nil)
	ref := sess.ProviderReference
	_, err := e.client.FulfilAll(ctx, ref)
	wantErr(t, "fulfil-all before confirmation", err, providers.ErrConflict)
	e.pay(t, sess, domain.ProductInvoice)
	if _, err := e.client.Capture(ctx, providers.CaptureRequest{ProviderReference: ref,
		Lines: []providers.Line{{SKU: "A", Quantity: money.Units(1)}}}); err != nil {
		t.Fatal(err)
	}
	res, err := e.client.FulfilAll(ctx, ref)
	if err != nil || res.Amount.Amount() != "120.00" || len(res.Items) != 2 {
		t.Fatalf("fulfil-all: %+v, %v; want A×2 and B×2 for 120.00", res, err)
	}
	_, err = e.client.FulfilAll(ctx, ref)
	wantErr(t, "fulfil-all with nothing open", err, providers.ErrConflict)
	res, err = e.client.RefundAll(ctx, ref)
	if err != nil || res.Amount.Amount() != "150.00" {
		t.Fatalf("refund-all: %+v, %v", res, err)
	}
	for _, l := range res.Items {
		if l.RefundType != RefundReturn {
			t.Fatalf("refund-all of a fulfilled order resolved %s to %s", l.SKU, l.RefundType)
		}
	}
	st, _ := e.client.FetchStatus(ctx, ref)
	if !st.Amount.IsZero() || st.Refunded.Amount() != "150.00" {
		t.Fatalf("after refund-all: %+v", st)
	}
	_, err = e.client.RefundAll(ctx, ref)
	wantErr(t, "refund-all twice", err, providers.ErrConflict)
}

// confirmed is an order in state CONFIRMED with item S: 4 × 10.00, 1 fulfilled
// when partial, all 4 when full.
func confirmed(fulfilled string) orderState {
	it := itemState{SKU: "S", Quantity: money.Units(4), UnitPrice: 1000, Total: 4000}
	o := orderState{Status: StatusConfirmed, Initial: 4000, Items: []itemState{it}}
	if fulfilled != "0" {
		items, _, bad := o.fulfil([]FulfilItem{{SKU: "S", Quantity: &Qty{money.MustQuantity(fulfilled)}}})
		if len(bad) > 0 {
			panic(bad[0].Message)
		}
		o.Items = items
	}
	return o
}

func TestRefundRules(t *testing.T) {
	q := func(s string) *Qty { return &Qty{money.MustQuantity(s)} }
	cases := []struct {
		name      string
		fulfilled string
		req       RefundItem
		want      string // "RETURN 1 10.00, CANCEL 3 30.00" or the refusal code
	}{
		{"AUTO on an unfulfilled item cancels", "0", RefundItem{SKU: "S", RefundType: RefundAuto, Quantity: q("1")}, "CANCEL 1 10.00"},
		{"AUTO on a fully fulfilled item returns", "4", RefundItem{SKU: "S", RefundType: RefundAuto, Quantity: q("1.5")}, "RETURN 1.5 15.00"},
		{"AUTO of all of a partially fulfilled item splits", "1", RefundItem{SKU: "S", RefundType: RefundAuto}, "RETURN 1 10.00, CANCEL 3 30.00"},
		{"AUTO with the whole quantity of a partially fulfilled item splits", "1", RefundItem{SKU: "S", RefundType: RefundAuto, Quantity: q("4")}, "RETURN 1 10.00, CANCEL 3 30.00"},
		{"partial AUTO on a partially fulfilled item is refused", "1", RefundItem{SKU: "S", RefundType: RefundAuto, Quantity: q("2")}, CodePartialAutoRefused},
		{"CANCEL takes only the unfulfilled", "1", RefundItem{SKU: "S", RefundType: RefundCancel, Quantity: q("4")}, CodeExceedsOpen},
		{"CANCEL without quantity takes all unfulfilled", "1", RefundItem{SKU: "S", RefundType: RefundCancel}, "CANCEL 3 30.00"},
		{"RETURN takes only the fulfilled", "1", RefundItem{SKU: "S", RefundType: RefundReturn, Quantity: q("2")}, CodeExceedsReturnable},
		{"RETURN of nothing fulfilled", "0", RefundItem{SKU: "S", RefundType: RefundReturn}, CodeNothingToRefund},
		{"RETURN of a fractional part", "4", RefundItem{SKU: "S", RefundType: RefundReturn, Quantity: q("0.333")}, "RETURN 0.333 3.33"},
		{"unknown sku", "0", RefundItem{SKU: "X", RefundType: RefundCancel}, CodeUnknownSKU},
		{"unknown refund type", "0", RefundItem{SKU: "S", RefundType: "LOST"}, CodeInvalidRefundType},
		{"zero quantity", "0", RefundItem{SKU: "S", RefundType: RefundCancel, Quantity: q("0")}, CodeInvalidQuantity},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := confirmed(c.fulfilled)
			before := o.Items[0]
			items, lines, bad := o.refund([]RefundItem{c.req})
			var got []string
			for _, l := range lines {
				got = append(got, l.RefundType+" "+l.Quantity.String()+" "+l.Amount.Amount())
			}
			if len(bad) > 0 {
				got = []string{bad[0].Code}
			}
			if strings.Join(got, ", ") != c.want {
				t.Fatalf("got %q, want %q", strings.Join(got, ", "), c.want)
			}
			if len(bad) > 0 && items != nil && items[0] != before && len(lines) == 0 {
				t.Fatalf("a refused refund changed the item")
			}
			if o.Items[0] != before {
				t.Fatal("refund changed the order before commit")
			}
		})
	}
}

func TestPaymentSchedule(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s, err := e.client.PaymentSchedule(ctx, domain.ProductSlice, eurs("100.00"), "EE")
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, p := range s.Schedule {
		parts = append(parts, p.Amount.Amount())
	}
	if strings.Join(parts, " ") != "33.34 33.33 33.33" || s.ProductType != "SLICE" {
		t.Fatalf("SLICE 100.00 = %+v", s)
	}
	today := time.Now()
	inv, err := e.client.PaymentSchedule(ctx, domain.ProductInvoice, eurs("250.00"), "")
	if err != nil || len(inv.Schedule) != 1 || inv.Schedule[0].DueDate != today.AddDate(0, 0, 30).Format(time.DateOnly) {
		t.Fatalf("INVOICE = %+v, %v", inv, err)
	}
	now, err := e.client.PaymentSchedule(ctx, domain.ProductPayNowCard, eurs("5.00"), "DE")
	if err != nil || now.Schedule[0].DueDate != today.Format(time.DateOnly) {
		t.Fatalf("PAY_NOW_CARD = %+v, %v", now, err)
	}
	_, err = e.client.PaymentSchedule(ctx, domain.ProductSlice, eurs("2000.01"), "")
	wantErr(t, "SLICE above 2000", err, providers.ErrValidation)
	_, err = e.client.PaymentSchedule(ctx, domain.ProductInvoice, eurs("500.00"), "LV")
	wantErr(t, "INVOICE outside Estonia", err, providers.ErrValidation)

	resp, err := http.Get(e.Base + "/payment-schedule?productId=SLICE_EE_3&amount=100")
	if err == nil {
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("schedule without a key: %v %v", resp.Status, err)
	}
	req, _ := http.NewRequest("GET", e.Base+"/payment-schedule?productId=SLICE_EE_3&amount=100", nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var byID Schedule
	_ = json.NewDecoder(resp.Body).Decode(&byID)
	resp.Body.Close()
	if byID.ProductType != "SLICE" || len(byID.Schedule) != 3 {
		t.Fatalf("by product id: %+v", byID)
	}
}

func TestHealthNeedsNoKey(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Get(e.Base + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health: %s", resp.Status)
	}
}
