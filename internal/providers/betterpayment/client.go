package betterpayment

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/httpjson"
)

// Hosts.
const (
	LiveURL = "https://api.betterpayment.de"
	TestURL = "https://testapi.betterpayment.de"
)

// Currency is the one currency this product uses Better Payment for.
const Currency = "EUR"

// DefaultTimeout bounds every single HTTP call (each retry gets its own).
const DefaultTimeout = 10 * time.Second

// Client speaks Better Payment's REST API for one PSP account. It implements
// providers.Provider.
type Client struct {
	acct        providers.Account
	baseURL     string
	checksumKey string
	http        *http.Client
	timeout     time.Duration
	retry       httpjson.Retry
	now         func() time.Time
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithTimeout sets the per-call timeout (default DefaultTimeout).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRetry sets how often a keyed call is tried on a temporary failure (attempts ≥ 1)
// and the first backoff, doubled per try with jitter.
func WithRetry(attempts int, backoff time.Duration) Option {
	return func(c *Client) { c.retry = httpjson.NewRetry(attempts, backoff) }
}

// New builds a client for one account; an empty BaseURL is the live host.
func New(acct providers.Account, opts ...Option) *Client {
	c := &Client{
		acct:        acct,
		baseURL:     strings.TrimRight(acct.BaseURL, "/"),
		checksumKey: acct.WebhookSecret,
		http:        &http.Client{},
		timeout:     DefaultTimeout,
		retry:       httpjson.DefaultRetry,
		now:         time.Now,
	}
	if c.baseURL == "" {
		c.baseURL = LiveURL
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

var _ providers.Provider = (*Client)(nil)

// Name is betterpayment.
func (c *Client) Name() providers.Name { return providers.BetterPayment }

// Capabilities: card payments authorised on the hosted page, captured partially and
// repeatedly, refunded by amount; the uncaptured part is reversed. No order lines.
func (c *Client) Capabilities() providers.Capabilities {
	return providers.CapabilitiesOf(domain.ProviderBetterPayment)
}

// ActivateMerchant answers ACTIVE at once: Better Payment has no merchant activation
// for a PSP's sub-merchants (all are processed under the PSP's API key), and no
// endpoint that checks credentials without a transaction.
func (c *Client) ActivateMerchant(ctx context.Context, m providers.Merchant) (providers.Activation, error) {
	if err := ctx.Err(); err != nil {
		return providers.Activation{}, err
	}
	return providers.Activation{Status: providers.ActivationActive}, nil
}

// CreateSession authorises the order through the redirect (hosted) flow: POST
// /rest/authorize without card fields answers client_action "redirect" and the page
// URL. Authorise-then-capture (not /rest/payment, which captures at once) is what lets
// fulfilment capture partially and later. The order id is the idempotency key.
func (c *Client) CreateSession(ctx context.Context, req providers.SessionRequest) (providers.Session, error) {
	if req.OrderID == "" {
		return providers.Session{}, invalid("order id is required")
	}
	if req.Amount.Currency() != Currency || !req.Amount.IsPositive() {
		return providers.Session{}, invalid("amount must be a positive EUR amount")
	}
	if req.ProductType != "" && req.ProductType != domain.ProductPayNowCard {
		return providers.Session{}, invalid("product type " + string(req.ProductType) + " is not offered")
	}
	body := authorizeRequest{
		PaymentType:       paymentTypeCard,
		OrderID:           req.OrderID,
		MerchantReference: req.Reference,
		Amount:            req.Amount.Amount(),
		Currency:          req.Amount.Currency(),
		PostbackURL:       req.NotifyURL,
		SuccessURL:        req.SuccessURL,
		ErrorURL:          req.FailedURL,
		Locale:            req.Shopper.Lang,
		FirstName:         req.Shopper.FirstName,
		LastName:          req.Shopper.LastName,
		Email:             req.Shopper.Email,
		Phone:             req.Shopper.Phone,
		Address:           req.Billing.Street,
		City:              req.Billing.City,
		PostalCode:        req.Billing.PostalCode,
		Country:           req.Billing.Country,
	}
	var r response
	// Keyed so a repeat answers the same transaction, but not retried here: nothing has
	// moved yet, and the caller repeats session creation with the same order id.
	if err := c.do(ctx, http.MethodPost, "/rest/authorize", body, &r, req.OrderID, false); err != nil {
		return providers.Session{}, err
	}
	switch r.StatusCode {
	case StatusDeclined, StatusError:
		return providers.Session{}, &providers.Error{Class: providers.ErrDeclined, Provider: providers.BetterPayment, HTTPStatus: http.StatusOK, Code: r.Status, Message: deref(r.Message)}
	}
	if r.TransactionID == "" || r.ClientAction != clientActionRedirect || r.ActionData == nil || r.ActionData.URL == "" {
		return providers.Session{}, unexpected(fmt.Sprintf("authorize answered status %d without a redirect", r.StatusCode))
	}
	return providers.Session{ProviderReference: r.TransactionID, RedirectURL: r.ActionData.URL}, nil
}

// FetchStatus reads GET /rest/transactions/{id}.
func (c *Client) FetchStatus(ctx context.Context, providerReference string) (providers.PaymentStatus, error) {
	r, err := c.transaction(ctx, providerReference)
	if err != nil {
		return providers.PaymentStatus{}, err
	}
	return statusOf(r, c.now())
}

// AbandonedAfter is how long a transaction may stay started (the shopper never
// finished the page) before it counts as abandoned (docs/providers/betterpayment.md "Answers and statuses").
const AbandonedAfter = time.Hour

// WithClock sets the clock the abandonment rule reads (tests).
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

func (c *Client) transaction(ctx context.Context, id string) (response, error) {
	if id == "" {
		return response{}, invalid("transaction id is required")
	}
	var r response
	err := c.do(ctx, http.MethodGet, "/rest/transactions/"+url.PathEscape(id), nil, &r, "", false)
	return r, err
}

// txAmounts are a transaction's amounts in minor units.
type txAmounts struct {
	amount, authorized, captured, refunded, reversed money.Money
}

// amountsOf reads the amounts. When the (inferred) per-operation amounts are absent,
// as they may be from the real API, they are derived from the status: authorised
// means the whole amount is authorised, completed that it is captured, refunded that
// it was given back.
func amountsOf(r response) (txAmounts, error) {
	cur := r.Currency
	if cur == "" {
		cur = Currency
	}
	cur, err := money.NormalizeCurrency(cur)
	if err != nil {
		return txAmounts{}, unexpected("currency: " + err.Error())
	}
	parse := func(n json.Number) (money.Money, error) {
		if n == "" {
			return money.Zero(cur), nil
		}
		return money.Parse(string(n), cur)
	}
	var a txAmounts
	for _, f := range []struct {
		dst *money.Money
		src json.Number
	}{{&a.amount, r.Amount}, {&a.authorized, r.AuthorizedAmount}, {&a.captured, r.CapturedAmount}, {&a.refunded, r.RefundedAmount}, {&a.reversed, r.ReversedAmount}} {
		if *f.dst, err = parse(f.src); err != nil {
			return txAmounts{}, unexpected("amount: " + err.Error())
		}
	}
	if r.AuthorizedAmount == "" {
		switch r.StatusCode {
		case StatusAuthorized:
			a.authorized = a.amount
		case StatusCompleted, StatusDebtCollection, StatusDebtPaid, StatusChargeback:
			a.authorized, a.captured = a.amount, a.amount
		case StatusRefunded:
			a.authorized, a.captured, a.refunded = a.amount, a.amount, a.amount
		}
	}
	return a, nil
}

func statusOf(r response, now time.Time) (providers.PaymentStatus, error) {
	a, err := amountsOf(r)
	if err != nil {
		return providers.PaymentStatus{}, err
	}
	owed, err := a.amount.Sub(a.refunded)
	if err == nil {
		owed, err = owed.Sub(a.reversed)
	}
	if err != nil {
		return providers.PaymentStatus{}, unexpected(err.Error())
	}
	st := providers.PaymentStatus{
		ProviderReference: r.TransactionID,
		ProductType:       domain.ProductPayNowCard,
		Amount:            owed,
		Authorized:        a.authorized,
		Captured:          a.captured,
		Refunded:          a.refunded,
		ShopperContinued:  r.StatusCode != StatusStarted,
	}
	switch r.StatusCode {
	case StatusStarted:
		st.State = providers.PaymentPending
		if t, err := time.Parse(time.RFC3339, r.CreatedAt); err == nil && now.Sub(t) > AbandonedAfter {
			st.State, st.DeclineReason = providers.PaymentFailed, "abandoned"
		}
	case StatusPending, StatusRegistered:
		st.State = providers.PaymentPending
	case StatusAuthorized, StatusCompleted, StatusRefunded, StatusDebtCollection, StatusDebtPaid, StatusChargeback:
		st.State = providers.PaymentAuthorized
	case StatusError, StatusDeclined:
		st.State = providers.PaymentFailed
		st.DeclineReason = deref(r.Message)
		if st.DeclineReason == "" {
			st.DeclineReason = r.Status
		}
	case StatusCanceled, StatusReversed:
		st.State = providers.PaymentCancelled
	default:
		return providers.PaymentStatus{}, unexpected(fmt.Sprintf("unknown status code %d", r.StatusCode))
	}
	return st, nil
}

// Capture captures part of the authorisation (POST /rest/capture), repeatable up to
// the authorised amount; our operation id is the idempotency key.
func (c *Client) Capture(ctx context.Context, req providers.CaptureRequest) (providers.CaptureResult, error) {
	if req.ProviderReference == "" || req.OperationID == "" {
		return providers.CaptureResult{}, invalid("transaction id and operation id are required")
	}
	if req.Amount.Currency() != Currency || !req.Amount.IsPositive() {
		return providers.CaptureResult{}, invalid("capture amount must be a positive EUR amount")
	}
	var r response
	body := captureRequest{TransactionID: req.ProviderReference, Amount: req.Amount.Amount()}
	if err := c.do(ctx, http.MethodPost, "/rest/capture", body, &r, req.OperationID, true); err != nil {
		return providers.CaptureResult{}, err
	}
	if r.StatusCode != StatusCompleted {
		return providers.CaptureResult{}, unexpected(fmt.Sprintf("capture answered status %d", r.StatusCode))
	}
	// The API has no capture id; the operation id names the capture.
	return providers.CaptureResult{ProviderOperationID: r.TransactionID + "/" + req.OperationID}, nil
}

// Refund gives back captured money (POST /rest/refund) and reverses uncaptured money
// (POST /rest/reverse, partial allowed: the rest stays authorised), each keyed by our
// operation id. A request with neither ReturnAmount nor CancelAmount refunds Amount.
func (c *Client) Refund(ctx context.Context, req providers.RefundRequest) (providers.RefundResult, error) {
	if req.ProviderReference == "" || req.OperationID == "" {
		return providers.RefundResult{}, invalid("transaction id and operation id are required")
	}
	ret, cancel, ok := req.AmountParts()
	if !ok {
		return providers.RefundResult{}, invalid("refund amount must be positive")
	}
	for _, m := range []money.Money{ret, cancel} {
		if !m.IsZero() && m.Currency() != Currency {
			return providers.RefundResult{}, invalid("refund amount must be in EUR")
		}
	}
	return providers.RefundInParts(ret, cancel, func(ret money.Money) (string, error) {
		var r response
		body := refundRequest{TransactionID: req.ProviderReference, Amount: ret.Amount(), Comment: req.Reason}
		if err := c.do(ctx, http.MethodPost, "/rest/refund", body, &r, req.OperationID, true); err != nil {
			return "", err
		}
		if r.RefundID == "" {
			return "", unexpected("refund answered no refund_id")
		}
		return r.RefundID, nil
	}, func(cancel money.Money) (string, error) {
		return c.reverse(ctx, req.ProviderReference, req.OperationID, cancel)
	})
}

// reverse reverses amount of what is still authorised. There is no pre-check: the API
// refuses an over-reversal itself, and a repeat of the same key must reach it so that
// it answers the first answer instead of refusing what was already reversed.
func (c *Client) reverse(ctx context.Context, txID, opID string, amount money.Money) (string, error) {
	var r response
	// A refund in the same request used the operation id; the reversal gets its own key.
	body := reverseRequest{TransactionID: txID, Amount: amount.Amount()}
	if err := c.do(ctx, http.MethodPost, "/rest/reverse", body, &r, opID+":reverse", true); err != nil {
		return "", err
	}
	return txID + "/reverse/" + opID, nil
}

// ParseWebhook verifies and parses a postback with the account's webhook key (and the
// legacy checksum key).
func (c *Client) ParseWebhook(header http.Header, body []byte) (providers.Event, error) {
	return ParsePostback(header, body, c.acct.WebhookSecret, c.checksumKey)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// api is the client's provider HTTP client: Basic auth, the idempotency key in
// HeaderIdempotencyKey, and Better Payment's error body, which a 2xx answer can carry
// too (error_code other than 0).
func (c *Client) api() *httpjson.Client {
	return &httpjson.Client{Provider: providers.BetterPayment, HTTP: c.http, Timeout: c.timeout, Retry: c.retry,
		Auth:      func(r *http.Request) { r.SetBasicAuth(c.acct.Username, c.acct.Password) },
		KeyHeader: HeaderIdempotencyKey,
		DecodeError: func(status int, b []byte) error {
			var r response
			if json.Unmarshal(b, &r) != nil {
				r = response{}
			}
			return apiErr(status, r)
		},
		Check: func(status int, b []byte) error {
			var r response
			if json.Unmarshal(b, &r) == nil && r.ErrorCode != CodeOK {
				return apiErr(status, r)
			}
			return nil
		},
		Malformed: func(err error) error { return fmt.Errorf("%w: %w", ErrUnexpectedAnswer, err) },
	}
}

// do sends one API call. A POST carries the idempotency key; with retry it is repeated
// with backoff on a temporary failure, which is safe because the API answers a
// repeated key with the first answer instead of acting again.
func (c *Client) do(ctx context.Context, method, path string, in any, out *response, key string, retry bool) error {
	if out == nil {
		out = new(response) // the answer is read (Check) even when the caller needs none of it
	}
	return c.api().Do(ctx, httpjson.Call{Method: method, URL: c.baseURL + path, In: in, Out: out, Key: key, Repeat: retry})
}
