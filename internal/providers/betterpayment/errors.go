package betterpayment

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/pspbackoffice/backoffice/internal/providers"
)

// Error codes (error_code ≠ 0). Better Payment's public documents say only that 0 means
// success; these codes and the HTTP statuses beside them are inferred, used by the
// sandbox and mapped by the client. The client decides by HTTP status first, so an
// unknown code from the real API still lands in the right class.
const (
	CodeOK              = 0
	CodeInvalidRequest  = 100 // HTTP 400: a parameter is missing or malformed
	CodeUnauthorized    = 101 // HTTP 401: Basic credentials refused
	CodeNotFound        = 102 // HTTP 404: no such transaction for these credentials
	CodeWrongState      = 103 // HTTP 409: the transaction's status does not allow the operation
	CodeAmountTooHigh   = 104 // HTTP 409: above what is still authorised, captured or refundable
	CodeDeclined        = 105 // HTTP 200: the acquirer refused the operation
	CodeCardDataRefused = 106 // HTTP 400: raw card data sent to the sandbox, which takes none
	CodeInternalError   = 500 // HTTP 5xx
	CodeServiceUnavail  = 503 // HTTP 503
	CodeGatewayTimeout  = 504 // HTTP 504
)

var (
	// ErrBadSignature: the Gateway-Webhook-Signature header does not match the body.
	ErrBadSignature = errors.New("betterpayment: postback signature does not match")
	// ErrBadChecksum: the legacy checksum field does not match the parameters.
	ErrBadChecksum = errors.New("betterpayment: postback checksum does not match")
	// ErrUnsigned: the postback carries neither a signature header nor a checksum.
	ErrUnsigned = errors.New("betterpayment: postback is not signed")
	// ErrMalformedPostback: the body is not a form (or JSON) postback with a transaction id and status.
	ErrMalformedPostback = errors.New("betterpayment: malformed postback")
	// ErrNoWebhookKey: the account has no webhook key, so nothing can be verified.
	ErrNoWebhookKey = errors.New("betterpayment: no webhook key configured")
	// ErrUnexpectedAnswer: a successful answer whose body is not what the API documents.
	ErrUnexpectedAnswer = errors.New("betterpayment: unexpected answer")
)

// classify maps an answer with error_code ≠ 0 to the product's error class.
func classify(status, code int) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return providers.ErrUnauthenticated
	case status == http.StatusNotFound:
		return providers.ErrNotFound
	case status == http.StatusConflict:
		return providers.ErrConflict
	case status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500:
		return providers.ErrTemporary
	case status >= 400:
		return providers.ErrValidation
	}
	// HTTP 2xx with an error code: decide by the code.
	switch code {
	case CodeUnauthorized:
		return providers.ErrUnauthenticated
	case CodeNotFound:
		return providers.ErrNotFound
	case CodeWrongState, CodeAmountTooHigh:
		return providers.ErrConflict
	case CodeInvalidRequest, CodeCardDataRefused:
		return providers.ErrValidation
	case CodeInternalError, CodeServiceUnavail, CodeGatewayTimeout:
		return providers.ErrTemporary
	}
	return providers.ErrDeclined
}

func apiErr(status int, r response) *providers.Error {
	code := ""
	if r.ErrorCode != 0 {
		code = strconv.Itoa(r.ErrorCode)
	}
	msg := r.ErrorMessage
	if msg == "" && r.Message != nil {
		msg = *r.Message
	}
	return &providers.Error{Class: classify(status, r.ErrorCode), Provider: providers.BetterPayment, HTTPStatus: status, Code: code, Message: msg}
}

func invalid(msg string) error {
	return &providers.Error{Class: providers.ErrValidation, Provider: providers.BetterPayment, Message: msg}
}

func unexpected(msg string) error {
	return fmt.Errorf("%w: %w", ErrUnexpectedAnswer, &providers.Error{Class: providers.ErrTemporary, Provider: providers.BetterPayment, Message: msg})
}

// postbackErr is an unverifiable postback: the package's own reason, classed as
// ErrUnauthenticated so the server answers 401 and stores nothing.
func postbackErr(reason error, detail string) error {
	return fmt.Errorf("%w: %w", reason, &providers.Error{Class: providers.ErrUnauthenticated, Provider: providers.BetterPayment, Message: detail})
}
