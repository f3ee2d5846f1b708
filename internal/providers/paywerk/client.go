package paywerk

import (
	"context"
	"encoding/json"
	"errors"
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

// DefaultTimeout bounds every call unless WithTimeout says otherwise.
const DefaultTimeout = 10 * time.Second

// Client is the Paywerk merchant API client for one API key (Account.Username),
// which Paywerk binds to one company and one shop.
type Client struct {
	acct        providers.Account
	hc          *http.Client
	timeout     time.Duration
	checkoutURL string
}

// Option configures a Client.
type Option func(*Client)

// WithTimeout bounds every call (default DefaultTimeout).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithHTTPClient sets the HTTP client (its own Timeout is left to WithTimeout).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// New answers a client for acct; acct.Username is the API key.
func New(acct providers.Account, opts ...Option) *Client {
	c := &Client{acct: acct, hc: &http.Client{}, timeout: DefaultTimeout}
	for _, o := range opts {
		o(c)
	}
	if c.checkoutURL == "" {
		c.checkoutURL = strings.TrimRight(acct.BaseURL, "/") + "/checkout"
	}
	return c
}

var _ providers.Provider = (*Client)(nil)

// Name implements providers.Provider.
func (c *Client) Name() providers.Name { return providers.Paywerk }

// Capabilities implements providers.Provider: lines with fractional quantities,
// partial fulfilment, line-level RETURN and CANCEL, and nothing by amount.
func (c *Client) Capabilities() providers.Capabilities {
	return providers.CapabilitiesOf(domain.ProviderPaywerk)
}

func (c *Client) fail(class error, status int, code, msg string) *providers.Error {
	return &providers.Error{Class: class, Provider: providers.Paywerk, HTTPStatus: status, Code: code, Message: msg}
}

// api is the client's provider HTTP client: the API key as Bearer token, Paywerk's
// error body.
func (c *Client) api() *httpjson.Client {
	return &httpjson.Client{Provider: providers.Paywerk, HTTP: c.hc, Timeout: c.timeout,
		Auth:        func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+c.acct.Username) },
		DecodeError: c.decodeError}
}

// decodeError reads Paywerk's error body: its code, its message and each detail.
func (c *Client) decodeError(status int, b []byte) error {
	var eb ErrorBody
	_ = json.Unmarshal(b, &eb)
	msg := eb.Message
	for _, d := range eb.Details {
		msg += fmt.Sprintf("; %s%s: %s %s", d.SKU, d.Field, d.Code, d.Message)
	}
	if msg == "" {
		msg = strings.TrimSpace(string(b))
	}
	return c.fail(providers.StatusClass(status), status, eb.Code, msg)
}

// do sends one call and decodes a 2xx answer into out. Paywerk takes no idempotency
// key (Capabilities.NoIdempotencyKey), so no call is repeated.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	return c.api().Do(ctx, httpjson.Call{Method: method, URL: strings.TrimRight(c.acct.BaseURL, "/") + path, In: in, Out: out})
}

// ActivateMerchant: Paywerk has no activation API; merchants onboard through
// Swedbank and create API keys in the Merchant Portal (docs/providers/paywerk.md "Authentication"). The client checks
// that the account's key is accepted (an authenticated payment schedule read) and
// applies the documentation's rule that Paywerk onboards Estonian merchants only.
func (c *Client) ActivateMerchant(ctx context.Context, m providers.Merchant) (providers.Activation, error) {
	if _, err := c.PaymentSchedule(ctx, domain.ProductPayNowCard, money.MustParse("100.00", Currency), ""); err != nil {
		return providers.Activation{}, err
	}
	if !strings.EqualFold(m.Country, "EE") {
		return providers.Activation{Status: providers.ActivationRejected,
			Reason: "Paywerk onboards Estonian merchants only (through Swedbank Estonia)"}, nil
	}
	return providers.Activation{Status: providers.ActivationActive}, nil
}

// vatPercent writes basis points as a percent with 2 decimals: 2200 → "22.00".
func vatPercent(bps int64) string {
	if bps < 0 {
		return ""
	}
	return fmt.Sprintf("%d.%02d", bps/100, bps%100)
}

func address(a providers.Address) *Address {
	return &Address{Street: a.Street, City: a.City, PostalCode: a.PostalCode, Country: strings.ToUpper(a.Country)}
}

// OrderRequestFor maps a session request to Paywerk's order request.
func OrderRequestFor(req providers.SessionRequest) OrderRequest {
	lang := strings.ToLower(req.Shopper.Lang)
	if lang == "" {
		lang = "en"
	}
	amt := NewAmount(req.Amount)
	o := OrderRequest{
		Lang: lang, FirstName: req.Shopper.FirstName, LastName: req.Shopper.LastName,
		Email: req.Shopper.Email, Phone: req.Shopper.Phone,
		BillingAddress: address(req.Billing), Amount: &amt, Currency: req.Amount.Currency(),
		SuccessURL: req.SuccessURL, FailedURL: req.FailedURL, CallbackURL: req.NotifyURL,
		Reference: req.Reference, Metadata: &Metadata{PluginName: "pspbackoffice"},
	}
	if o.Reference == "" {
		o.Reference = req.OrderID
	}
	if req.Delivery != nil {
		o.DeliveryAddress = address(*req.Delivery)
	}
	for _, l := range req.Lines {
		total := NewAmount(l.Total)
		o.Items = append(o.Items, OrderItem{SKU: l.SKU, Name: l.Name, Quantity: Qty{l.Quantity},
			UnitPrice: NewAmount(l.UnitPrice), VATRate: vatPercent(l.VATRateBps), TotalAmount: &total})
	}
	types := req.ProductTypes
	if req.ProductType != "" {
		types = []domain.ProductType{req.ProductType}
	}
	for _, pt := range types {
		o.DisplayedProductTypes = append(o.DisplayedProductTypes, string(pt))
	}
	return o
}

// CreateSession sends the order request (POST /orders). Re-sending the same
// Reference updates the pending order until the shopper continues; then Paywerk
// answers 409 (ErrConflict) and the caller needs a new reference.
func (c *Client) CreateSession(ctx context.Context, req providers.SessionRequest) (providers.Session, error) {
	var resp OrderResponse
	if err := c.do(ctx, http.MethodPost, "/orders", OrderRequestFor(req), &resp); err != nil {
		return providers.Session{}, err
	}
	if resp.PaywerkID == "" {
		return providers.Session{}, c.fail(providers.ErrTemporary, 200, "", "answer carries no paywerkId")
	}
	return providers.Session{ProviderReference: resp.PaywerkID,
		RedirectURL: c.checkoutURL + "/" + url.PathEscape(resp.PaywerkID)}, nil
}

// Order fetches the order details (GET /orders/{paywerkId}).
func (c *Client) Order(ctx context.Context, paywerkID string) (OrderDetails, error) {
	var d OrderDetails
	err := c.do(ctx, http.MethodGet, "/orders/"+url.PathEscape(paywerkID), nil, &d)
	return d, err
}

// FetchStatus implements providers.Provider from the order details: PENDING,
// CONFIRMED (authorized) or FAILED, and what was fulfilled and returned.
func (c *Client) FetchStatus(ctx context.Context, ref string) (providers.PaymentStatus, error) {
	d, err := c.Order(ctx, ref)
	if err != nil {
		return providers.PaymentStatus{}, err
	}
	st := providers.PaymentStatus{ProviderReference: d.PaywerkID, ProductType: domain.ProductType(d.ProductType),
		Amount: d.Amount.Money, Authorized: money.Zero(Currency), Captured: d.FulfilledAmount.Money,
		Refunded: d.ReturnedAmount.Money, DeclineReason: d.FailureReason, ShopperContinued: d.ShopperContinued}
	for _, it := range d.Items {
		st.Items = append(st.Items, providers.ItemStatus{SKU: it.SKU, Fulfilled: it.FulfilledQuantity.Quantity,
			Cancelled: it.CancelledQuantity.Quantity, Returned: it.ReturnedQuantity.Quantity})
	}
	switch d.Status {
	case StatusPending:
		st.State = providers.PaymentPending
	case StatusConfirmed:
		st.State, st.Authorized = providers.PaymentAuthorized, d.InitialAmount.Money
	case StatusFailed:
		st.State = providers.PaymentFailed
	default:
		return st, c.fail(providers.ErrTemporary, 200, "", "unknown order status "+d.Status)
	}
	return st, nil
}

// ErrNoLines: Paywerk fulfils and refunds items by sku; it has no amount-based operation.
var ErrNoLines = errors.New("paywerk fulfils and refunds by item (sku + quantity) only; an amount without lines cannot be sent")

// Capture fulfils lines (POST /orders/{id}/fulfil). Paywerk has no amount-based
// fulfilment, so a request without lines is ErrValidation. Paywerk takes no
// idempotency key: after an uncertain answer, fetch the order before retrying.
func (c *Client) Capture(ctx context.Context, req providers.CaptureRequest) (providers.CaptureResult, error) {
	if len(req.Lines) == 0 {
		return providers.CaptureResult{}, c.fail(providers.ErrValidation, 0, "LINES_REQUIRED", ErrNoLines.Error())
	}
	items := make([]FulfilItem, len(req.Lines))
	for i, l := range req.Lines {
		items[i] = FulfilItem{SKU: l.SKU, Quantity: &Qty{l.Quantity}}
	}
	var resp OperationResponse
	if err := c.do(ctx, http.MethodPost, "/orders/"+url.PathEscape(req.ProviderReference)+"/fulfil", items, &resp); err != nil {
		return providers.CaptureResult{}, err
	}
	return providers.CaptureResult{ProviderOperationID: resp.ID, Moved: moved(resp)}, nil
}

// Refund sends RETURN and CANCEL lines (POST /orders/{id}/refund); a line's Kind is
// its refundType ("AUTO" passes through). Without lines it is ErrValidation.
func (c *Client) Refund(ctx context.Context, req providers.RefundRequest) (providers.RefundResult, error) {
	if len(req.Lines) == 0 {
		return providers.RefundResult{}, c.fail(providers.ErrValidation, 0, "LINES_REQUIRED", ErrNoLines.Error())
	}
	items := make([]RefundItem, len(req.Lines))
	for i, l := range req.Lines {
		items[i] = RefundItem{SKU: l.SKU, RefundType: string(l.Kind), Quantity: &Qty{l.Quantity}}
	}
	var resp OperationResponse
	if err := c.do(ctx, http.MethodPost, "/orders/"+url.PathEscape(req.ProviderReference)+"/refund", items, &resp); err != nil {
		return providers.RefundResult{}, err
	}
	return providers.RefundResult{ProviderOperationID: resp.ID, Moved: moved(resp)}, nil
}

// moved is what Paywerk says an operation moved: it computes the amounts itself.
func moved(resp OperationResponse) *providers.Moved {
	if resp.Amount.Currency() == "" {
		return nil // an answer without amounts says nothing
	}
	m := &providers.Moved{Amount: resp.Amount.Money}
	for _, l := range resp.Items {
		m.Lines = append(m.Lines, providers.MovedLine{SKU: l.SKU, Kind: providers.RefundKind(l.RefundType), Amount: l.Amount.Money})
	}
	return m
}

// FulfilAll fulfils every open quantity (POST /orders/{id}/fulfil-all).
func (c *Client) FulfilAll(ctx context.Context, paywerkID string) (OperationResponse, error) {
	var resp OperationResponse
	err := c.do(ctx, http.MethodPost, "/orders/"+url.PathEscape(paywerkID)+"/fulfil-all", nil, &resp)
	return resp, err
}

// RefundAll refunds the whole order (POST /orders/{id}/refund-all): RETURN of what
// was fulfilled, CANCEL of the rest.
func (c *Client) RefundAll(ctx context.Context, paywerkID string) (OperationResponse, error) {
	var resp OperationResponse
	err := c.do(ctx, http.MethodPost, "/orders/"+url.PathEscape(paywerkID)+"/refund-all", nil, &resp)
	return resp, err
}

// PaymentSchedule fetches the schedule of a product type for an amount
// (GET /payment-schedule/{productType}?amount=&shopperCountryCode=).
func (c *Client) PaymentSchedule(ctx context.Context, pt domain.ProductType, amount money.Money, shopperCountry string) (Schedule, error) {
	q := url.Values{"amount": {amount.Amount()}}
	if shopperCountry != "" {
		q.Set("shopperCountryCode", shopperCountry)
	}
	var s Schedule
	err := c.do(ctx, http.MethodGet, "/payment-schedule/"+url.PathEscape(string(pt))+"?"+q.Encode(), nil, &s)
	return s, err
}
