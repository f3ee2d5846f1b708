package merchants

import "github.com/pspbackoffice/backoffice/internal/domain"

// The named refusals of onboarding, each bound to the API code it is shown under
// (docs/api.md, "Errors"). Each is a problem's Err in a domain.Refusal, so the API
// shows it as userErrors and callers test errors.Is(err, ErrX).
var (
	// Input

	// ErrInvalidInput: one or more input fields are malformed or out of range; each
	// problem names its field (an amount with more decimals than its currency is
	// shown as TOO_MANY_DECIMALS).
	ErrInvalidInput = domain.NewNamed(domain.CodeValidation, "merchants: invalid input")
	// ErrNotFound: the merchant, company or shop does not exist or belongs to another tenant.
	ErrNotFound = domain.NewNamed(domain.CodeNotFound, "merchants: not found")
	// ErrRegistrationTaken: another company of the PSP has this registration number.
	ErrRegistrationTaken = domain.NewNamed(domain.CodeConflict, "merchants: registration number already registered")
	// ErrNoPSP: the actor belongs to no PSP, so a new merchant would have no owner.
	ErrNoPSP = domain.NewNamed(domain.CodeForbidden, "merchants: no PSP to create the merchant in")

	// The merchant's status

	// ErrMerchantSuspended: PSP staff suspended the merchant; no new orders or API keys.
	ErrMerchantSuspended = domain.NewNamed(domain.CodeMerchantNotActive, "merchants: merchant is suspended")
	// ErrMerchantOnboarding: the merchant cannot take payments yet (see its checklist).
	ErrMerchantOnboarding = domain.NewNamed(domain.CodeMerchantNotActive, "merchants: merchant is still onboarding")
	// ErrNotSuspended: only a suspended merchant can be reactivated.
	ErrNotSuspended = domain.NewNamed(domain.CodeConflict, "merchants: merchant is not suspended")
	// ErrAlreadySuspended: the merchant is suspended already.
	ErrAlreadySuspended = domain.NewNamed(domain.CodeConflict, "merchants: merchant is already suspended")

	// Providers

	// ErrProviderNotActivated: the company has no ACTIVE activation with the provider.
	ErrProviderNotActivated = domain.NewNamed(domain.CodeProviderNotActivated, "merchants: company not activated with the provider")
	// ErrNoProviderAccount: the PSP has no account at the provider to activate with.
	ErrNoProviderAccount = domain.NewNamed(domain.CodeProviderError, "merchants: no provider account")

	// API keys

	// ErrInvalidRoll: rollApiKey's overlap (expiresInHours) is outside 0 to MaxRollOverlapHours.
	ErrInvalidRoll = domain.NewNamed(domain.CodeValidation, "merchants: invalid API key roll")
	// ErrAPIKeyNotFound: no API key with that id that the principal may see.
	ErrAPIKeyNotFound = domain.NewNamed(domain.CodeNotFound, "merchants: API key not found")
	// ErrAPIKeyInactive: the key is revoked or expired, so there is nothing to roll.
	ErrAPIKeyInactive = domain.NewNamed(domain.CodeConflict, "merchants: API key is revoked or expired")
	// ErrAPIKeyRolled: the key was rolled already; its successor is the one to roll.
	ErrAPIKeyRolled = domain.NewNamed(domain.CodeConflict, "merchants: API key was rolled already")
)
