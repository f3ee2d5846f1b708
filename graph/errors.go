package graph

import (
	"errors"

	"github.com/pspbackoffice/backoffice/internal/domain"
	ratelimits "github.com/pspbackoffice/backoffice/internal/limits"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// errorCodes is the one table from the domain packages' named errors to the API's
// codes for errors that are not refusals: such an error answers with its code and its
// message (classify, queryRefusal); every other one is INTERNAL. A refusal
// (domain.Refusal, shown as userErrors) carries its code itself: its problems are
// named by domain.Named sentinels bound to their code (internal/psp/errors.go) or by
// a code.
var errorCodes = []struct {
	err  error
	code string
}{
	// What a principal may not see is simply not found.
	{settlement.ErrSettlementNotFound, domain.CodeNotFound},
	{settlement.ErrCompanyNotFound, domain.CodeNotFound},
	// A Quantity that is not a decimal with at most 3 decimals fails in the scalar,
	// before any resolver: a VALIDATION error with the input path, not an internal one.
	{money.ErrTooManyDecimals, domain.CodeValidation},
	{money.ErrInvalidNumber, domain.CodeValidation},
	// The caller's cost bucket cannot pay the operation now (graph/throttle.go).
	{ratelimits.ErrThrottled, "THROTTLED"},
}

// topLevelCode answers the API code of an error named in errorCodes. A refusal is
// never one: it may carry the same named error (settlement.ErrSettlementNotFound as
// a markSettlementPaid problem) and is shown with its own problems.
func topLevelCode(err error) (string, bool) {
	if _, ok := domain.AsRefusal(err); ok {
		return "", false
	}
	for _, e := range errorCodes {
		if errors.Is(err, e.err) {
			return e.code, true
		}
	}
	return "", false
}
