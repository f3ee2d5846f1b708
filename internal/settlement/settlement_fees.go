package settlement

import (
	"fmt"

	"github.com/pspbackoffice/backoffice/internal/money"
)

// The fee of one credit, by the company's fee plan (FeeRule per product type):
// round_half_up(credit × bps / 10000), plus the fixed amount per order on the order's
// first credit only (a pay-now order has one credit; a pay-later order one per
// fulfilment part, and only the first carries the fixed part). A product type without
// a FeeRule costs nothing. Fees are not given back on refunds.
//
// The settlement run and the overview compute fees inside the database, so a run stays
// a few set-based statements however many items it settles: creditFeeSQL is the same
// rule over integer minor units (credits are never negative, so integer division after
// adding 5000 is half-up rounding), and TestFeeSQLMatchesBasisPoints holds the two
// together case by case.

// CreditFee is the fee of one credit of amount.
func CreditFee(amount money.Money, bps int64, fixed money.Money, firstCredit bool) (money.Money, error) {
	fee, err := amount.BasisPoints(bps)
	if err != nil || !firstCredit {
		return fee, err
	}
	return fee.Add(fixed)
}

// creditFeeSQL is CreditFee as a SQL expression over the given column expressions;
// first is a boolean condition.
func creditFeeSQL(amount, bps, fixed, first string) string {
	return fmt.Sprintf("((%s) * (%s) + 5000) / 10000 + CASE WHEN %s THEN (%s) ELSE 0 END", amount, bps, first, fixed)
}
