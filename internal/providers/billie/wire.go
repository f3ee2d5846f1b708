package billie

import (
	"errors"

	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Currency is the only currency the product uses with Billie.
const Currency = "EUR"

// Decimal is a Billie amount in major units as a JSON number with 2 decimals
// ("gross": 119.00), never through float64 (providers.EURNumber).
type Decimal = providers.EURNumber

// Dec wraps a Money.
func Dec(m money.Money) Decimal { return providers.EUR(m) }

// Amount is Billie's amount object {net, gross, tax} (decimal major units).
type Amount struct {
	Net   Decimal `json:"net"`
	Gross Decimal `json:"gross"`
	Tax   Decimal `json:"tax"`
}

// ErrAmountParts: net + tax is not gross, or a part is negative.
var ErrAmountParts = errors.New("billie amount: net + tax must equal gross, none negative")

// Check tells whether the parts add up.
func (a Amount) Check() error {
	sum, err := a.Net.Add(a.Tax.Money)
	if err != nil || a.Net.IsNegative() || a.Tax.IsNegative() || a.Gross.IsNegative() ||
		sum.Minor() != a.Gross.Minor() || a.Gross.Currency() != Currency {
		return ErrAmountParts
	}
	return nil
}

// amountMinor is an Amount in minor units, for the sandbox's arithmetic.
type amountMinor struct {
	Net   int64 `json:"net"`
	Gross int64 `json:"gross"`
	Tax   int64 `json:"tax"`
}

func (a Amount) minor() amountMinor {
	return amountMinor{Net: a.Net.Minor(), Gross: a.Gross.Minor(), Tax: a.Tax.Minor()}
}

func (a amountMinor) wire() Amount {
	e := func(v int64) Decimal { return Dec(money.New(v, Currency)) }
	return Amount{Net: e(a.Net), Gross: e(a.Gross), Tax: e(a.Tax)}
}

func (a amountMinor) add(b amountMinor) amountMinor {
	return amountMinor{Net: a.Net + b.Net, Gross: a.Gross + b.Gross, Tax: a.Tax + b.Tax}
}

func (a amountMinor) sub(b amountMinor) amountMinor {
	return amountMinor{Net: a.Net - b.Net, Gross: a.Gross - b.Gross, Tax: a.Tax - b.Tax}
}

// Address is a postal address as Billie takes it.
type Address struct {
	Street      string `json:"street,omitempty"`
	HouseNumber string `json:"house_number,omitempty"`
	City        string `json:"city,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
	Country     string `json:"country"`
}

// Debtor is the buying company (B2B).
type Debtor struct {
	Name    string   `json:"name"`
	Address *Address `json:"address,omitempty"`
}

// Person is the buyer's contact person.
type Person struct {
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	Email       string `json:"email,omitempty"`
	PhoneNumber string `json:"phone_number,omitempty"`
}

// LineItem is an order line; Quantity is an integer (Billie takes no fractions).
type LineItem struct {
	ExternalID string  `json:"external_id"`
	Title      string  `json:"title,omitempty"`
	Quantity   int64   `json:"quantity"`
	Amount     *Amount `json:"amount,omitempty"`
}

// MerchantURLs are where the page sends the buyer.
type MerchantURLs struct {
	AcceptURL  string `json:"accept_url"`
	DeclineURL string `json:"decline_url"`
}

// MerchantRequest activates a merchant (inferred body of the PSP's enable-merchant call).
type MerchantRequest struct {
	ExternalID         string `json:"external_id"` // the PSP's id of the company
	LegalName          string `json:"legal_name"`
	Country            string `json:"country"`
	RegistrationNumber string `json:"registration_number,omitempty"`
	VATID              string `json:"vat_id,omitempty"`
	IBAN               string `json:"iban,omitempty"`
	Email              string `json:"email,omitempty"`
	Website            string `json:"website,omitempty"`
}

// Merchant activation states (inferred).
const (
	MerchantActive   = "active"
	MerchantPending  = "pending"
	MerchantRejected = "rejected"
)

// MerchantResponse answers the activation with Billie's merchant ID (docs/providers/billie.md "Credentials and activation").
type MerchantResponse struct {
	MerchantID string `json:"merchant_id"`
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`
}

// SessionRequest creates a payment page session (shape of the direct API's
// POST /hpp-checkout-sessions, plus merchant_id for the PSP API).
type SessionRequest struct {
	MerchantID      string       `json:"merchant_id"`
	ExternalCode    string       `json:"order_id"` // the merchant's order id
	Amount          Amount       `json:"amount"`
	Duration        int          `json:"duration"` // payment term in days
	Debtor          Debtor       `json:"debtor_company"`
	Person          *Person      `json:"debtor_person,omitempty"`
	DeliveryAddress *Address     `json:"delivery_address,omitempty"`
	LineItems       []LineItem   `json:"line_items,omitempty"`
	MerchantURLs    MerchantURLs `json:"merchant_urls"`
}

// SessionResponse answers a session: hpp_url is the page; order_uuid (inferred)
// is the order the page will authorise, which the PSP fetches and captures.
type SessionResponse struct {
	SessionID string `json:"session_id"`
	HPPURL    string `json:"hpp_url"`
	ExpiresAt string `json:"expires_at"`
	OrderUUID string `json:"order_uuid"`
}

// Order states (docs/providers/billie.md "Order states and decline reasons"); both spellings of canceled occur.
const (
	StatePreWaiting       = "pre_waiting"
	StateWaiting          = "waiting"
	StateAuthorized       = "authorized"
	StateCreated          = "created"
	StateDeclined         = "declined"
	StatePartiallyShipped = "partially_shipped"
	StateShipped          = "shipped"
	StateComplete         = "complete"
	StateCanceled         = "canceled"
	StateCancelled        = "cancelled"
)

// Decline reasons (docs/providers/billie.md "Order states and decline reasons").
const (
	DeclineDebtorAddress       = "debtor_address"
	DeclineDebtorNotIdentified = "debtor_not_identified"
	DeclineRiskPolicy          = "risk_policy"
	DeclineRiskScoringFailed   = "risk_scoring_failed"
	DeclineDebtorLimitExceeded = "debtor_limit_exceeded"
)

// CreditNote is a refund against an invoice.
type CreditNote struct {
	UUID         string     `json:"uuid"`
	ExternalCode string     `json:"external_code"`
	Amount       Amount     `json:"amount"`
	LineItems    []LineItem `json:"line_items,omitempty"`
}

// Invoice is a capture.
type Invoice struct {
	UUID         string       `json:"uuid"`
	ExternalCode string       `json:"external_code"`
	Amount       Amount       `json:"amount"`
	LineItems    []LineItem   `json:"line_items,omitempty"`
	CreditNotes  []CreditNote `json:"credit_notes"`
}

// OrderLine is an order line with what was shipped and cancelled (inferred fields).
type OrderLine struct {
	ExternalID        string `json:"external_id"`
	Title             string `json:"title,omitempty"`
	Quantity          int64  `json:"quantity"`
	ShippedQuantity   int64  `json:"shipped_quantity"`
	CancelledQuantity int64  `json:"cancelled_quantity"`
	ReturnedQuantity  int64  `json:"returned_quantity"`
}

// Order answers GET order. amount is what the debtor owes now (after cancellations
// and credit notes), unshipped_amount what can still be invoiced.
type Order struct {
	UUID            string      `json:"uuid"`
	ExternalCode    string      `json:"external_code"`
	MerchantID      string      `json:"merchant_id"`
	State           string      `json:"state"`
	DeclineReason   string      `json:"decline_reason,omitempty"`
	Amount          Amount      `json:"amount"`
	UnshippedAmount Amount      `json:"unshipped_amount"`
	Duration        int         `json:"duration"`
	CreatedAt       string      `json:"created_at"`
	Invoices        []Invoice   `json:"invoices"`
	LineItems       []OrderLine `json:"line_items"`
}

// InvoiceRequest captures: POST /invoices.
type InvoiceRequest struct {
	MerchantID   string     `json:"merchant_id"`
	Orders       []string   `json:"orders"`
	ExternalCode string     `json:"external_code"` // the invoice number
	InvoiceURL   string     `json:"invoice_url,omitempty"`
	Amount       Amount     `json:"amount"`
	LineItems    []LineItem `json:"line_items,omitempty"`
}

// CreditNoteRequest refunds: POST /invoices/{uuid}/credit-notes.
type CreditNoteRequest struct {
	MerchantID   string     `json:"merchant_id"`
	ExternalCode string     `json:"external_code"`
	Comment      string     `json:"comment,omitempty"`
	Amount       Amount     `json:"amount"`
	LineItems    []LineItem `json:"line_items,omitempty"`
}

// CancelRequest cancels an order's uncaptured part: POST /orders/{uuid}/cancel.
// Without amount it cancels everything not yet invoiced (the real call); with
// amount and line items it reduces the order by that much (inferred partial
// cancel, Billie's "update order details"). external_code makes a repeat a no-op.
type CancelRequest struct {
	MerchantID   string     `json:"merchant_id"`
	ExternalCode string     `json:"external_code,omitempty"`
	Amount       *Amount    `json:"amount,omitempty"`
	LineItems    []LineItem `json:"line_items,omitempty"`
}

// Created answers a created invoice, credit note or cancellation.
type Created struct {
	UUID string `json:"uuid"`
}

// ErrorBody is Billie's error answer (docs/providers/billie.md "Errors").
type ErrorBody struct {
	Errors []ErrorItem `json:"errors"`
}

// ErrorItem is one error; source names the field.
type ErrorItem struct {
	Title  string `json:"title"`
	Code   string `json:"code"`
	Source string `json:"source,omitempty"`
}

// AuthorizationWebhook is sent after the payment page (docs/providers/billie.md "Webhooks"). success arrives
// as "true"/"false" in the documentation's example; a JSON boolean is accepted too.
type AuthorizationWebhook struct {
	OrderID string `json:"order_id"`
	Success string `json:"success"`
}

// OrderWebhook is an order event (docs/providers/billie.md "Webhooks").
type OrderWebhook struct {
	CreatedAt   string  `json:"created_at"`
	Event       string  `json:"event"`
	OrderID     string  `json:"order_id"` // the merchant's order id (external code)
	OrderUUID   string  `json:"order_uuid"`
	InvoiceUUID string  `json:"invoice_uuid,omitempty"`
	Amount      *Amount `json:"amount,omitempty"`
}

// Order events (docs/providers/billie.md "Webhooks").
const (
	EventOrderCreated   = "order_created"
	EventOrderDeclined  = "order_declined"
	EventOrderShipped   = "order_shipped"
	EventOrderCanceled  = "order_canceled"
	EventOrderPaidOut   = "order_paid_out"
	EventInvoiceCreated = "invoice_created"
)
