package settlement

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pspbackoffice/backoffice/internal/db"
)

// Unsettled totals (docs/settlement.md "Unsettled totals"): what the overview's
// upcoming payouts and balances add up, kept per company, payable day, product type
// and kind (ORDER, FULFILMENT, REFUND) in unsettled_totals, so the overview reads a
// few rows per payable day instead of every unsettled part. unsettled_parts holds the
// same per order, which is what a change of one order is compared with.
//
// Who keeps them, in their own transactions:
//   - RefreshUnsettled, called by every operation that changes what an order has
//     unsettled (confirmation, a fulfilment or refund succeeding or failing): it
//     projects the order with the run's own queries (settlement_sources.go, by
//     order) and books the difference to what unsettled_parts held for it.
//   - The settlement run subtracts exactly what it settled (settle_items,
//     settleUnsettled). The fees of the parts it leaves are unchanged: a part's fee
//     depends on the order's parts before it (payout date, then id), and a run
//     settles a prefix of them, so "settled + earlier unsettled" is the same sum
//     before and after, and the fixed fee stays with the order's first credit.
//   - RebuildUnsettled recomputes everything: after bulk loads (seeds) and when the
//     tables are created on a database that has parts already.
//
// Concurrency: a refresh locks the order (FOR UPDATE on PostgreSQL, as the
// operations do) and its parts' rows before it projects; a run's subtraction waits
// for those rows, so the two add and subtract in either order and never book a part
// twice. Every change is a delta (an upsert adding to the row), so operations on
// different orders of one company only queue on the totals row they share. Keys are
// written in sorted order, so two transactions never wait for each other in a cycle.
// CheckUnsettled compares the totals with a recomputation (the property tests).

type unsettledKey struct{ company, kind, payable, productType string }

type unsettledSum struct{ items, amount, fee int64 }

func (a unsettledSum) minus(b unsettledSum) unsettledSum {
	return unsettledSum{a.items - b.items, a.amount - b.amount, a.fee - b.fee}
}

// sortedKeys answers the keys of m in one fixed order (lock order, see above).
func sortedKeys(m map[unsettledKey]unsettledSum) []unsettledKey {
	return slices.SortedFunc(maps.Keys(m), func(a, b unsettledKey) int {
		for _, c := range [][2]string{{a.company, b.company}, {a.payable, b.payable}, {a.productType, b.productType}, {a.kind, b.kind}} {
			if c[0] != c[1] {
				if c[0] < c[1] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// project sums unsettled items with the projections of src, adding to into: one
// statement, the three kinds' projections in UNION ALL (each answers kind, company,
// payable, product type, count, amount and fee; grouped by order too when byOrder,
// whose order column is skipped). arg is the projections' one argument, if any.
func project(ctx context.Context, q querier, src creditSources, byOrder bool, arg []any, into map[unsettledKey]unsettledSum) error {
	var arms []string
	var args []any
	for _, p := range projections(src, byOrder) {
		arms = append(arms, `SELECT '`+p.kind+`', x.* FROM (`+p.sql+`) x`)
		// PostgreSQL's $1 is one argument for all three; SQLite's ? one each.
		if !src.q.postgres || len(args) == 0 {
			args = append(args, arg...)
		}
	}
	rows, err := q.QueryContext(ctx, strings.Join(arms, "\nUNION ALL\n"), args...)
	if err != nil {
		return fmt.Errorf("project unsettled: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k     unsettledKey
			order string
			v     unsettledSum
			dest  = []any{&k.kind, &k.company, &k.payable, &k.productType, &v.items, &v.amount, &v.fee}
		)
		if byOrder {
			dest = append([]any{dest[0], &order}, dest[1:]...)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		into[k] = into[k].add(v)
	}
	return rows.Err()
}

func (a unsettledSum) add(b unsettledSum) unsettledSum {
	return unsettledSum{a.items + b.items, a.amount + b.amount, a.fee + b.fee}
}

// RefreshUnsettled books the change of what the order has unsettled to the totals,
// in the caller's transaction: call it after every change of the order's credits or
// refunds (see above).
func RefreshUnsettled(ctx context.Context, tx *db.Tx, orderID string) error {
	q := sqlDialect{postgres: tx.Postgres}
	lock := ""
	if q.postgres {
		if _, err := tx.SQL.ExecContext(ctx, `SELECT 1 FROM orders WHERE id = $1 FOR UPDATE`, orderID); err != nil {
			return fmt.Errorf("unsettled totals: %w", err)
		}
		lock = " FOR UPDATE"
	}
	old := map[unsettledKey]unsettledSum{}
	rows, err := tx.SQL.QueryContext(ctx, q.rebind(`SELECT company_id, kind, payable, product_type, items, amount_minor, fee_minor
FROM unsettled_parts WHERE order_id = ?`+lock), orderID)
	if err != nil {
		return fmt.Errorf("unsettled totals: %w", err)
	}
	for rows.Next() {
		var (
			k unsettledKey
			v unsettledSum
		)
		if err := rows.Scan(&k.company, &k.kind, &k.payable, &k.productType, &v.items, &v.amount, &v.fee); err != nil {
			rows.Close()
			return err
		}
		old[k] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := map[unsettledKey]unsettledSum{}
	if err := project(ctx, tx.SQL, creditSources{q: q, byOrder: true}, false, []any{orderID}, now); err != nil {
		return err
	}
	delta := map[unsettledKey]unsettledSum{}
	for k, v := range now {
		delta[k] = v.minus(old[k])
	}
	for k, v := range old {
		if _, ok := now[k]; !ok {
			delta[k] = unsettledSum{}.minus(v)
		}
	}
	for _, k := range sortedKeys(delta) {
		v := delta[k]
		if v == (unsettledSum{}) {
			continue
		}
		if err := book(ctx, tx.SQL, q, "unsettled_parts", "order_id", orderID, k, v); err != nil {
			return err
		}
		if err := book(ctx, tx.SQL, q, "unsettled_totals", "", "", k, v); err != nil {
			return err
		}
	}
	return nil
}

// book adds v to one row of table (and drops the row once it holds no item); owner
// names the order column of unsettled_parts.
func book(ctx context.Context, x querier, q sqlDialect, table, ownerColumn, owner string, k unsettledKey, v unsettledSum) error {
	cols, vals, conflict, where := "company_id, kind, payable, product_type", "?, ?, ?, ?", "company_id, kind, payable, product_type",
		"company_id = ? AND kind = ? AND payable = ? AND product_type = ?"
	args := []any{k.company, k.kind, k.payable, k.productType}
	if ownerColumn != "" {
		cols, vals, conflict = ownerColumn+", "+cols, "?, "+vals, ownerColumn+", kind, payable, product_type"
		where = ownerColumn + " = ? AND " + where
		args = append([]any{owner}, args...)
	}
	if _, err := x.ExecContext(ctx, q.rebind(`INSERT INTO `+table+` (`+cols+`, items, amount_minor, fee_minor)
VALUES (`+vals+`, ?, ?, ?)
ON CONFLICT (`+conflict+`) DO UPDATE SET items = `+table+`.items + excluded.items,
  amount_minor = `+table+`.amount_minor + excluded.amount_minor, fee_minor = `+table+`.fee_minor + excluded.fee_minor`),
		append(args, v.items, v.amount, v.fee)...); err != nil {
		return fmt.Errorf("unsettled totals: %w", err)
	}
	if v.items >= 0 {
		return nil // the row still holds items (only fewer can make it empty)
	}
	_, err := x.ExecContext(ctx, q.rebind(`DELETE FROM `+table+` WHERE `+where+` AND items = 0`), args...)
	return err
}

// settleUnsettled subtracts what the run settled (settle_items) from the totals,
// in the run's transaction.
func (r *settlementRun) settleUnsettled(ctx context.Context) error {
	for _, t := range []struct{ table, owner string }{{"unsettled_parts", "order_id"}, {"unsettled_totals", ""}} {
		by := "company_id, kind, payable, product_type"
		match := "s.company_id = " + t.table + ".company_id"
		if t.owner != "" {
			by = "order_id, " + by
			match += " AND s.order_id = " + t.table + ".order_id"
		}
		if _, err := r.exec(ctx, `UPDATE `+t.table+` SET items = `+t.table+`.items - s.n,
  amount_minor = `+t.table+`.amount_minor - s.amount, fee_minor = `+t.table+`.fee_minor - s.fee
FROM (SELECT `+by+`, COUNT(*) AS n, SUM(amount) AS amount, SUM(fee) AS fee FROM settle_items GROUP BY `+by+`) s
WHERE `+match+` AND s.kind = `+t.table+`.kind AND s.payable = `+t.table+`.payable
  AND s.product_type = `+t.table+`.product_type`); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `DELETE FROM `+t.table+` WHERE items = 0 AND company_id IN (SELECT company_id FROM settle_run)`); err != nil {
			return err
		}
	}
	return nil
}

// RebuildUnsettled recomputes the unsettled totals of every company from the parts
// (after a bulk load that wrote parts directly).
func (s *Settlements) RebuildUnsettled(ctx context.Context) error {
	q := sqlDialect{postgres: s.DB.IsPostgres()}
	return s.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if q.postgres {
			// Not beside a run or an operation's refresh (see above).
			if _, err := tx.SQL.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", settlementRunLock); err != nil {
				return err
			}
			if _, err := tx.SQL.ExecContext(ctx, "LOCK TABLE unsettled_parts, unsettled_totals IN EXCLUSIVE MODE"); err != nil {
				return err
			}
		}
		for _, t := range []string{"unsettled_parts", "unsettled_totals"} {
			if _, err := tx.SQL.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return err
			}
		}
		for _, p := range projections(creditSources{q: q, all: true}, true) {
			if _, err := tx.SQL.ExecContext(ctx, `INSERT INTO unsettled_parts (order_id, company_id, payable, product_type, items, amount_minor, fee_minor, kind)
SELECT *, '`+p.kind+`' FROM (`+p.sql+`) x`); err != nil {
				return fmt.Errorf("rebuild unsettled %s: %w", p.kind, err)
			}
		}
		_, err := tx.SQL.ExecContext(ctx, `INSERT INTO unsettled_totals (company_id, kind, payable, product_type, items, amount_minor, fee_minor)
SELECT company_id, kind, payable, product_type, SUM(items), SUM(amount_minor), SUM(fee_minor) FROM unsettled_parts
GROUP BY company_id, kind, payable, product_type`)
		return err
	})
}

// CheckUnsettled compares the unsettled totals with a recomputation from the parts
// and answers the first difference as an error (nil: they agree).
func (s *Settlements) CheckUnsettled(ctx context.Context) error {
	want := map[unsettledKey]unsettledSum{}
	if err := project(ctx, s.DB.SQL, creditSources{q: sqlDialect{postgres: s.DB.IsPostgres()}, all: true}, false, nil, want); err != nil {
		return err
	}
	got := map[unsettledKey]unsettledSum{}
	rows, err := s.DB.SQL.QueryContext(ctx, `SELECT company_id, kind, payable, product_type, items, amount_minor, fee_minor FROM unsettled_totals`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k unsettledKey
			v unsettledSum
		)
		if err := rows.Scan(&k.company, &k.kind, &k.payable, &k.productType, &v.items, &v.amount, &v.fee); err != nil {
			return err
		}
		got[k] = v
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for k, v := range want {
		if got[k] != v {
			return fmt.Errorf("unsettled totals of %+v: %+v, recomputed %+v", k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			return fmt.Errorf("unsettled totals of %+v: %+v, recomputed nothing", k, v)
		}
	}
	return nil
}
