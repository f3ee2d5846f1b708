package settlement

import (
	"fmt"

	"github.com/pspbackoffice/backoffice/internal/domain"
)

// creditSources writes the three queries that find what a settlement collects, once
// for the settlement run and the overview's projection alike, so what is projected is
// what a run will settle. Each query has exactly one placeholder: the run's day (run
// mode: the companies come from the run's settle_run table, every row carries its
// company's settlement id) or the company id (overview mode: nothing is limited by
// day, so the overview sees what is pending too). The overview names the company by
// the item's own company_id (fulfilments and refunds carry their order's): an index
// of the item's table finds it, not a walk through every order of the company.
//
// Every query yields item_id, order_id, settlement_id, psp_id, merchant_id,
// company_id, product_type, currency, amount (positive), payable (a Date text), and
// the credit queries a fee.
type creditSources struct {
	q   sqlDialect
	run bool
	// byOrder: the one placeholder is an order id instead of a company id (the
	// unsettled totals' refresh, unsettled.go); all: no placeholder, every company
	// (their rebuild).
	byOrder, all bool
}

// scope answers the join to the run's companies, the settlement id column, the
// one-placeholder condition of the query, and the company column the company and
// fee rule joins use. companyColumn is the item's company: o.company_id or the
// item's own copy of it.
//
// Outside a run an item beyond the maximum order amount is left out (amountColumn):
// its fee is not safe to compute, and the run refuses its company (checkBounds).
func (c creditSources) scope(dayColumn, companyColumn, orderColumn, amountColumn string) (join, settlementID, where, company string) {
	if c.run {
		return "JOIN settle_run r ON r.company_id = o.company_id", "r.settlement_id", dayColumn + " <= ?", "o.company_id"
	}
	bound := fmt.Sprintf(" AND %s <= %d", amountColumn, domain.MaxOrderAmountMinor)
	switch {
	case c.byOrder:
		return "", "''", orderColumn + " = ?" + bound, companyColumn
	case c.all:
		return "", "''", "1 = 1" + bound, companyColumn
	}
	return "", "''", companyColumn + " = ?" + bound, companyColumn
}

// feeRuleJoin finds the company's fee rule for the order's product type.
func feeRuleJoin(company string) string {
	return "LEFT JOIN fee_rules fr ON fr.company_id = " + company + " AND fr.product_type = o.product_type"
}

// orderCredits: orders paid at confirmation (payable.go, AtConfirmation) CONFIRMED
// with a payout date, whole initial amount; the order's one credit carries the fixed
// fee. An authorise-then-capture order is never credited here, even with a payout
// date stored before that rule: its money comes with its captures.
func (c creditSources) orderCredits() string {
	join, sid, where, company := c.scope("o.payout_date", "o.company_id", "o.id", "o.initial_amount_minor")
	return fmt.Sprintf(`
SELECT o.id AS item_id, o.id AS order_id, %[1]s AS settlement_id, o.psp_id, o.merchant_id, o.company_id,
  o.product_type, o.currency, o.initial_amount_minor AS amount, o.payout_date AS payable,
  %[2]s AS fee
FROM orders o
%[3]s
JOIN companies co ON co.id = %[7]s
%[4]s
WHERE o.settlement_id IS NULL AND o.status = 'CONFIRMED' AND %[5]s
  AND o.payout_date IS NOT NULL AND o.currency = co.currency AND %[6]s`,
		sid, cumulativeFeeSQL("0", "o.initial_amount_minor", "COALESCE(o.fee_bps, fr.percent_bps, 0)",
			"COALESCE(o.fee_fixed_minor, fr.fixed_minor, 0)", "1 = 1"),
		join, feeRuleJoin(company), timingSQL("o.provider", "o.product_type", AtConfirmation), where, company)
}

// fulfilmentCredits: fulfilment parts SUCCEEDED with a payout date of orders
// credited per part (payable.go: PerCapture and PerFulfilment). The percentage is
// taken on the order's cumulative credits (settlement_fees.go); the fixed fee goes
// with the order's first credit: the earliest of its parts found here (payout date,
// then id), unless one of its parts is already settled.
func (c creditSources) fulfilmentCredits() string {
	join, sid, where, company := c.scope("f.payout_date", "f.company_id", "f.order_id", "f.amount_minor")
	// A scalar subquery with LIMIT, not NOT EXISTS: PostgreSQL may turn NOT EXISTS
	// into a hashed subplan over every settled part in the database; this one is
	// always an index probe per part (fulfilments.order_id).
	first := `ROW_NUMBER() OVER (PARTITION BY f.order_id ORDER BY f.payout_date, f.id) = 1
    AND (SELECT 1 FROM fulfilments p WHERE p.order_id = f.order_id AND p.settlement_id IS NOT NULL LIMIT 1) IS NULL`
	// What the order's earlier credits took (settlement_fees.go): its parts settled
	// already, and its parts before this one here.
	// (CAST: PostgreSQL sums BIGINT as NUMERIC, whose division is not integer division.)
	before := `CAST(COALESCE((SELECT SUM(p.amount_minor) FROM fulfilments p WHERE p.order_id = f.order_id AND p.settlement_id IS NOT NULL), 0)
    + COALESCE(SUM(f.amount_minor) OVER (PARTITION BY f.order_id ORDER BY f.payout_date, f.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT)`
	return fmt.Sprintf(`
SELECT f.id AS item_id, f.order_id, %[1]s AS settlement_id, o.psp_id, o.merchant_id, o.company_id,
  o.product_type, f.currency, f.amount_minor AS amount, f.payout_date AS payable,
  %[2]s AS fee
FROM fulfilments f
JOIN orders o ON o.id = f.order_id
%[3]s
JOIN companies co ON co.id = %[8]s
%[4]s
WHERE f.settlement_id IS NULL AND f.status = '%[5]s' AND f.payout_date IS NOT NULL
  AND %[6]s AND f.currency = co.currency AND %[7]s`,
		sid, cumulativeFeeSQL(before, "f.amount_minor", "COALESCE(f.fee_bps, fr.percent_bps, 0)",
			"COALESCE(f.fee_fixed_minor, fr.fixed_minor, 0)", first),
		join, feeRuleJoin(company), domain.OperationSucceeded, timingSQL("o.provider", "o.product_type", PerCapture, PerFulfilment), where, company)
}

// refundDeductions: refunds SUCCEEDED with something to deduct (payable.go,
// Deduction): RETURN and CANCEL when the order was paid at confirmation, RETURN only
// otherwise. Dated by the UTC day they completed.
func (c creditSources) refundDeductions() string {
	day := c.q.utcDay("COALESCE(rf.completed_at, rf.updated_at)")
	join, sid, where, company := c.scope(day, "rf.company_id", "rf.order_id", "rf.amount_minor")
	deduct := deductionSQL("rf.return_amount_minor", "rf.cancel_amount_minor", "o.provider", "o.product_type")
	return fmt.Sprintf(`
SELECT rf.id AS item_id, rf.order_id, %[1]s AS settlement_id, o.psp_id, o.merchant_id, o.company_id,
  o.product_type, rf.currency, %[2]s AS amount, %[3]s AS payable
FROM refunds rf
JOIN orders o ON o.id = rf.order_id
%[4]s
JOIN companies co ON co.id = %[7]s
WHERE rf.status = '%[5]s' AND rf.settlement_id IS NULL AND %[2]s > 0 AND rf.currency = co.currency
  AND %[6]s`,
		sid, deduct, day, join, domain.OperationSucceeded, where, company)
}
