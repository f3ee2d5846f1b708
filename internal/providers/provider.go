// Package providers defines the one interface the product speaks to payment providers
// in, in the product's terms, and the capability set each provider declares.
//
// Each provider is a real HTTP client in its own package (billie, paywerk, billwerk,
// betterpayment) speaking that provider's wire format, with a sandbox beside it: an
// http.Handler that simulates the provider's API, hosted payment page and
// notifications. In sandbox mode the server mounts the sandboxes under
// /sandbox/<provider>/ and points the same clients at them over real HTTP.
//
// The decision a reader would otherwise rediscover: callers adapt to Capabilities, not
// to provider names. A fractional quantity for a provider whose lines take integers
// becomes an amount-based capture or refund (the request carries no Lines), decided
// once by CaptureByLines / RefundByLines below.
package providers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// Name is the lowercase provider name used in paths (/webhooks/{provider}, /sandbox/{provider}/).
type Name string

const (
	Billie        Name = "billie"
	Paywerk       Name = "paywerk"
	Billwerk      Name = "billwerk"
	BetterPayment Name = "betterpayment"
)

// All lists the providers in display order.
var All = []Name{Billie, Paywerk, Billwerk, BetterPayment}

// Capabilities says what a provider's API can do, so callers adapt instead of branching on names.
type Capabilities struct {
	PartialCapture       bool // several captures up to the authorised amount
	LineLevelCapture     bool // a capture can name lines (sku + quantity)
	LineLevelRefunds     bool // a refund can name lines
	FractionalQuantities bool // line quantities may have decimals
	Cancel               bool // the uncaptured part can be cancelled (released) at the provider
	InstantSettle        bool // the payment is captured when authorised (nothing to capture later)
	// InstantSettleProductTypes: the product types whose payment is captured when
	// authorised although the provider's others are captured later (Paywerk's card).
	InstantSettleProductTypes []domain.ProductType
	LinesOnly                 bool // captures and refunds must name lines: no amount-based operations (Paywerk)
	ProductTypes              []domain.ProductType
	Currencies                []string
	// Langs are the languages of the payment page; nil: any ISO 639-1 code.
	Langs []string
	// NeedsCompany: the provider invoices businesses (B2B), so an order names the
	// buying company (Billie).
	NeedsCompany bool
	// ShopperCountries: per product type, the billing countries of the shoppers it is
	// offered to; a type not named is offered everywhere (Offers).
	ShopperCountries map[domain.ProductType][]string
	// PayLaterLimit: pay-later types are offered only within domain's pay-later
	// limit (Paywerk; Offers).
	PayLaterLimit bool
	// NoIdempotencyKey: captures and refunds take no idempotency key (Paywerk), so an
	// uncertain one must not simply be sent again: compare FetchStatus first.
	NoIdempotencyKey bool
	// RefundsAgainstCapture: a RETURN credits one named capture (Billie's credit note
	// on an invoice), so the caller decides which capture each part goes to.
	RefundsAgainstCapture bool
	// RefundInOneCall: RETURN and CANCEL lines go in one call (Paywerk); otherwise
	// they are separate calls, CANCEL first when CancelFirst.
	RefundInOneCall bool
	CancelFirst     bool
}

// SettlesAtAuthorisation tells whether the shopper's money of this product type is
// captured when the payment is authorised, rather than by a capture at fulfilment.
func (c Capabilities) SettlesAtAuthorisation(pt domain.ProductType) bool {
	return c.InstantSettle || slices.Contains(c.InstantSettleProductTypes, pt)
}

// CaptureByLines tells whether a capture of these lines can be sent as lines.
func (c Capabilities) CaptureByLines(lines []Line) bool {
	return c.LineLevelCapture && (c.FractionalQuantities || allWhole(lines))
}

// RefundByLines tells whether a refund of these lines can be sent as lines.
func (c Capabilities) RefundByLines(lines []Line) bool {
	return c.LineLevelRefunds && (c.FractionalQuantities || allWhole(lines))
}

func allWhole(lines []Line) bool {
	for _, l := range lines {
		if !l.Quantity.IsWhole() {
			return false
		}
	}
	return true
}

// Account is one PSP's credentials at one provider, decrypted for the call.
type Account struct {
	BaseURL       string // e.g. http://127.0.0.1:8080/sandbox/paywerk or the live host
	ExternalPSPID string // the PSP's id at the provider (Billie PSP_ID)
	Username      string // Basic auth user, or the API key for Bearer/Basic-with-key schemes
	Password      string
	WebhookSecret string // HMAC key or pre-shared webhook key
}

// Address is a postal address.
type Address struct {
	Street     string
	City       string
	PostalCode string
	Country    string // ISO 3166-1 alpha-2
}

// Shopper is the person paying.
type Shopper struct {
	FirstName, LastName, Email, Phone string
	CompanyName                       string // B2B debtor (Billie)
	Lang                              string
}

// Line is an order line as the provider sees it.
type Line struct {
	SKU        string
	Name       string
	Quantity   money.Quantity
	UnitPrice  money.Money // gross, per unit
	VATRateBps int64       // 1900 = 19 %
	Total      money.Money // gross total of this line (or of this part of it)
}

// Merchant is the company as a provider needs it for activation.
type Merchant struct {
	CompanyID          string // our company id
	LegalName          string
	Country            string
	RegistrationNumber string
	VATID              string
	IBAN               string
	Email              string
	URL                string
}

// ActivationStatus is the provider's answer to an activation.
type ActivationStatus string

const (
	ActivationPending  ActivationStatus = "PENDING"
	ActivationActive   ActivationStatus = "ACTIVE"
	ActivationRejected ActivationStatus = "REJECTED"
)

// Activation is the result of activating a merchant company with a provider.
type Activation struct {
	Status             ActivationStatus
	ExternalMerchantID string // Billie's merchant ID, kept and sent on every later call
	Reason             string // why it was rejected
}

// SessionRequest asks for a hosted payment page.
type SessionRequest struct {
	OrderID            string // our order id; also the idempotency anchor
	Reference          string // the merchant's order reference
	ExternalMerchantID string
	ProductType        domain.ProductType // empty: the shopper chooses on the page (Paywerk)
	ProductTypes       []domain.ProductType
	Amount             money.Money
	Lines              []Line
	Shopper            Shopper
	Billing            Address
	Delivery           *Address
	SuccessURL         string // where the shopper goes after approval
	FailedURL          string
	NotifyURL          string // our /webhooks/{provider} endpoint
}

// Session is a created payment session.
type Session struct {
	ProviderReference string // the provider's id for the payment (paywerkId, Billie order uuid, charge handle, transaction id)
	RedirectURL       string // the hosted payment page
	ExpiresAt         time.Time
}

// PaymentState is the payment's state in the product's terms.
type PaymentState string

const (
	PaymentPending    PaymentState = "PENDING"    // shopper has not finished
	PaymentAuthorized PaymentState = "AUTHORIZED" // confirmed, money reserved or paid
	PaymentFailed     PaymentState = "FAILED"     // declined or abandoned
	PaymentCancelled  PaymentState = "CANCELLED"
)

// PaymentStatus is what the provider says about a payment now.
type PaymentStatus struct {
	ProviderReference string
	State             PaymentState
	ProductType       domain.ProductType // as chosen by the shopper, when the provider tells
	Amount            money.Money        // what the shopper owes now
	Authorized        money.Money
	Captured          money.Money
	Refunded          money.Money // given back from what was captured (RETURN); cancellations show in Amount
	// Items are the per-line quantities, when the provider keeps them (Paywerk, Billie).
	Items []ItemStatus
	// Operations are the captures and refunds the provider keeps for the payment,
	// when its read API names them (Billie's invoices and credit notes); nil when it
	// reports totals only.
	Operations       []OperationRecord
	DeclineReason    string
	ShopperContinued bool // the shopper opened the page; the order can no longer be updated
}

// OperationKind is what a provider-side operation did.
type OperationKind string

const (
	OperationCapture OperationKind = "CAPTURE"
	OperationRefund  OperationKind = "REFUND"
)

// OperationRecord is one capture or refund as the provider keeps it.
type OperationRecord struct {
	Kind                OperationKind
	ProviderReference   string // the payment
	ProviderOperationID string // the provider's id (invoice uuid, refund id)
	Reference           string // the number we gave it (our operation id), when the provider keeps one
	Amount              money.Money
}

// PaymentPage is one page of a provider's payment listing.
type PaymentPage struct {
	Payments []PaymentStatus
	Next     string // "" on the last page
}

// OperationPage is one page of a provider's operation listing.
type OperationPage struct {
	Operations []OperationRecord
	Next       string // "" on the last page
}

// Lister is a provider whose read API lists payments and refunds by time
// (Billwerk+'s charge and refund listings), so reconciliation pages through a day
// instead of reading each payment. from is inclusive, to exclusive; page is ""
// for the first page, then the previous page's Next.
type Lister interface {
	ListPayments(ctx context.Context, from, to time.Time, page string) (PaymentPage, error)
	ListRefunds(ctx context.Context, from, to time.Time, page string) (OperationPage, error)
}

// ItemStatus is what the provider holds of one order line.
type ItemStatus struct {
	SKU                            string
	Fulfilled, Cancelled, Returned money.Quantity
}

// TaxOf is the VAT inside a gross amount at a rate in basis points: gross less the
// net rounded half up, so net + tax = gross by construction (the split Billie's
// sessions use too).
func TaxOf(gross money.Money, bps int64) money.Money {
	bps = max(bps, 0)
	g := gross.Minor()
	neg := g < 0
	if neg {
		g = -g
	}
	// net = round_half_up(g × 10000 / (10000 + bps)); order amounts are bounded
	// (domain.MaxOrderAmountMinor = 10^9), so 2 × g × 10000 stays far below 2^63.
	d := 10000 + bps
	net := (2*g*10000 + d) / (2 * d)
	t := g - net
	if neg {
		t = -t
	}
	return money.New(t, gross.Currency())
}

// Moved is what a provider reports a call moved: the total and, when it tells, per line.
type Moved struct {
	Amount money.Money
	Lines  []MovedLine
}

// MovedLine is one line of a provider's answer.
type MovedLine struct {
	SKU    string
	Kind   RefundKind // "" for a capture
	Amount money.Money
}

// CaptureRequest captures (fulfils) part of a payment.
type CaptureRequest struct {
	ProviderReference  string
	ExternalMerchantID string
	OperationID        string // our fulfilment id: the idempotency key and invoice number
	Amount             money.Money
	// Tax of Amount, decided by the caller once (nil: the client splits it).
	Tax   *money.Money
	Lines []Line // empty: capture by amount
}

// CaptureResult is the provider's id for the capture (Billie invoice uuid, settle id)
// and, when the answer says, what it captured.
type CaptureResult struct {
	ProviderOperationID string
	Moved               *Moved
}

// RefundKind is what a refund line does.
type RefundKind string

const (
	RefundReturn RefundKind = "RETURN" // came back: money back from what was captured
	RefundCancel RefundKind = "CANCEL" // cannot be sent: lowers what is owed, releases the uncaptured
)

// RefundLine is one line of a refund.
type RefundLine struct {
	Line
	Kind RefundKind
}

// RefundRequest refunds captured money and/or cancels uncaptured money.
type RefundRequest struct {
	ProviderReference  string
	ExternalMerchantID string
	OperationID        string // our refund id: idempotency key and credit note number
	Amount             money.Money
	ReturnAmount       money.Money  // part of Amount that was captured (RETURN)
	CancelAmount       money.Money  // part of Amount that was never captured (CANCEL)
	Lines              []RefundLine // empty: by amount
	CaptureRefs        []string     // provider ids of captures to refund against, newest first
	// CreditTo: the RETURN goes to this capture alone, as one credit with OperationID
	// as its number (RefundsAgainstCapture; decided by the caller once).
	CreditTo string
	// Tax of the RETURN or CANCEL this request carries (nil: the client splits it).
	Tax    *money.Money
	Reason string
}

// RefundResult is the provider's id for the refund and, when the answer says, what
// it moved.
type RefundResult struct {
	ProviderOperationID string
	Moved               *Moved
}

// EventKind is what an inbound notification means for us.
type EventKind string

const (
	EventPaymentChanged EventKind = "PAYMENT_CHANGED" // fetch the status (Paywerk callback, Billwerk+ webhook)
	EventAuthorized     EventKind = "AUTHORIZED"
	EventFailed         EventKind = "FAILED"
	EventCaptured       EventKind = "CAPTURED"
	EventRefunded       EventKind = "REFUNDED"
	EventCancelled      EventKind = "CANCELLED"
)

// Event is a verified inbound notification.
type Event struct {
	ID                string // the provider's event id, or a stable hash of the body when it has none; for deduplication
	Kind              EventKind
	ProviderReference string
	OrderReference    string
	Amount            *money.Money
	OccurredAt        time.Time
	NeedsFetch        bool // the notification carries no state: fetch the status
	// Unsigned: the provider signs nothing (Paywerk), so anyone could have sent it; it
	// is only ever a prompt to fetch the status of a payment we already have.
	Unsigned bool
}

// ErrUnknownPayment: a notification names a provider reference no order has; an
// unsigned one is then dropped without being stored (psp.Orders.RecordWebhook).
var ErrUnknownPayment = errors.New("no order has this provider reference")

// Provider is one payment provider, bound to one PSP account.
type Provider interface {
	Name() Name
	Capabilities() Capabilities
	ActivateMerchant(ctx context.Context, m Merchant) (Activation, error)
	CreateSession(ctx context.Context, req SessionRequest) (Session, error)
	FetchStatus(ctx context.Context, providerReference string) (PaymentStatus, error)
	Capture(ctx context.Context, req CaptureRequest) (CaptureResult, error)
	Refund(ctx context.Context, req RefundRequest) (RefundResult, error)
	// ParseWebhook verifies an inbound notification (signature, shared key or
	// checksum, compared in constant time) before parsing it; a bad one is ErrUnauthenticated.
	ParseWebhook(header http.Header, body []byte) (Event, error)
}

// AmountParts are the RETURN and CANCEL parts of a refund sent by amount; a request
// naming neither part is all RETURN. ok is false when a part is negative or nothing
// is positive.
func (r RefundRequest) AmountParts() (ret, cancel money.Money, ok bool) {
	ret, cancel = r.ReturnAmount, r.CancelAmount
	if ret.IsZero() && cancel.IsZero() {
		ret = r.Amount
	}
	ok = !ret.IsNegative() && !cancel.IsNegative() && (ret.IsPositive() || cancel.IsPositive())
	return ret, cancel, ok
}

// RefundInParts sends a refund by amount as up to two calls, for a provider whose
// refund gives back captured money only: the RETURN part through refund, then the
// CANCEL part through release (what is still authorised). Each answers its
// operation's id; the result names the first.
func RefundInParts(ret, cancel money.Money, refund, release func(money.Money) (string, error)) (RefundResult, error) {
	var res RefundResult
	for _, part := range []struct {
		amount money.Money
		call   func(money.Money) (string, error)
	}{{ret, refund}, {cancel, release}} {
		if !part.amount.IsPositive() {
			continue
		}
		id, err := part.call(part.amount)
		if err != nil {
			return RefundResult{}, err
		}
		if res.ProviderOperationID == "" {
			res.ProviderOperationID = id
		}
	}
	return res, nil
}
