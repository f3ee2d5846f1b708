package bench

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// SettleResult is one daily settlement run beside its SQL lower bound, and the
// settlement overview beside its own.
type SettleResult struct {
	Gap         string
	Date        domain.Date
	Companies   int // whose calendar includes the day
	Items       int64
	Via         string // "runSettlements over HTTP" or "settlement.Settlements.Run in process"
	Undone      int64  // today's settlements undone first to run the day again
	Run         time.Duration
	Settlements int
	Bound       time.Duration // best of three
	OverviewGap string
	Overview    ReadResult
}

// undoSettlementDay makes today's settlement run measurable again and again: the
// server settles today itself (the daily job, and a catch-up when it starts), so the
// harness undoes today's settlements (entries deleted, items released) and measures
// the same run once more. It answers how many settlements it undid. Only for bench
// databases: it rewrites history.
func undoSettlementDay(ctx context.Context, d *sql.DB, day domain.Date) (int64, error) {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	for _, q := range []string{
		`UPDATE orders SET settlement_id = NULL FROM settlement_entries e JOIN settlements s ON s.id = e.settlement_id
WHERE s.date = $1 AND e.kind = 'ORDER' AND orders.id = e.order_id AND orders.settlement_id = s.id`,
		`UPDATE fulfilments SET settlement_id = NULL FROM settlement_entries e JOIN settlements s ON s.id = e.settlement_id
WHERE s.date = $1 AND e.kind = 'FULFILMENT' AND fulfilments.id = e.fulfilment_id AND fulfilments.settlement_id = s.id`,
		`UPDATE refunds SET settlement_id = NULL FROM settlement_entries e JOIN settlements s ON s.id = e.settlement_id
WHERE s.date = $1 AND e.kind = 'REFUND' AND refunds.id = e.refund_id AND refunds.settlement_id = s.id`,
		`DELETE FROM settlement_entries WHERE settlement_id IN (SELECT id FROM settlements WHERE date = $1)`,
	} {
		if _, err := tx.ExecContext(ctx, q, string(day)); err != nil {
			return 0, fmt.Errorf("undo the settlements of %s: %w", day, err)
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM settlements WHERE date = $1`, string(day))
	if err != nil {
		return 0, fmt.Errorf("undo the settlements of %s: %w", day, err)
	}
	n, _ := res.RowsAffected()
	return n, tx.Commit()
}

// dueCompanies are the companies whose payout calendar includes the day.
func dueCompanies(ctx context.Context, d *db.DB, day domain.Date) ([]string, error) {
	all, err := d.Ent.Company.Query().All(auth.System(ctx))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range all {
		if settlement.CalendarOf(c).Includes(day) {
			out = append(out, c.ID)
		}
	}
	return out, nil
}

// settleBound is the lower bound of a settlement run: one statement computing every
// entry the run writes (credits of pay-now orders and pay-later fulfilment parts with
// their fees, refund deductions) into a scratch table, and the updates that mark each
// item settled, in a transaction that is rolled back. It is the work no run can avoid:
// read each item once, write one row per entry, write each item once.
func settleBound(ctx context.Context, sqldb *sql.DB, day domain.Date, companies []string) (time.Duration, int64, error) {
	tx, err := sqldb.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = tx.Rollback() }()
	start := time.Now()
	res, err := tx.ExecContext(ctx, `
CREATE TEMP TABLE bench_entries ON COMMIT DROP AS
WITH fee AS (SELECT company_id, product_type, percent_bps, fixed_minor FROM fee_rules)
SELECT 'ORDER' AS kind, o.id AS item_id, o.company_id, o.product_type, o.initial_amount_minor AS amount,
  (o.initial_amount_minor * COALESCE(f.percent_bps, 0) + 5000) / 10000 + COALESCE(f.fixed_minor, 0) AS fee
FROM orders o LEFT JOIN fee f ON f.company_id = o.company_id AND f.product_type = o.product_type
WHERE o.company_id = ANY($1) AND o.settlement_id IS NULL AND o.status = 'CONFIRMED' AND o.product_type = 'PAY_NOW_CARD'
  AND o.payout_date IS NOT NULL AND o.payout_date <= $2
UNION ALL
SELECT 'FULFILMENT', fu.id, o.company_id, o.product_type, fu.amount_minor,
  (fu.amount_minor * COALESCE(f.percent_bps, 0) + 5000) / 10000
FROM fulfilments fu JOIN orders o ON o.id = fu.order_id
LEFT JOIN fee f ON f.company_id = o.company_id AND f.product_type = o.product_type
WHERE o.company_id = ANY($1) AND fu.settlement_id IS NULL AND fu.status = 'SUCCEEDED'
  AND fu.payout_date IS NOT NULL AND fu.payout_date <= $2 AND o.product_type IN ('INVOICE', 'SLICE')
UNION ALL
SELECT 'REFUND', r.id, o.company_id, o.product_type,
  CASE WHEN o.product_type = 'PAY_NOW_CARD' THEN r.return_amount_minor + r.cancel_amount_minor ELSE r.return_amount_minor END, 0
FROM refunds r JOIN orders o ON o.id = r.order_id
WHERE o.company_id = ANY($1) AND r.settlement_id IS NULL AND r.status = 'SUCCEEDED'
  AND to_char(COALESCE(r.completed_at, r.updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') <= $2`,
		pq.Array(companies), string(day))
	if err != nil {
		return 0, 0, fmt.Errorf("settlement bound: %w", err)
	}
	n, _ := res.RowsAffected()
	for _, u := range []string{
		`UPDATE orders SET updated_at = updated_at FROM bench_entries e WHERE e.kind = 'ORDER' AND e.item_id = orders.id`,
		`UPDATE fulfilments SET updated_at = updated_at FROM bench_entries e WHERE e.kind = 'FULFILMENT' AND e.item_id = fulfilments.id`,
		`UPDATE refunds SET updated_at = updated_at FROM bench_entries e WHERE e.kind = 'REFUND' AND e.item_id = refunds.id`,
	} {
		if _, err := tx.ExecContext(ctx, u); err != nil {
			return 0, 0, fmt.Errorf("settlement bound: %w", err)
		}
	}
	return time.Since(start), n, nil
}

const runSettlementsMutation = `mutation BenchSettle($input: RunSettlementsInput!) {
  runSettlements(input: $input) { date settlements { id } userErrors { code message } } }`

// runSettlement measures today's run: the bound (best of three, rolled back), then
// the run itself, through the API as PSP staff when the server has runSettlements,
// else by the settlement service in this process.
func runSettlement(ctx context.Context, c *Client, d *db.DB, s *Schema) SettleResult {
	var out SettleResult
	day := domain.Today()
	out.Date = day
	undone, err := undoSettlementDay(ctx, d.SQL, day)
	if err != nil {
		out.Gap = err.Error()
		return out
	}
	out.Undone = undone
	companies, err := dueCompanies(ctx, d, day)
	if err != nil {
		out.Gap = err.Error()
		return out
	}
	out.Companies = len(companies)
	for range 3 {
		took, n, err := settleBound(ctx, d.SQL, day, companies)
		if err != nil {
			out.Gap = err.Error()
			return out
		}
		if out.Bound == 0 || took < out.Bound {
			out.Bound = took
		}
		out.Items = n
	}
	start := time.Now()
	if s.HasField("Mutation", "runSettlements") {
		out.Via = "runSettlements (HTTP, PSP admin)"
		var r struct {
			RunSettlements struct {
				Settlements []struct{ ID string }
				UserErrors  []struct{ Code, Message string }
			}
		}
		if _, err := c.Do(ctx, runSettlementsMutation, map[string]any{"input": map[string]any{"date": string(day)}}, &r); err != nil {
			out.Gap = err.Error()
			return out
		}
		if ue := r.RunSettlements.UserErrors; len(ue) > 0 {
			out.Gap = ue[0].Code + ": " + ue[0].Message
			return out
		}
		out.Settlements = len(r.RunSettlements.Settlements)
	} else {
		out.Via = "settlement.Settlements.Run (in process)"
		res, err := settlement.NewSettlements(d).Run(auth.System(ctx), day)
		if err != nil {
			out.Gap = err.Error()
			return out
		}
		out.Settlements = len(res.Settlements)
	}
	out.Run = time.Since(start)
	return out
}

// overviewBound is the lower bound of a settlement overview: the company's
// settlements in the range, their entries summed by day, kind and product type (for
// the day/week/month totals), and its unsettled items summed by payable day and
// product type (the projection), in one statement.
func overviewBound(companyID string, from, to domain.Date) Statement {
	return Statement{Query: `
SELECT
 (SELECT json_agg(s ORDER BY s.date DESC) FROM (SELECT id, date, status, currency, gross_minor, refunds_minor, fees_minor,
    net_minor FROM settlements WHERE company_id = $1 AND date BETWEEN $2 AND $3) s) AS settlements,
 (SELECT json_agg(t) FROM (SELECT s.date, e.kind, e.product_type, SUM(e.amount_minor) AS amount
    FROM settlements s JOIN settlement_entries e ON e.settlement_id = s.id
    WHERE s.company_id = $1 AND s.date BETWEEN $2 AND $3 GROUP BY 1, 2, 3) t) AS totals,
 (SELECT json_agg(u) FROM (
    SELECT payable, product_type, SUM(amount) AS amount, COUNT(*) AS items FROM (
      SELECT o.payout_date AS payable, o.product_type, o.initial_amount_minor AS amount FROM orders o
      WHERE o.company_id = $1 AND o.settlement_id IS NULL AND o.status = 'CONFIRMED' AND o.product_type = 'PAY_NOW_CARD'
        AND o.payout_date IS NOT NULL
      UNION ALL
      SELECT f.payout_date, o.product_type, f.amount_minor FROM fulfilments f JOIN orders o ON o.id = f.order_id
      WHERE o.company_id = $1 AND f.settlement_id IS NULL AND f.status = 'SUCCEEDED' AND f.payout_date IS NOT NULL
      UNION ALL
      SELECT to_char(COALESCE(r.completed_at, r.updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), o.product_type,
        -r.return_amount_minor FROM refunds r JOIN orders o ON o.id = r.order_id
      WHERE o.company_id = $1 AND r.settlement_id IS NULL AND r.status = 'SUCCEEDED') x
    GROUP BY 1, 2) u) AS upcoming`, Args: []any{companyID, string(from), string(to)}}
}
