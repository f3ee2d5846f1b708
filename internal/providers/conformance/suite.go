package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// notifyWait bounds how long the suite waits for a notification; TestRetry delivers
// within about a second even after failed attempts.
const notifyWait = 5 * time.Second

const cur = "EUR"

// The standard order: 3 × 40.00 + 2 × 25.50 = 171.00 EUR, inside every provider's
// limits (Paywerk's 100–2000 EUR for pay later).
var (
	lineA = providers.Line{SKU: "SKU-A", Name: "Desk lamp", Quantity: money.Units(3),
		UnitPrice: money.MustParse("40.00", cur), VATRateBps: 2200, Total: money.MustParse("120.00", cur)}
	lineB = providers.Line{SKU: "SKU-B", Name: "Linen, per metre", Quantity: money.Units(2),
		UnitPrice: money.MustParse("25.50", cur), VATRateBps: 2200, Total: money.MustParse("51.00", cur)}
	orderTotal = money.MustParse("171.00", cur)
)

// part is q units of a line, priced as the domain prices a part.
func part(l providers.Line, q money.Quantity) providers.Line {
	total, err := l.UnitPrice.Times(q)
	if err != nil {
		panic(err)
	}
	l.Quantity, l.Total = q, total
	return l
}

type suite struct {
	h          Harness
	caps       providers.Capabilities
	merchantID string
}

func (s *suite) run(t *testing.T) {
	t.Run("activate_merchant", s.activate)
	t.Run("create_session", s.createSession)
	t.Run("approve", s.approve)
	t.Run("decline", s.decline)
	t.Run("decline_fault", s.declineFault)
	t.Run("capture_before_authorization", s.captureBeforeAuthorization)
	t.Run("capture_by_lines", s.captureByLines)
	t.Run("capture_by_amount", s.captureByAmount)
	t.Run("refund_return", s.refundReturn)
	t.Run("cancel", s.cancel)
	t.Run("bad_credentials", s.badCredentials)
	t.Run("unknown_payment", s.unknownPayment)
	t.Run("fault_status_5xx", s.faultClass(sandboxkit.FaultStatus5xx, providers.ErrTemporary))
	t.Run("fault_conflict", s.faultClass(sandboxkit.FaultConflict, providers.ErrConflict))
	t.Run("fault_timeout", s.faultTimeout)
	t.Run("fault_latency", s.faultLatency)
	t.Run("context_cancel", s.contextCancel)
	t.Run("faults_over_http", s.faultsOverHTTP)
	t.Run("forged_notification", s.forged)
	t.Run("duplicate_notification", s.duplicate)
	t.Run("out_of_order_notifications", s.outOfOrder)
	t.Run("fail_delivery", s.failDelivery)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// wantClass fails unless err is a *providers.Error of one of the classes.
func wantClass(t *testing.T, what string, err error, classes ...error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded, want one of %v", what, classes)
	}
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%s: error %v (%T) is not a *providers.Error", what, err, err)
	}
	for _, c := range classes {
		if errors.Is(err, c) {
			return
		}
	}
	t.Fatalf("%s: %v, want one of %v", what, err, classes)
}

func wantMoney(t *testing.T, what string, got, want money.Money) {
	t.Helper()
	if got.Currency() != want.Currency() || got.Minor() != want.Minor() {
		t.Fatalf("%s = %s, want %s", what, got, want)
	}
}

func mustMoney(m money.Money, err error) money.Money {
	if err != nil {
		panic(err)
	}
	return m
}

// sessionRequest is the standard order with fresh ids.
func (s *suite) sessionRequest() providers.SessionRequest {
	id := sandboxkit.NewID("")[:12]
	r := s.h.Receiver
	req := providers.SessionRequest{
		OrderID:            "ord_conf" + id,
		Reference:          "CONF-" + id,
		ExternalMerchantID: s.merchantID,
		ProductTypes:       s.caps.ProductTypes,
		Amount:             orderTotal,
		Lines:              []providers.Line{lineA, lineB},
		Shopper: providers.Shopper{FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com",
			Phone: "+37255555555", CompanyName: "Conformance Trading GmbH", Lang: "en"},
		Billing:    providers.Address{Street: "Narva mnt 5", City: "Tallinn", PostalCode: "10117", Country: "EE"},
		SuccessURL: r.URL + "/shop/success?order=" + id,
		FailedURL:  r.URL + "/shop/failed?order=" + id,
		NotifyURL:  r.NotifyURL(s.h.Client.Name()),
	}
	if s.h.Session != nil {
		s.h.Session(&req)
	}
	return req
}

func (s *suite) newSession(t *testing.T) (providers.SessionRequest, providers.Session) {
	t.Helper()
	req := s.sessionRequest()
	sess, err := s.h.Client.CreateSession(ctx(t), req)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if sess.ProviderReference == "" || sess.RedirectURL == "" {
		t.Fatalf("CreateSession answered %+v: want a provider reference and a redirect URL", sess)
	}
	return req, sess
}

func (s *suite) complete(t *testing.T, sess providers.Session, action string) string {
	t.Helper()
	form := sandboxkit.PageForm{Action: action}
	if action == sandboxkit.ActionApprove {
		form.ProductType = string(s.h.ApproveProductType)
	}
	loc, err := s.h.Complete(ctx(t), sess.RedirectURL, form)
	if err != nil {
		t.Fatalf("completing the page with %s: %v", action, err)
	}
	return loc
}

func (s *suite) status(t *testing.T, ref string) providers.PaymentStatus {
	t.Helper()
	st, err := s.h.Client.FetchStatus(ctx(t), ref)
	if err != nil {
		t.Fatalf("FetchStatus(%s): %v", ref, err)
	}
	if st.ProviderReference != "" && st.ProviderReference != ref {
		t.Fatalf("FetchStatus(%s) answered reference %s", ref, st.ProviderReference)
	}
	return st
}

// authorized answers a payment the shopper approved, after its notification arrived.
func (s *suite) authorized(t *testing.T) (providers.SessionRequest, providers.Session) {
	t.Helper()
	req, sess := s.newSession(t)
	if loc := s.complete(t, sess, sandboxkit.ActionApprove); loc != req.SuccessURL {
		t.Fatalf("approve redirected to %q, want the success URL %q", loc, req.SuccessURL)
	}
	s.h.Receiver.WaitFor(t, sess.ProviderReference, req.Reference, 1, notifyWait)
	if st := s.status(t, sess.ProviderReference); st.State != providers.PaymentAuthorized {
		t.Fatalf("after approval the state is %s, want AUTHORIZED", st.State)
	}
	return req, sess
}

func (s *suite) activate(t *testing.T) {
	act, err := s.h.Client.ActivateMerchant(ctx(t), s.h.Merchant)
	if err != nil {
		t.Fatalf("ActivateMerchant: %v", err)
	}
	if act.Status == providers.ActivationRejected {
		t.Fatalf("ActivateMerchant rejected the good merchant: %s", act.Reason)
	}
	s.merchantID = act.ExternalMerchantID
	if s.h.RejectedMerchant.LegalName == "" {
		t.Log("no documented rejection trigger: rejection not checked")
		return
	}
	rej, err := s.h.Client.ActivateMerchant(ctx(t), s.h.RejectedMerchant)
	if err != nil {
		t.Fatalf("ActivateMerchant(rejected merchant): %v", err)
	}
	if rej.Status != providers.ActivationRejected || rej.Reason == "" {
		t.Fatalf("ActivateMerchant(rejected merchant) = %+v, want REJECTED with a reason", rej)
	}
}

func (s *suite) createSession(t *testing.T) {
	req, sess := s.newSession(t)
	if !strings.HasPrefix(sess.RedirectURL, strings.TrimRight(s.h.SandboxURL, "/")+"/") {
		t.Errorf("redirect URL %s is not under the sandbox %s", sess.RedirectURL, s.h.SandboxURL)
	}
	st := s.status(t, sess.ProviderReference)
	if st.State != providers.PaymentPending {
		t.Errorf("new session state %s, want PENDING", st.State)
	}
	wantMoney(t, "amount of a new session", st.Amount, req.Amount)
	if got := s.h.Receiver.About(sess.ProviderReference, req.Reference); len(got) != 0 {
		t.Errorf("a session nobody paid produced %d notifications", len(got))
	}
}

func (s *suite) approve(t *testing.T) {
	req, sess := s.newSession(t)
	loc := s.complete(t, sess, sandboxkit.ActionApprove)
	if loc != req.SuccessURL {
		t.Fatalf("approve redirected to %q, want %q", loc, req.SuccessURL)
	}
	ds := s.h.Receiver.WaitFor(t, sess.ProviderReference, req.Reference, 1, notifyWait)
	d := ds[0]
	if d.Err != nil {
		t.Fatalf("the sandbox's own notification was refused by ParseWebhook: %v", d.Err)
	}
	if d.Event.ID == "" {
		t.Errorf("event has no id to deduplicate by")
	}
	switch {
	case d.Event.NeedsFetch:
	case d.Event.Kind != providers.EventAuthorized:
		t.Errorf("event kind %s without NeedsFetch, want AUTHORIZED", d.Event.Kind)
	}
	st := s.status(t, sess.ProviderReference)
	if st.State != providers.PaymentAuthorized {
		t.Fatalf("state %s, want AUTHORIZED", st.State)
	}
	wantMoney(t, "authorized", st.Authorized, req.Amount)
	if s.h.ApproveProductType != "" && st.ProductType != "" && st.ProductType != s.h.ApproveProductType {
		t.Errorf("product type %s, the shopper chose %s", st.ProductType, s.h.ApproveProductType)
	}
	// A finished page cannot be paid twice.
	if _, err := s.h.Complete(ctx(t), sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionDecline}); err == nil {
		if st2 := s.status(t, sess.ProviderReference); st2.State != providers.PaymentAuthorized {
			t.Errorf("declining a finished page changed the state to %s", st2.State)
		}
	}
}

func (s *suite) decline(t *testing.T) {
	req, sess := s.newSession(t)
	if loc := s.complete(t, sess, sandboxkit.ActionDecline); loc != req.FailedURL {
		t.Fatalf("decline redirected to %q, want the failed URL %q", loc, req.FailedURL)
	}
	d := s.h.Receiver.WaitFor(t, sess.ProviderReference, req.Reference, 1, notifyWait)[0]
	if d.Err != nil {
		t.Fatalf("notification refused: %v", d.Err)
	}
	if !d.Event.NeedsFetch && d.Event.Kind != providers.EventFailed {
		t.Errorf("event kind %s without NeedsFetch, want FAILED", d.Event.Kind)
	}
	if st := s.status(t, sess.ProviderReference); st.State != providers.PaymentFailed {
		t.Fatalf("state %s, want FAILED", st.State)
	}
}

func (s *suite) declineFault(t *testing.T) {
	t.Cleanup(s.h.Faults.Clear)
	if _, err := s.h.Faults.Add(sandboxkit.Fault{Account: s.h.FaultAccount, Operation: sandboxkit.OpAuthorize, Kind: sandboxkit.FaultDecline, Count: 1}); err != nil {
		t.Fatal(err)
	}
	req, sess := s.newSession(t)
	if loc := s.complete(t, sess, sandboxkit.ActionApprove); loc != req.FailedURL {
		t.Fatalf("an approval under a decline fault redirected to %q, want the failed URL", loc)
	}
	s.h.Receiver.WaitFor(t, sess.ProviderReference, req.Reference, 1, notifyWait)
	if st := s.status(t, sess.ProviderReference); st.State != providers.PaymentFailed {
		t.Fatalf("state %s, want FAILED", st.State)
	}
	// The fault is used up: the next payment goes through.
	s.authorized(t)
}

// captureReq builds a capture of the given parts the way the domain would: lines
// when the provider takes them, else the amount alone.
func (s *suite) captureReq(ref string, parts ...providers.Line) providers.CaptureRequest {
	total := money.Zero(cur)
	for _, p := range parts {
		total = mustMoney(total.Add(p.Total))
	}
	req := providers.CaptureRequest{ProviderReference: ref, ExternalMerchantID: s.merchantID,
		OperationID: sandboxkit.NewID("ful_"), Amount: total}
	if s.caps.CaptureByLines(parts) {
		req.Lines = parts
	}
	return req
}

func (s *suite) refundReq(ref string, captureRefs []string, kind providers.RefundKind, parts ...providers.Line) providers.RefundRequest {
	total := money.Zero(cur)
	var lines []providers.RefundLine
	for _, p := range parts {
		total = mustMoney(total.Add(p.Total))
		lines = append(lines, providers.RefundLine{Line: p, Kind: kind})
	}
	req := providers.RefundRequest{ProviderReference: ref, ExternalMerchantID: s.merchantID,
		OperationID: sandboxkit.NewID("ref_"), Amount: total, CaptureRefs: captureRefs,
		ReturnAmount: money.Zero(cur), CancelAmount: money.Zero(cur), Reason: "conformance"}
	if kind == providers.RefundReturn {
		req.ReturnAmount = total
	} else {
		req.CancelAmount = total
	}
	if s.caps.RefundByLines(parts) {
		req.Lines = lines
	}
	return req
}

func (s *suite) mustCapture(t *testing.T, req providers.CaptureRequest) string {
	t.Helper()
	res, err := s.h.Client.Capture(ctx(t), req)
	if err != nil {
		t.Fatalf("Capture %s (lines %d): %v", req.Amount, len(req.Lines), err)
	}
	if res.ProviderOperationID == "" {
		t.Fatalf("Capture answered no provider operation id")
	}
	return res.ProviderOperationID
}

func (s *suite) skipUnlessCaptures(t *testing.T) {
	if s.caps.InstantSettle {
		t.Skip("the provider captures on authorisation (InstantSettle): nothing to capture")
	}
}

func (s *suite) captureBeforeAuthorization(t *testing.T) {
	s.skipUnlessCaptures(t)
	_, sess := s.newSession(t)
	_, err := s.h.Client.Capture(ctx(t), s.captureReq(sess.ProviderReference, part(lineA, money.Units(1))))
	wantClass(t, "capture of a pending payment", err, providers.ErrConflict, providers.ErrValidation)
	if st := s.status(t, sess.ProviderReference); !st.Captured.IsZero() {
		t.Fatalf("a refused capture captured %s", st.Captured)
	}
}

func (s *suite) captureByLines(t *testing.T) {
	s.skipUnlessCaptures(t)
	if !s.caps.LineLevelCapture {
		t.Skip("the provider captures by amount only")
	}
	_, sess := s.authorized(t)
	ref := sess.ProviderReference
	s.mustCapture(t, s.captureReq(ref, part(lineA, money.Units(1))))
	wantMoney(t, "captured after A×1", s.status(t, ref).Captured, money.MustParse("40.00", cur))

	// A fractional part goes as a line where the provider allows it, else by amount.
	half := part(lineB, money.MustQuantity("0.5"))
	s.mustCapture(t, s.captureReq(ref, half))
	wantMoney(t, "captured after B×0.5", s.status(t, ref).Captured, money.MustParse("52.75", cur))

	// Over-capture: only 2 of A are open.
	_, err := s.h.Client.Capture(ctx(t), s.captureReq(ref, part(lineA, money.Units(3))))
	wantClass(t, "capture of 3 A with 2 open", err, providers.ErrConflict, providers.ErrValidation)
	wantMoney(t, "captured after a refused capture", s.status(t, ref).Captured, money.MustParse("52.75", cur))

	// The rest of every line: the parts add up to the order.
	s.mustCapture(t, s.captureReq(ref, part(lineA, money.Units(2)), part(lineB, money.MustQuantity("1.5"))))
	st := s.status(t, ref)
	wantMoney(t, "captured after everything", st.Captured, orderTotal)
	_, err = s.h.Client.Capture(ctx(t), s.captureReq(ref, part(lineB, money.MustQuantity("0.5"))))
	wantClass(t, "capture of a fully captured payment", err, providers.ErrConflict, providers.ErrValidation)
}

func (s *suite) captureByAmount(t *testing.T) {
	s.skipUnlessCaptures(t)
	_, sess := s.authorized(t)
	ref := sess.ProviderReference
	byAmount := providers.CaptureRequest{ProviderReference: ref, ExternalMerchantID: s.merchantID,
		OperationID: sandboxkit.NewID("ful_"), Amount: money.MustParse("50.00", cur)}
	if s.caps.LinesOnly {
		_, err := s.h.Client.Capture(ctx(t), byAmount)
		wantClass(t, "capture by amount at a lines-only provider", err, providers.ErrValidation)
		return
	}
	if !s.caps.PartialCapture {
		byAmount.Amount = orderTotal
		s.mustCapture(t, byAmount)
		wantMoney(t, "captured", s.status(t, ref).Captured, orderTotal)
		return
	}
	s.mustCapture(t, byAmount)
	wantMoney(t, "captured after 50.00", s.status(t, ref).Captured, money.MustParse("50.00", cur))
	over := byAmount
	over.OperationID, over.Amount = sandboxkit.NewID("ful_"), money.MustParse("121.01", cur)
	_, err := s.h.Client.Capture(ctx(t), over)
	wantClass(t, "capture of 121.01 with 121.00 open", err, providers.ErrConflict, providers.ErrValidation)
	rest := byAmount
	rest.OperationID, rest.Amount = sandboxkit.NewID("ful_"), money.MustParse("121.00", cur)
	s.mustCapture(t, rest)
	wantMoney(t, "captured after the rest", s.status(t, ref).Captured, orderTotal)
}

func (s *suite) refundReturn(t *testing.T) {
	_, sess := s.authorized(t)
	ref := sess.ProviderReference
	var captures []string
	if !s.caps.InstantSettle {
		// Returning what was never captured is refused.
		_, err := s.h.Client.Refund(ctx(t), s.refundReq(ref, nil, providers.RefundReturn, part(lineA, money.Units(1))))
		wantClass(t, "return before any capture", err, providers.ErrConflict, providers.ErrValidation)
		captures = []string{s.mustCapture(t, s.captureReq(ref, part(lineA, money.Units(2))))}
	}
	res, err := s.h.Client.Refund(ctx(t), s.refundReq(ref, captures, providers.RefundReturn, part(lineA, money.Units(1))))
	if err != nil {
		t.Fatalf("Refund RETURN A×1: %v", err)
	}
	if res.ProviderOperationID == "" {
		t.Errorf("Refund answered no provider operation id")
	}
	st := s.status(t, ref)
	wantMoney(t, "refunded after returning A×1", st.Refunded, money.MustParse("40.00", cur))
	wantMoney(t, "owed after returning A×1", st.Amount, money.MustParse("131.00", cur))

	// Over-refund: with captures, only one A is left to return (80.00 − 40.00);
	// with instant settlement, 131.00 is left.
	over := part(lineA, money.Units(2))
	if s.caps.InstantSettle {
		over = part(lineA, money.Units(3))
		over.Total = money.MustParse("131.01", cur)
	}
	_, err = s.h.Client.Refund(ctx(t), s.refundReq(ref, captures, providers.RefundReturn, over))
	wantClass(t, "return of more than is left", err, providers.ErrConflict, providers.ErrValidation)
	wantMoney(t, "refunded after a refused refund", s.status(t, ref).Refunded, money.MustParse("40.00", cur))
}

func (s *suite) cancel(t *testing.T) {
	if !s.caps.Cancel {
		t.Skip("the provider cannot cancel the uncaptured part")
	}
	_, sess := s.authorized(t)
	ref := sess.ProviderReference
	if !s.caps.InstantSettle {
		s.mustCapture(t, s.captureReq(ref, part(lineA, money.Units(1))))
	}
	// Over-cancel: only 2 of B exist.
	_, err := s.h.Client.Refund(ctx(t), s.refundReq(ref, nil, providers.RefundCancel, overPart(lineB, 3, "171.00")))
	wantClass(t, "cancel of more than is open", err, providers.ErrConflict, providers.ErrValidation)
	wantMoney(t, "owed after a refused cancel", s.status(t, ref).Amount, orderTotal)

	if _, err := s.h.Client.Refund(ctx(t), s.refundReq(ref, nil, providers.RefundCancel, part(lineB, money.Units(2)))); err != nil {
		t.Fatalf("Refund CANCEL B×2: %v", err)
	}
	st := s.status(t, ref)
	wantMoney(t, "owed after cancelling B×2", st.Amount, money.MustParse("120.00", cur))
	if s.caps.InstantSettle {
		return
	}
	wantMoney(t, "captured after cancelling B", st.Captured, money.MustParse("40.00", cur))
	// What was cancelled cannot be captured: 80.00 is open (2 A), B is gone. Only a
	// provider that got the cancel as lines knows which line is gone.
	if byLines := []providers.Line{lineB}; s.caps.RefundByLines(byLines) && s.caps.CaptureByLines(byLines) {
		_, err = s.h.Client.Capture(ctx(t), s.captureReq(ref, part(lineB, money.Units(1))))
	} else {
		over := s.captureReq(ref)
		over.Amount = money.MustParse("80.01", cur)
		_, err = s.h.Client.Capture(ctx(t), over)
	}
	wantClass(t, "capture of a cancelled part", err, providers.ErrConflict, providers.ErrValidation)
	s.mustCapture(t, s.captureReq(ref, part(lineA, money.Units(2))))
	wantMoney(t, "captured in the end", s.status(t, ref).Captured, money.MustParse("120.00", cur))
}

// overPart is q units of a line with a total that exceeds what is open.
func overPart(l providers.Line, q int64, total string) providers.Line {
	l.Quantity, l.Total = money.Units(q), money.MustParse(total, cur)
	return l
}

func (s *suite) badCredentials(t *testing.T) {
	_, sess := s.newSession(t)
	for name, acct := range map[string]providers.Account{
		"wrong password": withPassword(s.h.Account, s.h.Account.Password+"x"),
		"wrong user":     withUser(s.h.Account, s.h.Account.Username+"x"),
		"empty":          withUser(withPassword(s.h.Account, ""), ""),
	} {
		if name == "wrong password" && s.h.Account.Password == "" {
			continue // a Bearer API key has no password
		}
		c := s.h.NewClient(acct)
		_, err := c.FetchStatus(ctx(t), sess.ProviderReference)
		wantClass(t, name+": FetchStatus", err, providers.ErrUnauthenticated)
		_, err = c.CreateSession(ctx(t), s.sessionRequest())
		wantClass(t, name+": CreateSession", err, providers.ErrUnauthenticated)
	}
}

func withPassword(a providers.Account, p string) providers.Account { a.Password = p; return a }
func withUser(a providers.Account, u string) providers.Account     { a.Username = u; return a }

func (s *suite) unknownPayment(t *testing.T) {
	ref := "unknown-" + sandboxkit.NewUUID()
	_, err := s.h.Client.FetchStatus(ctx(t), ref)
	wantClass(t, "FetchStatus of an unknown payment", err, providers.ErrNotFound)
	if !s.caps.InstantSettle {
		_, err = s.h.Client.Capture(ctx(t), s.captureReq(ref, part(lineA, money.Units(1))))
		wantClass(t, "Capture of an unknown payment", err, providers.ErrNotFound)
	}
}

// faultClass injects one request fault into the status fetch and checks the class.
func (s *suite) faultClass(kind sandboxkit.FaultKind, class error) func(*testing.T) {
	return func(t *testing.T) {
		t.Cleanup(s.h.Faults.Clear)
		_, sess := s.newSession(t)
		if _, err := s.h.Faults.Add(sandboxkit.Fault{Account: s.h.FaultAccount, Operation: sandboxkit.OpFetchStatus, Kind: kind, Count: 1}); err != nil {
			t.Fatal(err)
		}
		_, err := s.h.Client.FetchStatus(ctx(t), sess.ProviderReference)
		wantClass(t, string(kind), err, class)
		var pe *providers.Error
		errors.As(err, &pe)
		if want := map[sandboxkit.FaultKind]int{sandboxkit.FaultStatus5xx: 503, sandboxkit.FaultConflict: 409}[kind]; pe.HTTPStatus != want {
			t.Errorf("%s: HTTPStatus %d, want %d", kind, pe.HTTPStatus, want)
		}
		// Count 1: the next call is answered normally.
		s.status(t, sess.ProviderReference)
	}
}

func (s *suite) faultTimeout(t *testing.T) {
	t.Cleanup(s.h.Faults.Clear)
	_, sess := s.newSession(t)
	if _, err := s.h.Faults.Add(sandboxkit.Fault{Account: s.h.FaultAccount, Operation: sandboxkit.OpFetchStatus, Kind: sandboxkit.FaultTimeout, Count: 1}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := s.h.Client.FetchStatus(ctx(t), sess.ProviderReference)
	took := time.Since(start)
	wantClass(t, "timeout", err, providers.ErrTemporary)
	if took < s.h.Timeout*9/10 || took > s.h.Timeout+2*time.Second {
		t.Errorf("a hanging call returned after %s; the client's timeout is %s", took, s.h.Timeout)
	}
	s.status(t, sess.ProviderReference)
}

func (s *suite) faultLatency(t *testing.T) {
	t.Cleanup(s.h.Faults.Clear)
	_, sess := s.newSession(t)
	lat := s.h.Timeout / 3
	if _, err := s.h.Faults.Add(sandboxkit.Fault{Account: s.h.FaultAccount, Operation: sandboxkit.OpFetchStatus, Kind: sandboxkit.FaultLatency, Latency: lat, Count: 1}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.status(t, sess.ProviderReference)
	if took := time.Since(start); took < lat {
		t.Errorf("a slow answer came after %s, the injected latency is %s", took, lat)
	}
}

func (s *suite) contextCancel(t *testing.T) {
	t.Cleanup(s.h.Faults.Clear)
	_, sess := s.newSession(t)
	if _, err := s.h.Faults.Add(sandboxkit.Fault{Account: s.h.FaultAccount, Operation: sandboxkit.OpFetchStatus, Kind: sandboxkit.FaultTimeout, Count: 1}); err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.h.Client.FetchStatus(c, sess.ProviderReference)
	wantClass(t, "cancelled context", err, providers.ErrTemporary)
	if took := time.Since(start); took > s.h.Timeout/2+50*time.Millisecond {
		t.Errorf("the call outlived its context by far: %s", took)
	}
}

func (s *suite) faultsOverHTTP(t *testing.T) {
	t.Cleanup(s.h.Faults.Clear)
	url := strings.TrimRight(s.h.SandboxURL, "/") + sandboxkit.ControlPrefix + "faults"
	body, _ := json.Marshal(sandboxkit.Fault{Account: s.h.FaultAccount, Operation: sandboxkit.OpCreateSession, Kind: sandboxkit.FaultStatus5xx})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
	// Count 0: until cleared.
	for range 2 {
		_, err := s.h.Client.CreateSession(ctx(t), s.sessionRequest())
		wantClass(t, "CreateSession under a 5xx fault", err, providers.ErrTemporary)
	}
	resp, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	var listed struct{ Faults []sandboxkit.Fault }
	err = json.NewDecoder(resp.Body).Decode(&listed)
	resp.Body.Close()
	if err != nil || len(listed.Faults) != 1 || listed.Faults[0].Used != 2 {
		t.Fatalf("GET faults = %+v (%v), want the one fault used twice", listed, err)
	}
	req, _ := http.NewRequest(http.MethodDelete, url, nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || len(s.h.Faults.List()) != 0 {
		t.Fatalf("DELETE faults: %s, %d left", resp.Status, len(s.h.Faults.List()))
	}
	s.newSession(t)
}

func (s *suite) forged(t *testing.T) {
	_, sess := s.authorized(t)
	genuine := s.h.Receiver.About(sess.ProviderReference, "")[0]
	forgeries := s.h.Forge(genuine)
	if len(forgeries) == 0 {
		t.Fatal("Forge made no forgeries")
	}
	for i, f := range forgeries {
		_, err := s.h.Client.ParseWebhook(f.Header, f.Body)
		if !errors.Is(err, providers.ErrUnauthenticated) {
			t.Errorf("forgery %d (%s): ParseWebhook = %v, want ErrUnauthenticated", i, f.Body, err)
		}
	}
	// The genuine one still passes, and parses to the same event every time.
	ev, err := s.h.Client.ParseWebhook(genuine.Header, genuine.Body)
	if err != nil || ev.ID != genuine.Event.ID {
		t.Fatalf("re-parsing the genuine notification: %+v, %v; want id %s", ev, err, genuine.Event.ID)
	}
}

func (s *suite) duplicate(t *testing.T) {
	t.Cleanup(s.h.Faults.Clear)
	if _, err := s.h.Faults.Add(sandboxkit.Fault{Account: s.h.FaultAccount, Operation: sandboxkit.OpNotify, Kind: sandboxkit.FaultDuplicateWebhook, Count: 1}); err != nil {
		t.Fatal(err)
	}
	req, sess := s.newSession(t)
	s.complete(t, sess, sandboxkit.ActionApprove)
	ds := s.h.Receiver.WaitFor(t, sess.ProviderReference, req.Reference, 2, notifyWait)
	if ds[0].Err != nil || ds[1].Err != nil {
		t.Fatalf("duplicates refused: %v, %v", ds[0].Err, ds[1].Err)
	}
	if ds[0].Event.ID == "" || ds[0].Event.ID != ds[1].Event.ID {
		t.Fatalf("a duplicated notification parsed to ids %q and %q; the server deduplicates by id", ds[0].Event.ID, ds[1].Event.ID)
	}
}

func (s *suite) outOfOrder(t *testing.T) {
	t.Cleanup(s.h.Faults.Clear)
	if _, err := s.h.Faults.Add(sandboxkit.Fault{Account: s.h.FaultAccount, Operation: sandboxkit.OpNotify, Kind: sandboxkit.FaultOutOfOrder, Count: 1}); err != nil {
		t.Fatal(err)
	}
	reqA, a := s.newSession(t)
	reqB, b := s.newSession(t)
	s.complete(t, a, sandboxkit.ActionApprove) // held back
	s.complete(t, b, sandboxkit.ActionApprove)
	da := s.h.Receiver.WaitFor(t, a.ProviderReference, reqA.Reference, 1, notifyWait)[0]
	db := s.h.Receiver.WaitFor(t, b.ProviderReference, reqB.Reference, 1, notifyWait)[0]
	if !db.At.Before(da.At) {
		t.Fatalf("the held notification of A (%s) did not arrive after B's (%s)", da.At, db.At)
	}
	for _, d := range []Delivery{da, db} {
		if d.Err != nil {
			t.Fatalf("out-of-order notification refused: %v", d.Err)
		}
		again, err := s.h.Client.ParseWebhook(d.Header, d.Body)
		if err != nil || again.ID != d.Event.ID {
			t.Fatalf("parsing the same notification again gave id %q (%v), first %q", again.ID, err, d.Event.ID)
		}
	}
	if da.Event.ID == db.Event.ID {
		t.Fatalf("two payments' notifications share the id %q", da.Event.ID)
	}
	for _, ref := range []string{a.ProviderReference, b.ProviderReference} {
		if st := s.status(t, ref); st.State != providers.PaymentAuthorized {
			t.Fatalf("%s: state %s, want AUTHORIZED", ref, st.State)
		}
	}
}

func (s *suite) failDelivery(t *testing.T) {
	t.Cleanup(s.h.Faults.Clear)
	if _, err := s.h.Faults.Add(sandboxkit.Fault{Account: s.h.FaultAccount, Operation: sandboxkit.OpNotify, Kind: sandboxkit.FaultFailDelivery, Count: 2}); err != nil {
		t.Fatal(err)
	}
	s.h.Notifier.Wait() // earlier deliveries are logged before we count
	before := len(s.h.Notifier.Attempts())
	req, sess := s.newSession(t)
	s.complete(t, sess, sandboxkit.ActionApprove)
	d := s.h.Receiver.WaitFor(t, sess.ProviderReference, req.Reference, 1, notifyWait)[0]
	if d.Err != nil {
		t.Fatalf("notification refused: %v", d.Err)
	}
	s.h.Notifier.Wait() // the attempt is logged after the receiver answered
	attempts := s.h.Notifier.Attempts()[before:]
	delivered := slices.IndexFunc(attempts, func(a sandboxkit.Attempt) bool { return a.Delivered })
	if delivered < 2 {
		t.Fatalf("delivered at attempt %d; want two failed attempts first (%+v)", delivered+1, attempts)
	}
	for _, a := range attempts[:delivered] {
		if !a.Injected {
			t.Fatalf("an attempt before delivery failed for another reason: %+v", a)
		}
	}
}
