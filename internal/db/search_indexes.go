package db

import (
	"context"
	"fmt"
)

// OrderSearchColumns are the orders columns a search matches by case-insensitive
// prefix (docs/api.md "Search"; the predicate is internal/psp, search.go). Each has an
// index on lower(column) that serves the prefix: on PostgreSQL with text_pattern_ops,
// so LIKE 'abc%' uses it whatever the database's collation; on SQLite a plain one,
// which the search reads as a range (lower(column) >= 'abc' AND < 'abc\U0010FFFF').
var OrderSearchColumns = []string{"id", "reference", "provider_reference", "email", "first_name", "last_name"}

// OrderSearchIndex is the name of the search index on a column.
func OrderSearchIndex(column string) string { return "order_search_" + column }

// migrateSearchIndexes creates the expression indexes of the order search, which ent's
// schema cannot declare. CREATE INDEX IF NOT EXISTS makes a rerun one catalogue probe
// each; on a large existing table the first run builds them under the migration lock.
func (d *DB) migrateSearchIndexes(ctx context.Context) error {
	opclass := ""
	if d.IsPostgres() {
		opclass = " text_pattern_ops"
	}
	for _, c := range OrderSearchColumns {
		if _, err := d.SQL.ExecContext(ctx, fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON orders (lower(%s)%s)",
			OrderSearchIndex(c), c, opclass)); err != nil {
			return fmt.Errorf("migrate: order search index on %s: %w", c, err)
		}
	}
	return nil
}
