package billie

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
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

// DefaultDuration is the payment term in days the client asks for (inferred
// default; Billie's merchants choose 7–120).
const DefaultDuration = 30

// Client is the Billie PSP API client for one PSP account: Basic auth with
// Account.Username (PSP_ID + random string) and Account.Password; webhooks are
// checked against Account.WebhookSecret.
type Client struct {
	acct     providers.Account
	hc       *http.Client
	timeout  time.Duration
	duration int
}

// Option configures a Client.
type Option func(*Client)

// WithTimeout bounds every call (default DefaultTimeout).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithHTTPClient sets the HTTP client.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// New answers a client for acct. acct.BaseURL is the API root: the sandbox's mount
// URL, or https://paella.billie.io/api/v2 live.
func New(acct providers.Account, opts ...Option) *Client {
	c := &Client{acct: acct, hc: &http.Client{}, timeout: DefaultTimeout, duration: DefaultDuration}
	for _, o := range opts {
		o(c)
	}
	return c
}

var _ providers.Provider = (*Client)(nil)

// Name implements providers.Provider.
func (c *Client) Name() providers.Name { return providers.Billie }

// Capabilities implements providers.Provider: partial captures (invoices) and
// credit notes naming lines with integer quantities, so a fractional part goes by
// amount; invoice only, EUR.
func (c *Client) Capabilities() providers.Capabilities {
	return providers.CapabilitiesOf(domain.ProviderBillie)
}

func fail(class error, status int, code, msg string) *providers.Error {
	return &providers.Error{Class: class, Provider: providers.Billie, HTTPStatus: status, Code: code, Message: msg}
}

// api is the client's provider HTTP client: Basic auth, Billie's error body.
func (c *Client) api() *httpjson.Client {
	return &httpjson.Client{Provider: providers.Billie, HTTP: c.hc, Timeout: c.timeout,
		Auth:        func(r *http.Request) { r.SetBasicAuth(c.acct.Username, c.acct.Password) },
		DecodeError: decodeError}
}

// decodeError reads Billie's error body: the first error's code, every title
// (with its source) in the message.
func decodeError(status int, b []byte) error {
	var eb ErrorBody
	_ = json.Unmarshal(b, &eb)
	code, msgs := "", []string{}
	for _, e := range eb.Errors {
		if code == "" {
			code = e.Code
		}
		m := e.Title
		if e.Source != "" {
			m = e.Source + ": " + m
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		msgs = append(msgs, strings.TrimSpace(string(b)))
	}
	return fail(providers.StatusClass(status), status, code, strings.Join(msgs, "; "))
}

// do sends one call and decodes a 2xx answer into out. Billie takes no idempotency
// key, so no call is repeated.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	return c.api().Do(ctx, httpjson.Call{Method: method, URL: strings.TrimRight(c.acct.BaseURL, "/") + path, In: in, Out: out})
}

// ActivateMerchant enables a merchant company and answers Billie's merchant ID,
// which every later session, capture and refund carries (docs/providers/billie.md "Credentials and activation").
func (c *Client) ActivateMerchant(ctx context.Context, m providers.Merchant) (providers.Activation, error) {
	req := MerchantRequest{ExternalID: m.CompanyID, LegalName: m.LegalName, Country: strings.ToUpper(m.Country),
		RegistrationNumber: m.RegistrationNumber, VATID: m.VATID, IBAN: m.IBAN, Email: m.Email, Website: m.URL}
	var resp MerchantResponse
	if err := c.do(ctx, http.MethodPost, "/psp/merchants", req, &resp); err != nil {
		return providers.Activation{}, err
	}
	a := providers.Activation{ExternalMerchantID: resp.MerchantID, Reason: resp.Reason}
	switch resp.Status {
	case MerchantActive:
		a.Status = providers.ActivationActive
	case MerchantRejected:
		a.Status = providers.ActivationRejected
	default:
		a.Status = providers.ActivationPending
	}
	return a, nil
}

var errNoMerchant = fail(providers.ErrValidation, 0, "merchant_id_missing", "Billie needs the merchant ID from the merchant's activation")

// splitVAT is a gross amount as Billie's {net, gross, tax}.
func splitVAT(gross money.Money, bps int64) Amount {
	return amountOf(providers.TaxOf(gross, bps).Minor(), gross.Minor())
}

// decided is the caller's own split of gross when it made one (nil: split here).
func decided(gross money.Money, tax *money.Money) (Amount, bool) {
	if tax == nil {
		return Amount{}, false
	}
	return amountOf(tax.Minor(), gross.Minor()), true
}

func amountOf(tax, gross int64) Amount {
	e := func(v int64) Decimal { return Dec(money.New(v, Currency)) }
	return Amount{Net: e(gross - tax), Gross: e(gross), Tax: e(tax)}
}

// mulDivHalfUp is round_half_up(a × b / d) for a, b ≥ 0, d > 0, exact in big integers.
func mulDivHalfUp(a, b, d int64) int64 {
	if d <= 0 {
		return 0
	}
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	n.Mul(n, big.NewInt(2)).Add(n, big.NewInt(d))
	n.Quo(n, new(big.Int).Mul(big.NewInt(d), big.NewInt(2)))
	return n.Int64()
}

// proportional splits gross with the tax ratio of base; the whole of base gets
// base's exact parts, so the last part never leaves a cent of tax behind.
func proportional(gross money.Money, base Amount) Amount {
	if gross.Minor() == base.Gross.Minor() {
		return base
	}
	return amountOf(mulDivHalfUp(gross.Minor(), base.Tax.Minor(), base.Gross.Minor()), gross.Minor())
}

// amountFor is the {net, gross, tax} of an operation: from its lines' VAT rates
// when it has lines adding up to it, else in proportion to base.
func amountFor(gross money.Money, lines []providers.Line, base Amount) Amount {
	if gross.Minor() == base.Gross.Minor() || len(lines) == 0 {
		return proportional(gross, base)
	}
	var tax, sum int64
	for _, l := range lines {
		a := splitVAT(l.Total, l.VATRateBps)
		tax += a.Tax.Minor()
		sum += l.Total.Minor()
	}
	if sum != gross.Minor() {
		return proportional(gross, base)
	}
	return amountOf(tax, gross.Minor())
}

// lineItems answers the lines as Billie line items, or nil when one of them cannot
// be one: a fractional quantity, or a line the order does not have (fractional
// order lines are left out of the session).
func lineItems(o Order, lines []providers.Line) []LineItem {
	if len(lines) == 0 {
		return nil
	}
	known := map[string]bool{}
	for _, l := range o.LineItems {
		known[l.ExternalID] = true
	}
	out := make([]LineItem, 0, len(lines))
	for _, l := range lines {
		if !l.Quantity.IsWhole() || l.Quantity <= 0 || !known[l.SKU] {
			return nil
		}
		out = append(out, LineItem{ExternalID: l.SKU, Quantity: l.Quantity.Milli() / money.QuantityScale})
	}
	return out
}

// CreateSession creates a payment page session (POST /psp/hpp-checkout-sessions)
// and answers the page URL and the order uuid the page authorises.
func (c *Client) CreateSession(ctx context.Context, req providers.SessionRequest) (providers.Session, error) {
	if req.ExternalMerchantID == "" {
		return providers.Session{}, errNoMerchant
	}
	if req.Amount.Currency() != Currency {
		// Billie's amounts carry no currency: anything but EUR would be misread.
		return providers.Session{}, fail(providers.ErrValidation, 0, "currency", "Billie takes EUR only, not "+req.Amount.Currency())
	}
	ext := req.OrderID
	if ext == "" {
		ext = req.Reference
	}
	body := SessionRequest{MerchantID: req.ExternalMerchantID, ExternalCode: ext, Duration: c.duration,
		Debtor:       Debtor{Name: req.Shopper.CompanyName, Address: billieAddress(req.Billing)},
		Person:       &Person{FirstName: req.Shopper.FirstName, LastName: req.Shopper.LastName, Email: req.Shopper.Email, PhoneNumber: req.Shopper.Phone},
		MerchantURLs: MerchantURLs{AcceptURL: req.SuccessURL, DeclineURL: req.FailedURL}}
	if req.Delivery != nil {
		body.DeliveryAddress = billieAddress(*req.Delivery)
	}
	var tax int64
	for _, l := range req.Lines {
		a := splitVAT(l.Total, l.VATRateBps)
		tax += a.Tax.Minor()
		if !l.Quantity.IsWhole() {
			continue // Billie takes integer quantities; the amount still covers the line
		}
		body.LineItems = append(body.LineItems, LineItem{ExternalID: l.SKU, Title: l.Name,
			Quantity: l.Quantity.Milli() / money.QuantityScale, Amount: &a})
	}
	body.Amount = amountOf(tax, req.Amount.Minor())
	var resp SessionResponse
	if err := c.do(ctx, http.MethodPost, "/psp/hpp-checkout-sessions", body, &resp); err != nil {
		return providers.Session{}, err
	}
	s := providers.Session{ProviderReference: resp.OrderUUID, RedirectURL: resp.HPPURL}
	if t, err := time.Parse(time.RFC3339, resp.ExpiresAt); err == nil {
		s.ExpiresAt = t
	}
	if s.ProviderReference == "" || s.RedirectURL == "" {
		return s, fail(providers.ErrTemporary, 201, "", "answer carries no order uuid or hpp_url")
	}
	return s, nil
}

func billieAddress(a providers.Address) *Address {
	return &Address{Street: a.Street, City: a.City, PostalCode: a.PostalCode, Country: strings.ToUpper(a.Country)}
}

// Order fetches an order (GET /psp/orders/{uuid}).
func (c *Client) Order(ctx context.Context, uuid string) (Order, error) {
	var o Order
	err := c.do(ctx, http.MethodGet, "/psp/orders/"+url.PathEscape(uuid), nil, &o)
	return o, err
}

// FetchStatus implements providers.Provider. Authorized is what stays authorised:
// the approved amount less cancellations.
func (c *Client) FetchStatus(ctx context.Context, uuid string) (providers.PaymentStatus, error) {
	o, err := c.Order(ctx, uuid)
	if err != nil {
		return providers.PaymentStatus{}, err
	}
	zero := money.Zero(Currency)
	st := providers.PaymentStatus{ProviderReference: o.UUID, ProductType: domain.ProductInvoice, Amount: o.Amount.Gross.Money,
		Authorized: zero, Captured: zero, Refunded: zero, DeclineReason: o.DeclineReason}
	st.Operations = []providers.OperationRecord{}
	for _, iv := range o.Invoices {
		st.Captured = mustAdd(st.Captured, iv.Amount.Gross.Money)
		st.Operations = append(st.Operations, providers.OperationRecord{Kind: providers.OperationCapture, ProviderReference: o.UUID,
			ProviderOperationID: iv.UUID, Reference: iv.ExternalCode, Amount: iv.Amount.Gross.Money})
		for _, cr := range iv.CreditNotes {
			st.Refunded = mustAdd(st.Refunded, cr.Amount.Gross.Money)
			st.Operations = append(st.Operations, providers.OperationRecord{Kind: providers.OperationRefund, ProviderReference: o.UUID,
				ProviderOperationID: cr.UUID, Reference: cr.ExternalCode, Amount: cr.Amount.Gross.Money})
		}
	}
	for _, l := range o.LineItems {
		st.Items = append(st.Items, providers.ItemStatus{SKU: l.ExternalID, Fulfilled: money.Units(l.ShippedQuantity),
			Cancelled: money.Units(l.CancelledQuantity), Returned: money.Units(l.ReturnedQuantity)})
	}
	switch o.State {
	case StatePreWaiting, StateWaiting:
		st.State = providers.PaymentPending
	case StateAuthorized, StateCreated, StatePartiallyShipped, StateShipped, StateComplete:
		st.State, st.Authorized = providers.PaymentAuthorized, mustAdd(st.Amount, st.Refunded)
	case StateDeclined:
		st.State = providers.PaymentFailed
	case StateCanceled, StateCancelled:
		st.State = providers.PaymentCancelled
	default:
		return st, fail(providers.ErrTemporary, 200, "", "unknown order state "+o.State)
	}
	return st, nil
}

func mustAdd(a, b money.Money) money.Money {
	s, err := a.Add(b)
	if err != nil {
		return a
	}
	return s
}

// Capture creates an invoice (POST /psp/invoices) numbered with OperationID, for
// the order's uncaptured amount; lines go along when they are whole and known to
// the order, else it is by amount. A repeat with the same OperationID is answered
// with the same invoice.
func (c *Client) Capture(ctx context.Context, req providers.CaptureRequest) (providers.CaptureResult, error) {
	if req.ExternalMerchantID == "" {
		return providers.CaptureResult{}, errNoMerchant
	}
	o, err := c.Order(ctx, req.ProviderReference)
	if err != nil {
		return providers.CaptureResult{}, err
	}
	amt, ok := decided(req.Amount, req.Tax)
	if !ok {
		amt = amountFor(req.Amount, req.Lines, o.UnshippedAmount)
	}
	body := InvoiceRequest{MerchantID: req.ExternalMerchantID, Orders: []string{o.UUID}, ExternalCode: req.OperationID,
		Amount: amt, LineItems: lineItems(o, req.Lines)}
	var resp Created
	if err := c.do(ctx, http.MethodPost, "/psp/invoices", body, &resp); err != nil {
		return providers.CaptureResult{}, err
	}
	return providers.CaptureResult{ProviderOperationID: resp.UUID}, nil
}

// invoiceAmount is an invoice's amount, zero when the order has no such invoice.
func invoiceAmount(o Order, uuid string) Amount {
	for _, iv := range o.Invoices {
		if iv.UUID == uuid {
			return iv.Amount
		}
	}
	return amountOf(0, 0)
}

// creditPiece is one credit note of a refund.
type creditPiece struct {
	invoice string
	body    CreditNoteRequest
}

// ErrNothingToRefund: the invoices have less left to credit than the refund asks.
var ErrNothingToRefund = errors.New("the order's invoices have less left to credit than the refund")

// planCredits spreads a RETURN over the invoices: the CaptureRefs first, then the
// newest invoice first. Lines go along when one invoice can take them all;
// otherwise the pieces are by amount. Credit notes this operation already created
// count as not yet made, so a repeat plans the same pieces (and Billie answers
// them from its records).
func planCredits(o Order, req providers.RefundRequest, gross money.Money, lines []providers.Line) ([]creditPiece, error) {
	order := []Invoice{}
	seen := map[string]bool{}
	for _, ref := range req.CaptureRefs {
		for _, iv := range o.Invoices {
			if iv.UUID == ref && !seen[ref] {
				order, seen[ref] = append(order, iv), true
			}
		}
	}
	for i := len(o.Invoices) - 1; i >= 0; i-- {
		if iv := o.Invoices[i]; !seen[iv.UUID] {
			order, seen[iv.UUID] = append(order, iv), true
		}
	}
	own := func(code string) bool { return code == req.OperationID || strings.HasPrefix(code, req.OperationID+"-") }
	left := func(iv Invoice) (Amount, map[string]int64) {
		a := iv.Amount.minor()
		q := map[string]int64{}
		for _, l := range iv.LineItems {
			q[l.ExternalID] += l.Quantity
		}
		for _, cr := range iv.CreditNotes {
			if own(cr.ExternalCode) {
				continue
			}
			a = a.sub(cr.Amount.minor())
			for _, l := range cr.LineItems {
				q[l.ExternalID] -= l.Quantity
			}
		}
		return a.wire(), q
	}
	if items := lineItems(o, lines); items != nil {
		for _, iv := range order {
			a, q := left(iv)
			fits := a.Gross.Minor() >= gross.Minor()
			for _, li := range items {
				fits = fits && q[li.ExternalID] >= li.Quantity
			}
			if fits {
				return []creditPiece{{invoice: iv.UUID, body: CreditNoteRequest{MerchantID: req.ExternalMerchantID,
					ExternalCode: req.OperationID, Comment: req.Reason, Amount: amountFor(gross, lines, a), LineItems: items}}}, nil
			}
		}
	}
	if pieces, ok := splitCredits(order, left, req, gross, lines); ok {
		return pieces, nil
	}
	var pieces []creditPiece
	rest := gross.Minor()
	for _, iv := range order {
		if rest == 0 {
			break
		}
		a, _ := left(iv)
		take := min(rest, a.Gross.Minor())
		if take <= 0 {
			continue
		}
		code := req.OperationID
		if len(pieces) > 0 {
			code = fmt.Sprintf("%s-%d", req.OperationID, len(pieces)+1)
		}
		pieces = append(pieces, creditPiece{invoice: iv.UUID, body: CreditNoteRequest{MerchantID: req.ExternalMerchantID,
			ExternalCode: code, Comment: req.Reason, Amount: proportional(money.New(take, Currency), a)}})
		rest -= take
	}
	if rest > 0 {
		return nil, fmt.Errorf("%w: %s more than is left", ErrNothingToRefund, money.New(rest, Currency))
	}
	return pieces, nil
}

// splitCredits spreads RETURN lines no one invoice can take over the invoices in
// order: each takes of every line what it has left, with that part of the line's
// amount (the last part takes the rest), as one credit note naming those lines, so
// Billie's returned quantities follow the money. It answers false when the lines
// cannot go to Billie or the invoices cannot take them so.
func splitCredits(order []Invoice, left func(Invoice) (Amount, map[string]int64), req providers.RefundRequest, gross money.Money, lines []providers.Line) ([]creditPiece, bool) {
	if len(lines) == 0 || !lineItemsWhole(lines) {
		return nil, false
	}
	needQ, needA := make([]int64, len(lines)), make([]int64, len(lines))
	var sum int64
	for i, l := range lines {
		needQ[i], needA[i] = l.Quantity.Milli()/money.QuantityScale, l.Total.Minor()
		sum += needA[i]
	}
	if sum != gross.Minor() {
		return nil, false
	}
	var pieces []creditPiece
	for _, iv := range order {
		a, q := left(iv)
		var items []LineItem
		var parts []providers.Line
		var take int64
		for i, l := range lines {
			n := min(needQ[i], q[l.SKU])
			if n <= 0 {
				continue
			}
			amt := needA[i]
			if n < needQ[i] {
				amt = mulDivHalfUp(n, needA[i], needQ[i])
			}
			q[l.SKU] -= n
			needQ[i], needA[i], take = needQ[i]-n, needA[i]-amt, take+amt
			items = append(items, LineItem{ExternalID: l.SKU, Quantity: n})
			p := l
			p.Quantity, p.Total = money.Units(n), money.New(amt, Currency)
			parts = append(parts, p)
		}
		if len(items) == 0 {
			continue
		}
		if take > a.Gross.Minor() {
			return nil, false
		}
		code := req.OperationID
		if len(pieces) > 0 {
			code = fmt.Sprintf("%s-%d", req.OperationID, len(pieces)+1)
		}
		pieces = append(pieces, creditPiece{invoice: iv.UUID, body: CreditNoteRequest{MerchantID: req.ExternalMerchantID,
			ExternalCode: code, Comment: req.Reason, Amount: amountFor(money.New(take, Currency), parts, a), LineItems: items}})
	}
	for i := range needQ {
		if needQ[i] != 0 || needA[i] != 0 {
			return nil, false
		}
	}
	return pieces, true
}

// lineItemsWhole: every line has a whole, positive quantity.
func lineItemsWhole(lines []providers.Line) bool {
	for _, l := range lines {
		if !l.Quantity.IsWhole() || l.Quantity <= 0 {
			return false
		}
	}
	return true
}

// Refund gives back captured money with credit notes (POST
// /psp/invoices/{uuid}/credit-notes) and releases uncaptured money with a cancel
// (POST /psp/orders/{uuid}/cancel: all that is uninvoiced, or an inferred partial
// cancel of an amount and lines). RETURN lines or ReturnAmount say what to credit,
// CANCEL lines or CancelAmount what to cancel; neither means Amount is returned.
// Everything is planned from a fresh order first, so a refund Billie would refuse
// changes nothing; credit notes and cancels carry OperationID, so a repeat is
// answered from Billie's records.
func (c *Client) Refund(ctx context.Context, req providers.RefundRequest) (providers.RefundResult, error) {
	if req.ExternalMerchantID == "" {
		return providers.RefundResult{}, errNoMerchant
	}
	ret, cnl := money.Zero(Currency), money.Zero(Currency)
	var retLines, cnlLines []providers.Line
	switch {
	case len(req.Lines) > 0:
		for _, l := range req.Lines {
			switch l.Kind {
			case providers.RefundReturn:
				ret, retLines = mustAdd(ret, l.Total), append(retLines, l.Line)
			case providers.RefundCancel:
				cnl, cnlLines = mustAdd(cnl, l.Total), append(cnlLines, l.Line)
			default:
				return providers.RefundResult{}, fail(providers.ErrValidation, 0, "refund_kind", "a Billie refund line is RETURN or CANCEL, not "+string(l.Kind))
			}
		}
	case req.ReturnAmount.IsPositive() || req.CancelAmount.IsPositive():
		if req.ReturnAmount.IsPositive() {
			ret = req.ReturnAmount
		}
		if req.CancelAmount.IsPositive() {
			cnl = req.CancelAmount
		}
	default:
		ret = req.Amount
	}
	if !ret.IsPositive() && !cnl.IsPositive() {
		return providers.RefundResult{}, fail(providers.ErrValidation, 0, "amount", "nothing to refund or cancel")
	}
	o, err := c.Order(ctx, req.ProviderReference)
	if err != nil {
		return providers.RefundResult{}, err
	}
	var pieces []creditPiece
	if ret.IsPositive() && req.CreditTo != "" {
		// The caller chose the invoice and the split when it planned the refund: a
		// repeat sends the same credit note, which Billie answers from its records.
		body := CreditNoteRequest{MerchantID: req.ExternalMerchantID, ExternalCode: req.OperationID,
			Comment: req.Reason, LineItems: lineItems(o, retLines)}
		var ok bool
		if body.Amount, ok = decided(ret, req.Tax); !ok {
			body.Amount = amountFor(ret, retLines, invoiceAmount(o, req.CreditTo))
		}
		pieces = []creditPiece{{invoice: req.CreditTo, body: body}}
	} else if ret.IsPositive() {
		if pieces, err = planCredits(o, req, ret, retLines); err != nil {
			return providers.RefundResult{}, fail(providers.ErrConflict, 0, "amount_exceeds_invoice", err.Error())
		}
	}
	var ids []string
	if cnl.IsPositive() {
		body := CancelRequest{MerchantID: req.ExternalMerchantID, ExternalCode: req.OperationID + "-cancel"}
		if cnl.Minor() != o.UnshippedAmount.Gross.Minor() {
			a, ok := decided(cnl, req.Tax)
			if !ok {
				a = amountFor(cnl, cnlLines, o.UnshippedAmount)
			}
			body.Amount, body.LineItems = &a, lineItems(o, cnlLines)
		}
		var resp Created
		if err := c.do(ctx, http.MethodPost, "/psp/orders/"+url.PathEscape(o.UUID)+"/cancel", body, &resp); err != nil {
			return providers.RefundResult{}, err
		}
		if resp.UUID == "" {
			resp.UUID = o.UUID // the full cancel answers 204
		}
		ids = append(ids, resp.UUID)
	}
	for _, p := range pieces {
		var resp Created
		if err := c.do(ctx, http.MethodPost, "/psp/invoices/"+url.PathEscape(p.invoice)+"/credit-notes", p.body, &resp); err != nil {
			return providers.RefundResult{}, err
		}
		ids = append(ids, resp.UUID)
	}
	return providers.RefundResult{ProviderOperationID: strings.Join(ids, ",")}, nil
}
