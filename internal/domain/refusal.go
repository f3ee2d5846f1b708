package domain

import (
	"errors"
	"strconv"
	"strings"
)

// Codes of business refusals. They are the API's ErrorCode values: a refusal names
// one, the input field it concerns, and a message for people.
const (
	CodeValidation               = "VALIDATION"
	CodeNotFound                 = "NOT_FOUND"
	CodeConflict                 = "CONFLICT"
	CodeForbidden                = "FORBIDDEN"
	CodeIdempotencyKeyReused     = "IDEMPOTENCY_KEY_REUSED"
	CodeQuantityExceedsRemaining = "QUANTITY_EXCEEDS_REMAINING"
	CodePartialAutoNotAllowed    = "PARTIAL_AUTO_NOT_ALLOWED"
	CodeOrderNotConfirmed        = "ORDER_NOT_CONFIRMED"
	CodeUnknownSKU               = "UNKNOWN_SKU"
	CodeProviderError            = "PROVIDER_ERROR"
	CodeMerchantNotActive        = "MERCHANT_NOT_ACTIVE"
	CodeProviderNotActivated     = "PROVIDER_NOT_ACTIVATED"
	CodeCurrencyMismatch         = "CURRENCY_MISMATCH"
	CodeTooManyDecimals          = "TOO_MANY_DECIMALS"
	CodeAmountOutOfRange         = "AMOUNT_OUT_OF_RANGE" // outside a product's amount limits
	CodeSettlementClosed         = "SETTLEMENT_CLOSED"   // already PAID or SETTLED
)

// Problem is one reason a request was refused.
type Problem struct {
	Code string // the API's ErrorCode
	// Err is the domain package's named refusal, when the problem has one: errors.Is
	// finds it through the refusal. Not stored with a refusal (internal/idempotency
	// keeps the code, field and message).
	Err     *Named   `json:"-"`
	Field   []string // path to the input field, e.g. ["items", "2", "quantity"]
	Message string
}

// Refusal is an expected business refusal: the request was understood and refused,
// nothing changed. The API shows it as userErrors, never as a top-level error.
type Refusal struct{ Problems []Problem }

func (r *Refusal) Error() string {
	msgs := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "; ")
}

// Named is a named business refusal: a domain package's sentinel (declared with a doc
// comment, like internal/psp/errors.go) bound to the API code it is shown under, so
// the code is chosen once, where the refusal is named, not at every place that refuses.
type Named struct {
	Code string
	text string
}

// NewNamed declares a named refusal with its API code and its text for logs and tests.
func NewNamed(code, text string) *Named { return &Named{Code: code, text: text} }

func (n *Named) Error() string { return n.text }

// Unwrap answers the named errors of the problems, so errors.Is(refusal, ErrX) holds.
func (r *Refusal) Unwrap() []error {
	var out []error
	for _, p := range r.Problems {
		if p.Err != nil { // a nil *Named in an error would not be a nil error
			out = append(out, p.Err)
		}
	}
	return out
}

// RefuseErr builds a refusal with one problem named by a sentinel.
func RefuseErr(err *Named, field []string, message string) *Refusal {
	return &Refusal{Problems: []Problem{{Code: err.Code, Err: err, Field: field, Message: message}}}
}

// AddErr appends a problem named by a sentinel.
func (r *Refusal) AddErr(err *Named, field []string, message string) {
	r.Problems = append(r.Problems, Problem{Code: err.Code, Err: err, Field: field, Message: message})
}

// Refuse builds a refusal with one problem.
func Refuse(code string, field []string, message string) *Refusal {
	return &Refusal{Problems: []Problem{{Code: code, Field: field, Message: message}}}
}

// Add appends a problem; use with a nil-able *Refusal collector:
//
//	var r domain.Refusal
//	r.Add(domain.CodeValidation, []string{"name"}, "name is required")
//	if err := r.Err(); err != nil { return err }
func (r *Refusal) Add(code string, field []string, message string) {
	r.Problems = append(r.Problems, Problem{Code: code, Field: field, Message: message})
}

// Err is the refusal as an error, or nil when it has no problems.
func (r *Refusal) Err() error {
	if r == nil || len(r.Problems) == 0 {
		return nil
	}
	return r
}

// AsRefusal finds a refusal in an error chain.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

// Field builds a field path: Field("items", 2, "quantity").
func Field(parts ...any) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		switch v := p.(type) {
		case string:
			out[i] = v
		case int:
			out[i] = strconv.Itoa(v)
		}
	}
	return out
}
