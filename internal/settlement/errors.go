package settlement

import (
	"errors"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// The named refusals of settlement, each bound to the API code it is shown under
// (docs/api.md, "Errors"): a problem's Err in a domain.Refusal, so errors.Is finds
// it. The two not-found ones are also answered alone, as top-level errors of the
// settlement and overview queries and of the CSV export (graph/errors.go).
var (
	// ErrSettlementNotFound: no settlement with that id that the principal may see.
	ErrSettlementNotFound = domain.NewNamed(domain.CodeNotFound, "settlement not found")
	// ErrCompanyNotFound: no company with that id whose settlements the principal may see.
	ErrCompanyNotFound = domain.NewNamed(domain.CodeNotFound, "company not found")
	// ErrStaffOnly: only PSP staff (and the system's jobs) run settlements and mark
	// them paid.
	ErrStaffOnly = domain.NewNamed(domain.CodeForbidden, "settlement: PSP staff only")
	// ErrInvalidPeriod: a run's day is in the future, or an overview's period ends
	// before it starts or is longer than MaxOverviewDays.
	ErrInvalidPeriod = domain.NewNamed(domain.CodeValidation, "settlement: invalid day or period")
	// ErrSettlementClosed: the settlement is already PAID or SETTLED (or became so
	// meanwhile).
	ErrSettlementClosed = domain.NewNamed(domain.CodeSettlementClosed, "settlement: already paid or settled")
)

// The failures of a run and of the overview, which are not refusals: the API shows
// them as INTERNAL, the job log has the text.
var (
	// ErrNoPrincipal: an overview was asked for without anyone acting.
	ErrNoPrincipal = errors.New("settlement: no principal in the context")
	// ErrSettlementClaim: a run claimed a different number of items than it collected
	// (another writer settled some of them meanwhile); nothing is kept.
	ErrSettlementClaim = errors.New("settlement run: items changed while they were being settled")
	// ErrCompaniesNotSettled: some companies of a run could not be settled; the others
	// were. The job retries; a retry settles only what is still open.
	ErrCompaniesNotSettled = errors.New("settlement run: some companies could not be settled")
	// ErrBeyondBounds: an item's amount is beyond domain.MaxOrderAmountMinor, where fee
	// arithmetic is no longer safe; its company is not settled.
	ErrBeyondBounds = errors.New("an amount beyond the maximum order amount")
)
