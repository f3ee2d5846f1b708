package billwerk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/httpjson"
)

// Live hosts: the core API and the checkout API are two hosts at Reepay.
const (
	LiveCoreURL     = "https://api.reepay.com"
	LiveCheckoutURL = "https://checkout-api.reepay.com"
)

// Sandbox path prefixes: the sandbox serves both APIs under one base URL,
// {base}/api/v1/... for the core API and {base}/checkout/v1/... for the checkout API.
const (
	sandboxCorePrefix     = "/api"
	sandboxCheckoutPrefix = "/checkout"
)

// DefaultTimeout bounds every single HTTP call (each retry gets its own).
const DefaultTimeout = 10 * time.Second

// Client speaks Billwerk+ Payments' (Reepay's) API for one PSP account. It implements
// providers.Provider.
type Client struct {
	acct        providers.Account
	coreURL     string
	checkoutURL string
	http        *http.Client
	timeout     time.Duration
	retry       httpjson.Retry
	// partialCancel sends the inferred {"amount"} on cancel to release part of an
	// authorisation; off against the live hosts (see Refund). nil until decided.
	partialCancel *bool
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (its own Timeout, if any, also applies).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithTimeout sets the per-call timeout (default DefaultTimeout).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRetry sets how often a call carrying an idempotency key is tried on a temporary
// failure (attempts ≥ 1) and the first backoff, doubled per try with jitter.
func WithRetry(attempts int, backoff time.Duration) Option {
	return func(c *Client) { c.retry = httpjson.NewRetry(attempts, backoff) }
}

// WithBaseURLs sets the core and checkout API hosts explicitly, overriding what New
// derives from the account's BaseURL.
func WithBaseURLs(core, checkout string) Option {
	return func(c *Client) {
		c.coreURL = strings.TrimRight(core, "/")
		c.checkoutURL = strings.TrimRight(checkout, "/")
	}
}

// WithPartialCancel turns the inferred partial cancel on or off (default: on for a
// sandbox, off for the live hosts).
func WithPartialCancel(on bool) Option { return func(c *Client) { c.partialCancel = &on } }

// New builds a client for one account. An empty BaseURL (or the live core host) means
// the live hosts; any other BaseURL is a sandbox serving both APIs beneath it.
func New(acct providers.Account, opts ...Option) *Client {
	c := &Client{
		acct:    acct,
		http:    &http.Client{},
		timeout: DefaultTimeout,
		retry:   httpjson.DefaultRetry,
	}
	base := strings.TrimRight(acct.BaseURL, "/")
	switch base {
	case "", LiveCoreURL, LiveCoreURL + "/v1":
		c.coreURL, c.checkoutURL = LiveCoreURL, LiveCheckoutURL
	default:
		c.coreURL, c.checkoutURL = base+sandboxCorePrefix, base+sandboxCheckoutPrefix
	}
	for _, o := range opts {
		o(c)
	}
	if c.partialCancel == nil { // decided by the hosts finally in use
		on := c.coreURL != LiveCoreURL
		c.partialCancel = &on
	}
	return c
}

var _ providers.Provider = (*Client)(nil)

// Name is billwerk.
func (c *Client) Name() providers.Name { return providers.Billwerk }

// Currencies Billwerk+ is used with here.
var Currencies = []string{"EUR", "DKK", "SEK", "NOK", "USD", "GBP"}

// Capabilities: card payments authorised first and settled later, partially and
// repeatedly; settle can name lines with whole quantities; refunds go by amount.
func (c *Client) Capabilities() providers.Capabilities {
	return providers.CapabilitiesOf(domain.ProviderBillwerk)
}

// ActivateMerchant checks the private key against GET /v1/account. Billwerk+ knows no
// sub-merchants: every merchant of the PSP is processed under the PSP's account, so
// activation is immediate and there is no external merchant id.
func (c *Client) ActivateMerchant(ctx context.Context, m providers.Merchant) (providers.Activation, error) {
	var a account
	if err := c.do(ctx, http.MethodGet, c.coreURL, "/v1/account", nil, &a, ""); err != nil {
		return providers.Activation{}, err
	}
	return providers.Activation{Status: providers.ActivationActive}, nil
}

// CreateSession creates a checkout charge session; the order handle is our order id and
// becomes the charge handle, so it is the provider reference.
func (c *Client) CreateSession(ctx context.Context, req providers.SessionRequest) (providers.Session, error) {
	if req.OrderID == "" {
		return providers.Session{}, invalid("order id is required")
	}
	if !req.Amount.IsPositive() {
		return providers.Session{}, invalid("amount must be positive")
	}
	if !slices.Contains(Currencies, req.Amount.Currency()) {
		return providers.Session{}, invalid("currency " + req.Amount.Currency() + " is not supported")
	}
	if req.ProductType != "" && req.ProductType != domain.ProductPayNowCard {
		return providers.Session{}, invalid("product type " + string(req.ProductType) + " is not offered")
	}
	order := sessionOrder{
		Handle:    req.OrderID,
		Currency:  req.Amount.Currency(),
		Ordertext: req.Reference,
		Customer: &customer{
			Handle:    "cust-" + req.OrderID,
			Email:     req.Shopper.Email,
			FirstName: req.Shopper.FirstName,
			LastName:  req.Shopper.LastName,
			Phone:     req.Shopper.Phone,
			Company:   req.Shopper.CompanyName,
		},
		BillingAddress: wireAddress(req.Billing, req.Shopper),
	}
	if req.Delivery != nil {
		order.ShippingAddress = wireAddress(*req.Delivery, req.Shopper)
	}
	if lines, ok := wireLines(req.Lines, req.Amount); ok {
		order.OrderLines = lines
	} else {
		a := req.Amount.Minor()
		order.Amount = &a
	}
	body := sessionRequest{Order: order, AcceptURL: req.SuccessURL, CancelURL: req.FailedURL}
	var s sessionResponse
	if err := c.do(ctx, http.MethodPost, c.checkoutURL, "/v1/session/charge", body, &s, ""); err != nil {
		return providers.Session{}, err
	}
	if s.ID == "" || s.URL == "" {
		return providers.Session{}, unexpected("session answer without id or url")
	}
	return providers.Session{ProviderReference: req.OrderID, RedirectURL: s.URL}, nil
}

// FetchStatus reads the charge.
func (c *Client) FetchStatus(ctx context.Context, providerReference string) (providers.PaymentStatus, error) {
	ch, err := c.charge(ctx, providerReference)
	if err != nil {
		return providers.PaymentStatus{}, err
	}
	return statusOf(ch)
}

func (c *Client) charge(ctx context.Context, handle string) (charge, error) {
	if handle == "" {
		return charge{}, invalid("charge handle is required")
	}
	var ch charge
	err := c.do(ctx, http.MethodGet, c.coreURL, "/v1/charge/"+url.PathEscape(handle), nil, &ch, "")
	return ch, err
}

// owed is what the shopper owes now: the charge amount (lowered by partial cancels)
// less refunds; a cancelled charge owes what was settled before, less refunds.
func owed(ch charge) int64 {
	if ch.State == stateCancelled {
		return ch.SettledAmount - ch.RefundedAmount
	}
	return ch.Amount - ch.RefundedAmount
}

// statusOf translates a charge into the product's terms.
func statusOf(ch charge) (providers.PaymentStatus, error) {
	cur, err := money.NormalizeCurrency(ch.Currency)
	if err != nil {
		return providers.PaymentStatus{}, unexpected("charge currency: " + err.Error())
	}
	st := providers.PaymentStatus{
		ProviderReference: ch.Handle,
		ProductType:       domain.ProductPayNowCard,
		Amount:            money.New(owed(ch), cur),
		Authorized:        money.New(ch.AuthorizedAmount, cur),
		Captured:          money.New(ch.SettledAmount, cur),
		Refunded:          money.New(ch.RefundedAmount, cur),
		ShopperContinued:  ch.State != stateCreated,
	}
	switch ch.State {
	case stateCreated, statePending:
		st.State = providers.PaymentPending
	case stateAuthorized, stateSettled:
		st.State = providers.PaymentAuthorized
	case stateFailed:
		st.State = providers.PaymentFailed
		st.DeclineReason = ch.Error
		if st.DeclineReason == "" {
			st.DeclineReason = ch.ErrorState
		}
	case stateCancelled:
		st.State = providers.PaymentCancelled
	default:
		return providers.PaymentStatus{}, unexpected("unknown charge state " + ch.State)
	}
	return st, nil
}

// Capture settles part of the authorised amount, with our operation id as the
// idempotency key. Whole-quantity lines whose totals add up to the amount are sent as
// order lines; anything else is settled by amount.
func (c *Client) Capture(ctx context.Context, req providers.CaptureRequest) (providers.CaptureResult, error) {
	if req.ProviderReference == "" || req.OperationID == "" {
		return providers.CaptureResult{}, invalid("charge handle and operation id are required")
	}
	if !req.Amount.IsPositive() {
		return providers.CaptureResult{}, invalid("capture amount must be positive")
	}
	body := settleRequest{Key: req.OperationID}
	if lines, ok := wireLines(req.Lines, req.Amount); ok {
		body.OrderLines = lines
	} else {
		a := req.Amount.Minor()
		body.Amount = &a
	}
	var ch charge
	path := "/v1/charge/" + url.PathEscape(req.ProviderReference) + "/settle"
	if err := c.do(ctx, http.MethodPost, c.coreURL, path, body, &ch, req.OperationID); err != nil {
		return providers.CaptureResult{}, err
	}
	if err := errorState(ch.ErrorState, ch.Error); err != nil {
		return providers.CaptureResult{}, err
	}
	if ch.State != stateSettled {
		return providers.CaptureResult{}, unexpected("settle answered state " + ch.State)
	}
	return providers.CaptureResult{ProviderOperationID: ch.Transaction}, nil
}

// Refund gives back captured money (POST /v1/refund, keyed by our operation id) and
// releases uncaptured money (POST /v1/charge/{handle}/cancel). Releasing everything
// still authorised is Reepay's plain cancel. Releasing only part of it sends the
// inferred {"amount"} extension where partial cancel is enabled (the sandbox); against
// the live hosts it makes no call, because the uncaptured part is then simply never
// settled and the authorisation lapses.
// A request with neither ReturnAmount nor CancelAmount refunds Amount.
func (c *Client) Refund(ctx context.Context, req providers.RefundRequest) (providers.RefundResult, error) {
	if req.ProviderReference == "" || req.OperationID == "" {
		return providers.RefundResult{}, invalid("charge handle and operation id are required")
	}
	ret, cancel, ok := req.AmountParts()
	if !ok {
		return providers.RefundResult{}, invalid("refund amount must be positive")
	}
	return providers.RefundInParts(ret, cancel, func(ret money.Money) (string, error) {
		a := ret.Minor()
		body := refundRequest{Invoice: req.ProviderReference, Key: req.OperationID, Amount: &a, Text: req.Reason}
		var rf refund
		if err := c.do(ctx, http.MethodPost, c.coreURL, "/v1/refund", body, &rf, req.OperationID); err != nil {
			return "", err
		}
		switch rf.State {
		case refundRefunded, refundProcessing:
		case refundFailed:
			if err := errorState(rf.ErrorState, rf.Error); err != nil {
				return "", err
			}
			return "", &providers.Error{Class: providers.ErrDeclined, Provider: providers.Billwerk, HTTPStatus: http.StatusOK, Message: "refund failed"}
		default:
			return "", unexpected("refund answered state " + rf.State)
		}
		return rf.ID, nil
	}, func(cancel money.Money) (string, error) {
		return c.release(ctx, req.ProviderReference, req.OperationID, cancel)
	})
}

// release lets go of amount of the uncaptured authorisation; see Refund. With partial
// cancel enabled the cancel carries {key, amount} and the API decides (a repeated key
// answers the first answer); otherwise the amount is checked here first, because
// Reepay's plain cancel can only release everything.
func (c *Client) release(ctx context.Context, handle, opID string, amount money.Money) (string, error) {
	ch, err := c.charge(ctx, handle)
	if err != nil {
		return "", err
	}
	if ch.State == stateCancelled {
		return ch.Transaction, nil // already released: a repeat of this cancel
	}
	if ch.State != stateAuthorized && ch.State != stateSettled {
		return "", &providers.Error{Class: providers.ErrConflict, Provider: providers.Billwerk, Message: "charge is " + ch.State + ": nothing authorised to cancel"}
	}
	if amount.Currency() != ch.Currency {
		return "", invalid("cancel currency " + amount.Currency() + " differs from the charge's " + ch.Currency)
	}
	var body any
	if *c.partialCancel {
		a := amount.Minor()
		body = cancelRequest{Key: opID + ":cancel", Amount: &a}
	} else {
		open := ch.AuthorizedAmount - ch.SettledAmount
		switch {
		case amount.Minor() > open:
			return "", &providers.Error{Class: providers.ErrConflict, Provider: providers.Billwerk,
				Message: fmt.Sprintf("cancel of %s exceeds the %s still authorised", amount, money.New(open, ch.Currency))}
		case amount.Minor() < open:
			return ch.Handle + "/lapse", nil
		}
	}
	var out charge
	err = c.do(ctx, http.MethodPost, c.coreURL, "/v1/charge/"+url.PathEscape(handle)+"/cancel", body, &out, "")
	var pe *providers.Error
	if errors.As(err, &pe) && pe.Code == strconv.Itoa(CodeAlreadyCancelled) {
		return ch.Handle + "/cancel", nil
	}
	if err != nil {
		return "", err
	}
	if out.Transaction != "" {
		return out.Transaction, nil
	}
	return out.Handle + "/cancel", nil
}

// ParseWebhook verifies and parses a Reepay webhook with the account's webhook secret.
func (c *Client) ParseWebhook(header http.Header, body []byte) (providers.Event, error) {
	return ParseWebhook(c.acct.WebhookSecret, body)
}

// errorState turns a 200 answer's error_state into the product's error, or nil.
func errorState(state, reason string) error {
	switch state {
	case "":
		return nil
	case errorStateProcessingError:
		return &providers.Error{Class: providers.ErrTemporary, Provider: providers.Billwerk, HTTPStatus: http.StatusOK, Code: state, Message: reason}
	default:
		return &providers.Error{Class: providers.ErrDeclined, Provider: providers.Billwerk, HTTPStatus: http.StatusOK, Code: state, Message: reason}
	}
}

func invalid(msg string) error {
	return &providers.Error{Class: providers.ErrValidation, Provider: providers.Billwerk, Message: msg}
}

func unexpected(msg string) error {
	return fmt.Errorf("%w: %w", ErrUnexpectedAnswer, &providers.Error{Class: providers.ErrTemporary, Provider: providers.Billwerk, Message: msg})
}

// api is the client's provider HTTP client: the private key as Basic user, Reepay's
// error body (classed by its code), ErrUnexpectedAnswer for a 2xx it cannot read.
func (c *Client) api() *httpjson.Client {
	return &httpjson.Client{Provider: providers.Billwerk, HTTP: c.http, Timeout: c.timeout, Retry: c.retry,
		Auth: func(r *http.Request) { r.SetBasicAuth(c.acct.Username, "") },
		DecodeError: func(status int, b []byte) error {
			var e apiError
			_ = json.Unmarshal(b, &e)
			return apiErr(status, e)
		},
		Malformed: func(err error) error { return fmt.Errorf("%w: %w", ErrUnexpectedAnswer, err) },
	}
}

// do sends one API call and decodes a 2xx answer into out. A call carrying an
// idempotency key (the handle in the body) is repeated with backoff on a temporary
// failure; others are not, because repeating them could act twice.
func (c *Client) do(ctx context.Context, method, base, path string, in, out any, key string) error {
	return c.api().Do(ctx, httpjson.Call{Method: method, URL: base + path, In: in, Out: out, Key: key, Repeat: key != ""})
}

// wireLines converts lines to Reepay order lines when they can be sent as lines: whole
// quantities, one currency, each total exactly unit price × quantity, adding up to amount.
// Otherwise the caller sends the amount.
func wireLines(lines []providers.Line, amount money.Money) ([]orderLine, bool) {
	if len(lines) == 0 {
		return nil, false
	}
	incl := true
	out := make([]orderLine, 0, len(lines))
	var sum int64
	for _, l := range lines {
		if !l.Quantity.IsWhole() || l.Quantity <= 0 || l.UnitPrice.Currency() != amount.Currency() || l.Total.Currency() != amount.Currency() {
			return nil, false
		}
		if l.UnitPrice.IsNegative() {
			return nil, false
		}
		gross, err := l.UnitPrice.Times(l.Quantity)
		if err != nil || gross.Minor() != l.Total.Minor() {
			return nil, false
		}
		text := l.Name
		if text == "" {
			text = l.SKU
		}
		out = append(out, orderLine{
			Ordertext:     text,
			Amount:        l.UnitPrice.Minor(),
			Quantity:      l.Quantity.Milli() / money.QuantityScale,
			VAT:           vatFraction(l.VATRateBps),
			AmountInclVAT: &incl,
		})
		sum += l.Total.Minor()
	}
	if sum != amount.Minor() {
		return nil, false
	}
	return out, true
}

func wireAddress(a providers.Address, s providers.Shopper) *address {
	if a == (providers.Address{}) {
		return nil
	}
	return &address{Address: a.Street, City: a.City, PostalCode: a.PostalCode, Country: a.Country,
		FirstName: s.FirstName, LastName: s.LastName, Email: s.Email}
}
