package db

import (
	"context"
	"fmt"
)

// backfillOrderCompany gives fulfilments and refunds written before they carried
// their order's company (company_id, ent/schema/order_company.go) that company: ent's
// auto-migration adds the column empty, and the settlement overview finds a
// company's rows by it. Every create fills it since, so after the first run this is
// one probe per table of an index that holds only the rows still without it.
// UPDATE … FROM works on PostgreSQL and on SQLite (3.33 on).
func (d *DB) backfillOrderCompany(ctx context.Context) error {
	for _, table := range []string{"fulfilments", "refunds"} {
		var missing bool
		if err := d.SQL.QueryRowContext(ctx,
			`SELECT EXISTS (SELECT 1 FROM `+table+` WHERE company_id IS NULL)`).Scan(&missing); err != nil {
			return fmt.Errorf("backfill %s.company_id: %w", table, err)
		}
		if !missing {
			continue
		}
		if _, err := d.SQL.ExecContext(ctx, `UPDATE `+table+` SET company_id = o.company_id FROM orders o
WHERE o.id = `+table+`.order_id AND `+table+`.company_id IS NULL`); err != nil {
			return fmt.Errorf("backfill %s.company_id: %w", table, err)
		}
	}
	return nil
}
