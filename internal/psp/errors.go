package psp

import "github.com/pspbackoffice/backoffice/internal/domain"

// The named refusals of the money service, each bound to the API code it is shown
// under. Each is a problem's Err in a domain.Refusal, so errors.Is finds it.
var (
	// Orders

	// ErrInvalidOrder: a createOrder input is malformed or out of bounds
	// (docs/input-bounds.md); each problem names its field.
	ErrInvalidOrder = domain.NewNamed(domain.CodeValidation, "psp: invalid order")
	// ErrCompanyOrShopNotFound: the order names a company or shop the principal may
	// not see.
	ErrCompanyOrShopNotFound = domain.NewNamed(domain.CodeNotFound, "psp: company or shop not found")
	// ErrReferenceConflict: the reference belongs to an earlier order that the request
	// cannot repeat or replace (another content, or the shopper has continued).
	ErrReferenceConflict = domain.NewNamed(domain.CodeConflict, "psp: order reference conflicts with an earlier order")
	// ErrProviderNotActivated: the company has no ACTIVE activation with the provider.
	ErrProviderNotActivated = domain.NewNamed(domain.CodeProviderNotActivated, "psp: provider not activated")
	// ErrCurrencyMismatch: one currency per company (and per shop limits).
	ErrCurrencyMismatch = domain.NewNamed(domain.CodeCurrencyMismatch, "psp: currency mismatch")
	// ErrTooManyDecimals: an amount has more decimals than its currency.
	ErrTooManyDecimals = domain.NewNamed(domain.CodeTooManyDecimals, "psp: too many decimals")
	// ErrAmountOutOfRange: outside a product's amount limits (pay later).
	ErrAmountOutOfRange = domain.NewNamed(domain.CodeAmountOutOfRange, "psp: amount out of the product's range")
	// ErrInvalidSchedule: a payment schedule asked for a malformed amount or an unknown
	// product type.
	ErrInvalidSchedule = domain.NewNamed(domain.CodeValidation, "psp: invalid payment schedule request")
	// ErrInvalidSearch: orders(search:) is longer than MaxSearchLength characters.
	ErrInvalidSearch = domain.NewNamed(domain.CodeValidation, "psp: invalid order search")

	// Fulfilments and refunds: requests

	// ErrInvalidOperation: a fulfilment or refund request is malformed (no items, a
	// quantity that is not positive, an unknown refund type, a reason too long).
	ErrInvalidOperation = domain.NewNamed(domain.CodeValidation, "psp: invalid fulfilment or refund request")
	// ErrOrderNotFound: no order with that id that the principal may see.
	ErrOrderNotFound = domain.NewNamed(domain.CodeNotFound, "psp: order not found")
	// ErrUnknownSKU: the order has no item with the sku the request names.
	ErrUnknownSKU = domain.NewNamed(domain.CodeUnknownSKU, "psp: unknown sku")

	// Fulfilments and refunds: the order's state

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
