package billwerk

import "encoding/json"

// The wire types below are Billwerk+ Payments' (Reepay's) JSON, shared by the client and
// the sandbox so the two cannot drift apart. Amounts are integers in minor units, as
// Reepay sends them; the VAT rate is a fraction ("0.25") carried as json.Number so it
// never passes through float64.

// sessionRequest is POST /v1/session/charge on the checkout API.
type sessionRequest struct {
	Order     sessionOrder `json:"order"`
	AcceptURL string       `json:"accept_url"`
	CancelURL string       `json:"cancel_url"`
	Recurring bool         `json:"recurring,omitempty"`
}

type sessionOrder struct {
	Handle          string      `json:"handle"`
	Amount          *int64      `json:"amount,omitempty"`
	Currency        string      `json:"currency,omitempty"`
	Ordertext       string      `json:"ordertext,omitempty"`
	Customer        *customer   `json:"customer,omitempty"`
	OrderLines      []orderLine `json:"order_lines,omitempty"`
	BillingAddress  *address    `json:"billing_address,omitempty"`
	ShippingAddress *address    `json:"shipping_address,omitempty"`
}

type customer struct {
	Handle    string `json:"handle,omitempty"`
	Email     string `json:"email,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Company   string `json:"company,omitempty"`
}

type address struct {
	Address    string `json:"address,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
	FirstName  string `json:"first_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	Email      string `json:"email,omitempty"`
}

// orderLine is one order line: amount is per unit in minor units, quantity an integer,
// vat a fraction, and amount_incl_vat (default true) says whether amount is gross.
type orderLine struct {
	Ordertext     string      `json:"ordertext"`
	Amount        int64       `json:"amount"`
	Quantity      int64       `json:"quantity"`
	VAT           json.Number `json:"vat,omitempty"`
	AmountInclVAT *bool       `json:"amount_incl_vat,omitempty"`
}

// sessionResponse is the created charge session.
type sessionResponse struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// Charge states as Reepay names them.
const (
	stateCreated    = "created"
	statePending    = "pending"
	stateAuthorized = "authorized"
	stateSettled    = "settled"
	stateFailed     = "failed"
	stateCancelled  = "cancelled"
)

// Error states on a charge or refund answered with HTTP 200: the acquirer said no
// (hard_declined) or could not be reached (processing_error, state left unchanged).
const (
	errorStateHardDeclined    = "hard_declined"
	errorStateProcessingError = "processing_error"
)

// charge is GET /v1/charge/{handle} and the answer to settle and cancel.
type charge struct {
	Handle           string            `json:"handle"`
	State            string            `json:"state"`
	Customer         string            `json:"customer,omitempty"`
	Amount           int64             `json:"amount"`
	Currency         string            `json:"currency"`
	AuthorizedAmount int64             `json:"authorized_amount"`
	SettledAmount    int64             `json:"settled_amount"`
	RefundedAmount   int64             `json:"refunded_amount"`
	Created          string            `json:"created,omitempty"`
	Authorized       string            `json:"authorized,omitempty"`
	Settled          string            `json:"settled,omitempty"`
	Cancelled        string            `json:"cancelled,omitempty"`
	Failed           string            `json:"failed,omitempty"`
	Transaction      string            `json:"transaction,omitempty"`
	Error            string            `json:"error,omitempty"`
	ErrorState       string            `json:"error_state,omitempty"`
	OrderLines       []chargeOrderLine `json:"order_lines,omitempty"`
}

type chargeOrderLine struct {
	ID            string      `json:"id"`
	Ordertext     string      `json:"ordertext"`
	Amount        int64       `json:"amount"`
	VAT           json.Number `json:"vat"`
	Quantity      int64       `json:"quantity"`
	AmountInclVAT bool        `json:"amount_incl_vat"`
	TotalAmount   int64       `json:"total_amount"`
}

// settleRequest is POST /v1/charge/{handle}/settle: key is the idempotency key.
type settleRequest struct {
	Key        string      `json:"key,omitempty"`
	Amount     *int64      `json:"amount,omitempty"`
	OrderLines []orderLine `json:"order_lines,omitempty"`
	Ordertext  string      `json:"ordertext,omitempty"`
}

// cancelRequest is the optional body of POST /v1/charge/{handle}/cancel. Reepay's cancel
// takes no body and releases all that is still authorised; the amount (releasing only
// part of it) and the idempotency key are an inferred extension that the sandbox
// implements and the client sends only where partial cancel is enabled (see
// WithPartialCancel).
type cancelRequest struct {
	Key    string `json:"key,omitempty"`
	Amount *int64 `json:"amount,omitempty"`
}

// refundRequest is POST /v1/refund: invoice is the charge handle, key the idempotency key.
type refundRequest struct {
	Invoice   string      `json:"invoice"`
	Key       string      `json:"key,omitempty"`
	Amount    *int64      `json:"amount,omitempty"`
	NoteLines []orderLine `json:"note_lines,omitempty"`
	Text      string      `json:"text,omitempty"`
}

// Refund states.
const (
	refundRefunded   = "refunded"
	refundProcessing = "processing"
	refundFailed     = "failed"
)

type refund struct {
	ID          string `json:"id"`
	State       string `json:"state"`
	Invoice     string `json:"invoice"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	Transaction string `json:"transaction,omitempty"`
	Error       string `json:"error,omitempty"`
	ErrorState  string `json:"error_state,omitempty"`
	Type        string `json:"type,omitempty"`
	Created     string `json:"created,omitempty"`
}

// account is GET /v1/account: who the private key belongs to.
type account struct {
	Handle   string `json:"handle"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	State    string `json:"state"`
}

// apiError is Reepay's error body for every non-2xx answer.
type apiError struct {
	Code       int    `json:"code"`
	Error      string `json:"error"`
	Message    string `json:"message,omitempty"`
	Path       string `json:"path"`
	Timestamp  string `json:"timestamp"`
	HTTPStatus int    `json:"http_status"`
	HTTPReason string `json:"http_reason"`
	RequestID  string `json:"request_id"`
}

// Webhook event types this product reacts to.
const (
	EventInvoiceAuthorized = "invoice_authorized"
	EventInvoiceSettled    = "invoice_settled"
	EventInvoiceFailed     = "invoice_failed"
	EventInvoiceCancelled  = "invoice_cancelled"
	EventInvoiceRefund     = "invoice_refund"
)

// Webhook is the body Reepay posts to the configured webhook URL. It carries no charge
// state: the receiver fetches the charge named by Invoice.
type Webhook struct {
	ID          string `json:"id"`
	EventID     string `json:"event_id"`
	EventType   string `json:"event_type"`
	Timestamp   string `json:"timestamp"`
	Signature   string `json:"signature"`
	Invoice     string `json:"invoice,omitempty"`
	Transaction string `json:"transaction,omitempty"`
	Customer    string `json:"customer,omitempty"`
}
