package betterpayment

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/conformance"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

const (
	testAPIKey   = "bp_test_api_key"
	testPassword = "bp_test_outgoing_key"
	testWebhook  = "c54b7f22bc69f87b731c"
	testTimeout  = 500 * time.Millisecond
)

type env struct {
	*conformance.Mounted
	acct providers.Account
	now  time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{now: time.Now()}
	e.Mounted = conformance.Mount(t, providers.BetterPayment, sandboxkit.NotifierConfig{
		Client: &http.Client{Timeout: 2 * time.Second}, Retry: sandboxkit.TestRetry,
	}, func(cfg sandboxkit.Config, recv *conformance.Receiver) http.Handler {
		cfg.Authenticate = sandboxkit.AcceptOnly(sandboxkit.Credential{User: testAPIKey, Password: testPassword})
		cfg.Now = func() time.Time { return e.now }
		return NewSandbox(SandboxConfig{Config: cfg, WebhookSecret: testWebhook})
	})
	e.Faults.MaxHang = 3 * time.Second
	e.acct = providers.Account{BaseURL: e.Base, Username: testAPIKey, Password: testPassword, WebhookSecret: testWebhook}
	return e
}

func (e *env) client(acct providers.Account) *Client {
	return New(acct, WithTimeout(testTimeout), WithRetry(3, 5*time.Millisecond))
}

func TestConformance(t *testing.T) {
	e := newEnv(t)
	conformance.Run(t, e.Harness(conformance.Harness{
		Client:       e.client(e.acct),
		Account:      e.acct,
		NewClient:    func(a providers.Account) providers.Provider { return e.client(a) },
		Timeout:      testTimeout,
		FaultAccount: testAPIKey,
		Merchant:     providers.Merchant{CompanyID: "cmp_1", LegalName: "Conformance Trading GmbH", Country: "DE"},
		Forge:        forgePostbacks,
	}))
}

// forgePostbacks makes the forgeries a postback must be refused for: signed with
// another key, tampered after signing, and, without the header, a bad or missing
// legacy checksum.
func forgePostbacks(genuine conformance.Delivery) []conformance.Delivery {
	with := func(body []byte, sig string) conformance.Delivery {
		h := genuine.Header.Clone()
		if sig == "" {
			h.Del(HeaderSignature)
		} else {
			h.Set(HeaderSignature, sig)
		}
		return conformance.Delivery{Header: h, Body: body}
	}
	tampered := []byte(strings.Replace(string(genuine.Body), "status_code=8", "status_code=3", 1))
	params, _ := ParseParams(genuine.Body)
	var noChecksum []Param
	for _, p := range params {
		if p.Key != checksumParam {
			noChecksum = append(noChecksum, p)
		}
	}
	wrongChecksum := append(append([]Param(nil), noChecksum...), Param{checksumParam, Checksum(noChecksum, "guessed-key")})
	return []conformance.Delivery{
		with(genuine.Body, Signature("guessed-key", genuine.Body)),                                                 // wrong key
		with(genuine.Body, "5Wc1Uxqje5HVcFA7fcxonkl2QdKBq7BQtt3i7bPpaeA="),                                         // someone else's signature
		with(tampered, genuine.Header.Get(HeaderSignature)),                                                        // tampered body
		with(genuine.Body, "not base64!"),                                                                          // garbage header
		with([]byte(EncodeParams(wrongChecksum)), ""),                                                              // legacy: wrong key
		with([]byte(EncodeParams(noChecksum)), ""),                                                                 // unsigned
		with(append(append([]byte(nil), genuine.Body...), "&amount=0.01"...), genuine.Header.Get(HeaderSignature)), // appended field
	}
}

func eur(s string) money.Money { return money.MustParse(s, "EUR") }

func sessionReq(e *env, orderID string) providers.SessionRequest {
	return providers.SessionRequest{
		OrderID: orderID, Reference: "REF-" + orderID, Amount: eur("171.00"),
		Shopper:    providers.Shopper{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
		SuccessURL: "https://shop.example/ok", FailedURL: "https://shop.example/failed",
		NotifyURL: e.Receiver.NotifyURL(providers.BetterPayment),
	}
}

func authorized(t *testing.T, e *env, c *Client) string {
	t.Helper()
	sess, err := c.CreateSession(context.Background(), sessionReq(e, sandboxkit.NewID("ord_")))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := conformance.CompletePage(context.Background(), sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	return sess.ProviderReference
}

// TestCaptureRetriesWithTheSameKey: a capture that meets 5xx answers is repeated with
// the same Idempotency-Key; the money moves once, and a later repeat of the operation
// is answered from the idempotency cache.
func TestCaptureRetriesWithTheSameKey(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	ref := authorized(t, e, c)
	_, _ = e.Faults.Add(sandboxkit.Fault{Account: testAPIKey, Operation: sandboxkit.OpCapture, Kind: sandboxkit.FaultStatus5xx, Count: 2})
	req := providers.CaptureRequest{ProviderReference: ref, OperationID: "ful_retry", Amount: eur("50.00")}
	if _, err := c.Capture(context.Background(), req); err != nil {
		t.Fatalf("Capture after two 5xx: %v", err)
	}
	if _, err := c.Capture(context.Background(), req); err != nil {
		t.Fatalf("repeat of the same operation: %v", err)
	}
	st, err := c.FetchStatus(context.Background(), ref)
	if err != nil || st.Captured.Minor() != 5000 {
		t.Fatalf("captured %s (%v), want 50.00 once", st.Captured, err)
	}
}

// TestIdempotencyCacheExpires: after an hour the key is forgotten and the same
// request acts again, as the documentation says.
func TestIdempotencyCacheExpires(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	ref := authorized(t, e, c)
	req := providers.CaptureRequest{ProviderReference: ref, OperationID: "ful_ttl", Amount: eur("10.00")}
	if _, err := c.Capture(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(IdempotencyTTL - time.Second)
	if _, err := c.Capture(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(2 * time.Second)
	if _, err := c.Capture(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	st, _ := c.FetchStatus(context.Background(), ref)
	if st.Captured.Minor() != 2000 {
		t.Fatalf("captured %s, want 20.00: once within the hour, again after it", st.Captured)
	}
}

// TestXIdempotencyKeyHeader: the sandbox honours the X- spelling too.
func TestXIdempotencyKeyHeader(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	ref := authorized(t, e, c)
	post := func() int {
		resp := conformance.Raw(t, http.MethodPost, e.Base+"/rest/capture", testAPIKey, testPassword, `{"transaction_id":"`+ref+`","amount":15.90}`,
			http.Header{HeaderXIdempotencyKey: {"9d8f5715-2e7c-4e64-8e34-35f510c12e66"}})
		resp.Body.Close()
		return resp.StatusCode
	}
	// The same capture twice: the replay must answer 200 and capture nothing more.
	if first, again := post(), post(); first != 200 || again != 200 {
		t.Fatal("capture failed")
	}
	st, _ := c.FetchStatus(context.Background(), ref)
	if st.Captured.Minor() != 1590 {
		t.Fatalf("captured %s, want 15.90 (a JSON number amount) once", st.Captured)
	}
}

func TestSandboxRefusesCardData(t *testing.T) {
	e := newEnv(t)
	resp := conformance.Raw(t, http.MethodPost, e.Base+"/rest/payment", testAPIKey, testPassword, `{"payment_type":"cardecom","order_id":"1","amount":"15.90","currency":"EUR",
		"postback_url":"https://x.example/pb","success_url":"https://x.example/s","error_url":"https://x.example/e","card_number":"4761070000000509","card_cvv":"196"}`, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("card data answered %s, want 400", resp.Status)
	}
}

func TestOperationErrorsMapToClasses(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	ref := authorized(t, e, c)
	ctx := context.Background()
	_, err := c.Capture(ctx, providers.CaptureRequest{ProviderReference: ref, OperationID: "ful_over", Amount: eur("171.01")})
	if !errors.Is(err, providers.ErrConflict) {
		t.Fatalf("over-capture: %v", err)
	}
	_, _ = e.Faults.Add(sandboxkit.Fault{Account: testAPIKey, Operation: sandboxkit.OpCapture, Kind: sandboxkit.FaultDecline, Count: 1})
	_, err = c.Capture(ctx, providers.CaptureRequest{ProviderReference: ref, OperationID: "ful_decl", Amount: eur("1.00")})
	var pe *providers.Error
	if !errors.Is(err, providers.ErrDeclined) || !errors.As(err, &pe) || pe.Code != "105" {
		t.Fatalf("declined capture: %v", err)
	}
	_, err = c.Refund(ctx, providers.RefundRequest{ProviderReference: ref, OperationID: "ref_none", ReturnAmount: eur("1.00")})
	if !errors.Is(err, providers.ErrConflict) {
		t.Fatalf("refund with nothing captured: %v", err)
	}
	st, _ := c.FetchStatus(ctx, ref)
	if st.State != providers.PaymentAuthorized || !st.Captured.IsZero() {
		t.Fatalf("status %+v", st)
	}
}

// TestFullReversal: reversing everything before any capture cancels the payment.
func TestFullReversal(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	e.Receiver.SetParser(c.ParseWebhook)
	ref := authorized(t, e, c)
	req := providers.RefundRequest{ProviderReference: ref, OperationID: "ref_rev", CancelAmount: eur("171.00")}
	if _, err := c.Refund(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Refund(context.Background(), req); err != nil {
		t.Fatalf("repeat: %v", err)
	}
	st, _ := c.FetchStatus(context.Background(), ref)
	if st.State != providers.PaymentCancelled || !st.Amount.IsZero() {
		t.Fatalf("status %+v", st)
	}
	ds := e.Receiver.WaitFor(t, ref, "", 2, 5*time.Second) // authorized, reversed
	if last := ds[len(ds)-1]; last.Err != nil || last.Event.Kind != providers.EventCancelled {
		t.Fatalf("last postback %+v", last)
	}
}

func TestDeclineTrigger(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	req := sessionReq(e, "ord_decline")
	req.Shopper.LastName = "Declined"
	sess, err := c.CreateSession(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	loc, _, err := conformance.CompletePage(context.Background(), sess.RedirectURL, sandboxkit.PageForm{Action: sandboxkit.ActionApprove})
	if err != nil || loc != req.FailedURL {
		t.Fatalf("redirect %q (%v)", loc, err)
	}
	st, _ := c.FetchStatus(context.Background(), sess.ProviderReference)
	if st.State != providers.PaymentFailed {
		t.Fatalf("status %+v", st)
	}
}

// Session creation is keyed by the order id, so a repeat answers the same
// transaction; it is not retried by the client itself.
func TestCreateSessionKeyedNotRetried(t *testing.T) {
	e := newEnv(t)
	c := e.client(e.acct)
	req := sessionReq(e, "ord_keyed")
	a, err1 := c.CreateSession(context.Background(), req)
	b, err2 := c.CreateSession(context.Background(), req)
	if err1 != nil || err2 != nil || a != b {
		t.Fatalf("%+v %v / %+v %v", a, err1, b, err2)
	}
	_, _ = e.Faults.Add(sandboxkit.Fault{Account: testAPIKey, Operation: sandboxkit.OpCreateSession, Kind: sandboxkit.FaultStatus5xx, Count: 5})
	_, err := c.CreateSession(context.Background(), sessionReq(e, "ord_other"))
	if !errors.Is(err, providers.ErrTemporary) || e.Faults.List()[0].Used != 1 {
		t.Fatalf("%v, fault used %d times", err, e.Faults.List()[0].Used)
	}
}

// A transaction still started after an hour counts as abandoned: FAILED.
func TestStartedOverAnHourIsAbandoned(t *testing.T) {
	e := newEnv(t)
	clock := e.now
	c := New(e.acct, WithTimeout(testTimeout), WithClock(func() time.Time { return clock }))
	sess, err := c.CreateSession(context.Background(), sessionReq(e, "ord_abandon"))
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(AbandonedAfter - time.Minute)
	if st, _ := c.FetchStatus(context.Background(), sess.ProviderReference); st.State != providers.PaymentPending {
		t.Fatalf("after 59 minutes: %+v", st)
	}
	clock = clock.Add(2 * time.Minute)
	if st, _ := c.FetchStatus(context.Background(), sess.ProviderReference); st.State != providers.PaymentFailed || st.DeclineReason != "abandoned" {
		t.Fatalf("after 61 minutes: %+v", st)
	}
}
