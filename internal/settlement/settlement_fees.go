package settlement

import (
	"context"
	"fmt"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/feeplanversion"
	"github.com/pspbackoffice/backoffice/ent/feerule"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
)

// Fees (docs/settlement.md "Fees"). A company's fee plan has, per
// product type, basis points of the credited amount and a fixed amount per order.
//
//   - Frozen when earned: the plan in force when a credit arises (an order paid at
//     confirmation, a fulfilment part captured) is recorded with it (FeeTerms, on
//     the order or the fulfilment); a later plan change applies only to later
//     credits. A credit recorded before plans had versions is charged by the current
//     plan (its fee_bps is NULL).
//   - Cannot be split away: the percentage is taken on the order's cumulative
//     credited amount, fee of a part = round(rate × credited after) − round(rate ×
//     credited before), half up, so however a fulfilment is split its fees add up to
//     the fee of the whole to the cent. "Before" is what earlier credits of the order
//     took: its parts already settled plus its parts earlier in the same run
//     (payout date, then id), so the parts telescope in the order they are credited.
//   - The fixed amount once per order, on its first credit. Fees are not given back on
//     refunds.
//
// The run and the overview compute fees inside the database (cumulativeFeeSQL), so a
// run stays a few set-based statements; CumulativeFee is the same rule in Go and
// TestFeeSQLMatchesBasisPoints holds the two together. Credits are never negative and
// an order is at most domain.MaxOrderAmountMinor, so amount × bps stays far below
// the int64 limit and integer division after adding 5000 is half-up rounding.

// FeeTerms are one product type's fee in the plan in force when a credit arose.
type FeeTerms struct {
	VersionID  string // empty: a plan saved before versions existed
	Bps        int64
	FixedMinor int64
}

// FeeTermsNow reads the company's fee for a product type as it stands (its FeeRule,
// which the newest version of its plan wrote) and that version, through c (the
// caller's transaction). A product type without a fee costs nothing.
func FeeTermsNow(ctx context.Context, c *ent.Client, companyID string, pt domain.ProductType) (FeeTerms, error) {
	var t FeeTerms
	r, err := c.FeeRule.Query().Where(feerule.CompanyID(companyID), feerule.ProductTypeEQ(pt)).Only(ctx)
	switch {
	case err == nil:
		t.Bps, t.FixedMinor = r.PercentBps, r.FixedMinor
	case !ent.IsNotFound(err):
		return t, err
	}
	v, err := c.FeePlanVersion.Query().Where(feeplanversion.CompanyID(companyID)).
		Order(ent.Desc(feeplanversion.FieldVersion)).First(ctx)
	switch {
	case err == nil:
		t.VersionID = v.ID
	case !ent.IsNotFound(err):
		return t, err
	}
	return t, nil
}

// feeTermsSetter is what an order or fulfilment mutation offers to freeze fees on.
type feeTermsSetter interface {
	SetFeeBps(int64)
	SetFeeFixedMinor(int64)
	SetFeePlanVersionID(string)
}

// Freeze records the terms on a credit's mutation (an order's or a fulfilment's).
func (t FeeTerms) Freeze(m feeTermsSetter) {
	m.SetFeeBps(t.Bps)
	m.SetFeeFixedMinor(t.FixedMinor)
	if t.VersionID != "" {
		m.SetFeePlanVersionID(t.VersionID)
	}
}

// CumulativeFee is the fee of a credit of amount after the order's earlier credits
// of before, with the fixed amount when it is the order's first credit.
func CumulativeFee(before, amount money.Money, bps int64, fixed money.Money, firstCredit bool) (money.Money, error) {
	after, err := before.Add(amount)
	if err != nil {
		return money.Money{}, err
	}
	upTo, err := after.BasisPoints(bps)
	if err != nil {
		return money.Money{}, err
	}
	earlier, err := before.BasisPoints(bps)
	if err != nil {
		return money.Money{}, err
	}
	fee, err := upTo.Sub(earlier)
	if err != nil || !firstCredit {
		return fee, err
	}
	return fee.Add(fixed)
}

// cumulativeFeeSQL is CumulativeFee as a SQL expression over the given column
// expressions; first is a boolean condition.
func cumulativeFeeSQL(before, amount, bps, fixed, first string) string {
	return fmt.Sprintf("(((%[1]s) + (%[2]s)) * (%[3]s) + 5000) / 10000 - ((%[1]s) * (%[3]s) + 5000) / 10000 + CASE WHEN %[5]s THEN (%[4]s) ELSE 0 END",
		before, amount, bps, fixed, first)
}
