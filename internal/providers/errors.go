package providers

import (
	"errors"
	"fmt"
)

// Error classes: every client maps its provider's error bodies to one of these, so the
// domain decides retries and user messages without knowing any wire format.
var (
	ErrValidation      = errors.New("provider: validation failed")       // 400/422: our request was wrong
	ErrConflict        = errors.New("provider: conflict with state")     // 409: e.g. already captured, wrong state
	ErrUnauthenticated = errors.New("provider: authentication failed")   // 401/403, or a bad webhook signature
	ErrNotFound        = errors.New("provider: not found")               // 404
	ErrDeclined        = errors.New("provider: declined")                // risk or payment refusal
	ErrTemporary       = errors.New("provider: temporarily unavailable") // 5xx, 429, timeouts: safe to retry with the same idempotency key
)

// Error is a provider error with its class, the provider's own code and message.
type Error struct {
	Class      error  // one of the Err* classes
	Provider   Name   //
	HTTPStatus int    // 0 when no answer came
	Code       string // the provider's error code
	Message    string
	// Cause is what failed beneath the call when no answer came (the transport's
	// error, e.g. internal/outbound refusing an address), for errors.Is; its text is
	// already in Message.
	Cause error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %v", e.Provider, e.Class)
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.HTTPStatus)
	}
	if e.Code != "" {
		s += " code " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Class, e.Cause}
	}
	return []error{e.Class}
}

// IsTemporary tells whether a call may be repeated with the same idempotency key.
func IsTemporary(err error) bool { return errors.Is(err, ErrTemporary) }

// StatusClass is the class of an HTTP error status a provider answered, so every
// client maps statuses alike: 401/403 unauthenticated, 404 not found, 409 conflict,
// 429 and 5xx temporary (safe to retry), any other 4xx validation. A provider whose
// body says more (a decline code) refines the class after calling this.
func StatusClass(status int) error {
	switch {
	case status == 401 || status == 403:
		return ErrUnauthenticated
	case status == 404:
		return ErrNotFound
	case status == 409:
		return ErrConflict
	case status == 429 || status >= 500:
		return ErrTemporary
	}
	return ErrValidation
}
