package billwerk

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Reepay API error codes this package uses (docs/providers/billwerk.md "Errors"). Reepay answers most state
// errors with HTTP 400, so the class is decided by the code, not by the status.
const (
	CodeDuplicateHandle         = 11
	CodeAlreadyCancelled        = 29
	CodeInvoiceNotFound         = 31
	CodeRefundAmountTooHigh     = 65
	CodeAlreadySettled          = 79
	CodeWrongState              = 82
	CodeAmountAboveAuthorized   = 102
	CodeAlreadyAuthorized       = 105
	CodeWrongStateForOperation  = 109
	CodePartialSettleNotAllowed = 130
	CodePartialRefundNotAllowed = 132
	codeRequestLimitExceeded    = 122 // HTTP 429
	codeInternalError           = 1   // HTTP 500; inferred code for the generic server error
	codeInvalidRequest          = 2   // HTTP 422; inferred code for a malformed request
)

// codeMessages are the texts Reepay sends in "error" for each code.
var codeMessages = map[int]string{
	CodeDuplicateHandle:         "Duplicate handle",
	CodeAlreadyCancelled:        "Invoice already cancelled",
	CodeInvoiceNotFound:         "Invoice not found",
	CodeRefundAmountTooHigh:     "Refund amount too high",
	CodeAlreadySettled:          "Invoice already settled",
	CodeWrongState:              "Invoice has wrong state",
	CodeAmountAboveAuthorized:   "Amount higher than authorized amount",
	CodeAlreadyAuthorized:       "Invoice already authorized",
	CodeWrongStateForOperation:  "Invoice in wrong state for operation",
	CodePartialSettleNotAllowed: "Partial settle not allowed",
	CodePartialRefundNotAllowed: "Partial refund not allowed",
	codeRequestLimitExceeded:    "Request rate limit exceeded",
	codeInternalError:           "Internal error",
	codeInvalidRequest:          "Invalid request",
}

var (
	// ErrBadSignature: a webhook's signature does not match HMAC-SHA256(secret, timestamp+id).
	ErrBadSignature = errors.New("billwerk: webhook signature does not match")
	// ErrMalformedWebhook: the webhook body is not the JSON Reepay sends, so it cannot be verified.
	ErrMalformedWebhook = errors.New("billwerk: malformed webhook")
	// ErrNoWebhookSecret: the account has no webhook secret, so nothing can be verified.
	ErrNoWebhookSecret = errors.New("billwerk: no webhook secret configured")
	// ErrUnexpectedAnswer: a 2xx answer whose body is not what the API documents.
	ErrUnexpectedAnswer = errors.New("billwerk: unexpected answer")
)

// classify maps a Reepay error answer to the product's error class.
func classify(status, code int) error {
	switch code {
	case CodeInvoiceNotFound:
		return providers.ErrNotFound
	case CodeDuplicateHandle, CodeAlreadyCancelled, CodeRefundAmountTooHigh, CodeAlreadySettled,
		CodeWrongState, CodeAmountAboveAuthorized, CodeAlreadyAuthorized, CodeWrongStateForOperation:
		return providers.ErrConflict
	case CodePartialSettleNotAllowed, CodePartialRefundNotAllowed:
		return providers.ErrValidation
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return providers.ErrUnauthenticated
	case status == http.StatusNotFound:
		return providers.ErrNotFound
	case status == http.StatusConflict:
		return providers.ErrConflict
	case status == http.StatusTooManyRequests || status >= 500 || status == http.StatusRequestTimeout:
		return providers.ErrTemporary
	}
	return providers.ErrValidation
}

// apiErr builds the product's error for a Reepay error answer.
func apiErr(status int, body apiError) *providers.Error {
	msg := body.Error
	if body.Message != "" {
		if msg != "" {
			msg += ": "
		}
		msg += body.Message
	}
	code := ""
	if body.Code != 0 {
		code = strconv.Itoa(body.Code)
	}
	return &providers.Error{
		Class:      classify(status, body.Code),
		Provider:   providers.Billwerk,
		HTTPStatus: status,
		Code:       code,
		Message:    msg,
	}
}

// webhookErr is an unverifiable webhook: the package's own reason, classed as
// ErrUnauthenticated so the server answers 401 and stores nothing.
func webhookErr(reason error, detail string) error {
	pe := &providers.Error{Class: providers.ErrUnauthenticated, Provider: providers.Billwerk, Message: detail}
	return fmt.Errorf("%w: %w", reason, pe)
}
