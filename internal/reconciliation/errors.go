package reconciliation

import "github.com/pspbackoffice/backoffice/internal/domain"

// The named refusals of reconciliation, each bound to the API code it is shown under.
var (
	// ErrForbidden: only PSP staff (and the system's daily job) reconcile.
	ErrForbidden = domain.NewNamed(domain.CodeForbidden, "reconciliation: PSP staff only")
	// ErrInvalidDate: the day is in the future or further back than MaxDaysBack.
	ErrInvalidDate = domain.NewNamed(domain.CodeValidation, "reconciliation: invalid date")
	// ErrNoAccount: the PSP has no account at the provider it asked to reconcile.
	ErrNoAccount = domain.NewNamed(domain.CodeNotFound, "reconciliation: no provider account")
	// ErrMismatchNotFound: no mismatch with that id that the principal may see.
	ErrMismatchNotFound = domain.NewNamed(domain.CodeNotFound, "reconciliation: mismatch not found")
	// ErrInvalidNote: a resolution note is empty or longer than MaxNoteLength.
	ErrInvalidNote = domain.NewNamed(domain.CodeValidation, "reconciliation: invalid note")
	// ErrAlreadyResolved: the mismatch was resolved before; its note stays.
	ErrAlreadyResolved = domain.NewNamed(domain.CodeConflict, "reconciliation: mismatch already resolved")
)
