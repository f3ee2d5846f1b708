package psp

import "github.com/pspbackoffice/backoffice/internal/domain"

// The named refusals of fulfilments and refunds, each bound to the API code it is
// shown under. Each is a problem's Err in a domain.Refusal, so errors.Is finds it.
// Order creation still names most of its problems by code alone (domain.Code*).
var (
	// Requests

	// ErrInvalidOperation: a fulfilment or refund request is malformed (no items, a
	// quantity that is not positive, an unknown refund type, a reason too long).
	ErrInvalidOperation = domain.NewNamed(domain.CodeValidation, "psp: invalid fulfilment or refund request")
	// ErrOrderNotFound: no order with that id that the principal may see.
	ErrOrderNotFound = domain.NewNamed(domain.CodeNotFound, "psp: order not found")
	// ErrUnknownSKU: the order has no item with the sku the request names.
	ErrUnknownSKU = domain.NewNamed(domain.CodeUnknownSKU, "psp: unknown sku")

	// Order state

	// ErrOrderNotConfirmed: only a CONFIRMED order is fulfilled or refunded.
	ErrOrderNotConfirmed = domain.NewNamed(domain.CodeOrderNotConfirmed, "psp: order not confirmed")
	// ErrQuantityExceedsRemaining: more than is open (fulfil) or returnable (refund).
	ErrQuantityExceedsRemaining = domain.NewNamed(domain.CodeQuantityExceedsRemaining, "psp: quantity exceeds what remains")
	// ErrPartialAutoNotAllowed: an AUTO refund takes a line's whole returnable and
	// open quantity or nothing.
	ErrPartialAutoNotAllowed = domain.NewNamed(domain.CodePartialAutoNotAllowed, "psp: partial AUTO refund")
	// ErrReturnExceedsCaptures: the order's captures have less left to credit than the
	// return (docs/provider-operations.md).
	ErrReturnExceedsCaptures = domain.NewNamed(domain.CodeConflict, "psp: return exceeds what the captures can credit")

	// Provider

	// ErrProviderRefused: the provider refused or could not be reached for the call;
	// nothing changed (or the order stays PENDING, for a payment session).
	ErrProviderRefused = domain.NewNamed(domain.CodeProviderError, "psp: provider error")
)
