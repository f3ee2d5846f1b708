package betterpayment

import "encoding/json"

// The wire types are Better Payment's JSON (docs/providers/betterpayment.md), shared by the
// client and the sandbox. Amounts are decimal major units: this package sends them as
// strings ("15.90", which the API accepts) and reads them as json.Number, because the
// API answers numbers (15.90); they are parsed with money.Parse, never through float64.

// authorizeRequest is POST /rest/authorize (and /rest/payment): the redirect (hosted)
// flow, so it never carries card fields.
type authorizeRequest struct {
	PaymentType               string `json:"payment_type"`
	OrderID                   string `json:"order_id"`
	MerchantReference         string `json:"merchant_reference,omitempty"`
	CustomerID                string `json:"customer_id,omitempty"`
	Amount                    string `json:"amount"`
	Currency                  string `json:"currency"`
	PostbackURL               string `json:"postback_url"`
	SuccessURL                string `json:"success_url"`
	ErrorURL                  string `json:"error_url"`
	Locale                    string `json:"locale,omitempty"`
	AdditionalTransactionData string `json:"additional_transaction_data,omitempty"`
	// Billing address block.
	FirstName  string `json:"first_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Address    string `json:"address,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
	// Card fields exist in the API for PCI DSS scoped merchants. This product never
	// sends them; they are declared only so the sandbox can refuse them.
	CardNumber string `json:"card_number,omitempty"`
	CardCVV    string `json:"card_cvv,omitempty"`
}

// captureRequest is POST /rest/capture; no amount captures everything still authorised.
type captureRequest struct {
	TransactionID string `json:"transaction_id"`
	Amount        string `json:"amount,omitempty"`
}

// reverseRequest is POST /rest/reverse; no amount reverses everything still authorised.
type reverseRequest struct {
	TransactionID string `json:"transaction_id"`
	Amount        string `json:"amount,omitempty"`
}

// refundRequest is POST /rest/refund; no amount refunds everything captured.
type refundRequest struct {
	TransactionID     string `json:"transaction_id"`
	Amount            string `json:"amount,omitempty"`
	Comment           string `json:"comment,omitempty"`
	MerchantReference string `json:"merchant_reference,omitempty"`
}

// Client actions after an authorize.
const (
	clientActionRedirect = "redirect"
	clientActionPostForm = "postForm"
)

type actionData struct {
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields,omitempty"`
}

// response is every answer of the API: the transaction after the operation, or the
// error (error_code ≠ 0). The *_amount fields of GET /rest/transactions/{id} and
// currency are inferred: no public source lists that endpoint's fields.
type response struct {
	TransactionID             string      `json:"transaction_id,omitempty"`
	RefundID                  string      `json:"refund_id,omitempty"`
	PaymentType               string      `json:"payment_type,omitempty"`
	StatusCode                int         `json:"status_code,omitempty"`
	Status                    string      `json:"status,omitempty"`
	OrderID                   string      `json:"order_id,omitempty"`
	Message                   *string     `json:"message"`
	AdditionalTransactionData *string     `json:"additional_transaction_data,omitempty"`
	Amount                    json.Number `json:"amount,omitempty"`
	IncludedFees              string      `json:"included_fees,omitempty"`
	Currency                  string      `json:"currency,omitempty"`
	AuthorizedAmount          json.Number `json:"authorized_amount,omitempty"`
	CapturedAmount            json.Number `json:"captured_amount,omitempty"`
	RefundedAmount            json.Number `json:"refunded_amount,omitempty"`
	ReversedAmount            json.Number `json:"reversed_amount,omitempty"`
	CreatedAt                 string      `json:"created_at,omitempty"` // inferred, RFC 3339
	ErrorCode                 int         `json:"error_code"`
	ErrorMessage              string      `json:"error_message,omitempty"`
	ClientAction              string      `json:"client_action,omitempty"`
	ActionData                *actionData `json:"action_data,omitempty"`
}

// Transaction status codes (docs/providers/betterpayment.md "Answers and statuses").
const (
	StatusStarted        = 1
	StatusPending        = 2
	StatusCompleted      = 3
	StatusError          = 4
	StatusCanceled       = 5
	StatusDeclined       = 6
	StatusRefunded       = 7
	StatusAuthorized     = 8
	StatusRegistered     = 9
	StatusDebtCollection = 10
	StatusDebtPaid       = 11
	StatusReversed       = 12
	StatusChargeback     = 13
)

// statusNames are the status texts the API sends beside the codes.
var statusNames = map[int]string{
	StatusStarted: "started", StatusPending: "pending", StatusCompleted: "completed",
	StatusError: "error", StatusCanceled: "canceled", StatusDeclined: "declined",
	StatusRefunded: "refunded", StatusAuthorized: "authorized", StatusRegistered: "registered",
	StatusDebtCollection: "debt_collection", StatusDebtPaid: "debt_paid",
	StatusReversed: "reversed", StatusChargeback: "chargeback",
}

// StatusName answers the API's text for a status code ("" for an unknown one).
func StatusName(code int) string { return statusNames[code] }

// Refund object status: the refund answer's status_code is the refund's, not the transaction's.
const refundStatusSuccessful = 1

// paymentTypeCard is the payment type of card payments (e-commerce).
const paymentTypeCard = "cardecom"

// Idempotency headers (docs/providers/betterpayment.md "Idempotency"): either is accepted; the client sends the first.
const (
	HeaderIdempotencyKey  = "Idempotency-Key"
	HeaderXIdempotencyKey = "X-Idempotency-Key"
)

// HeaderSignature carries the current postback signature.
const HeaderSignature = "Gateway-Webhook-Signature"
