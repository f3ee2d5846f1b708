package db

import (
	"context"
	"fmt"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// migrationLock is the PostgreSQL advisory lock key that serialises migrations
// ("backoffi" in ASCII).
const migrationLock int64 = 0x6261636b6f666669

// Migrate brings the schema up to date: ent's tables (additive auto-migration: new
// tables, columns and indexes; nothing is dropped) and River's job tables. It runs on
// every start and by `backoffice migrate`, and is safe to run repeatedly.
//
// On PostgreSQL several instances starting at once take turns: two concurrent
// CREATE TABLEs of one name fail ("duplicate key value violates unique constraint
// pg_type_typname_nsp_index") instead of one waiting for the other. The lock is
// transaction-scoped (pg_advisory_xact_lock), held by a transaction of its own that
// stays open while the migration runs: a session lock would not survive a
// transaction-mode pooler, which hands the session to others between transactions.
func (d *DB) Migrate(ctx context.Context) error {
	if d.IsPostgres() {
		lock, err := d.SQL.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer func() { _ = lock.Rollback() }()
		if _, err := lock.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return fmt.Errorf("migrate: take the migration lock: %w", err)
		}
	}
	if err := d.Ent.Schema.Create(ctx); err != nil {
		return fmt.Errorf("migrate domain schema: %w", err)
	}
	if err := d.backfillOrderCompany(ctx); err != nil {
		return err
	}
	if err := d.migrateSearchIndexes(ctx); err != nil {
		return err
	}
	if err := d.migrateLimits(ctx); err != nil {
		return fmt.Errorf("migrate rate limits: %w", err)
	}
	if err := d.migrateUnsettled(ctx); err != nil {
		return fmt.Errorf("migrate unsettled totals: %w", err)
	}
	if err := d.migrateReplicaFences(ctx); err != nil {
		return fmt.Errorf("migrate replica fences: %w", err)
	}
	if err := d.migrateRiver(ctx); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

func (d *DB) migrateRiver(ctx context.Context) error {
	if d.IsPostgres() {
		m, err := rivermigrate.New(riverdatabasesql.New(d.SQL), nil)
		if err != nil {
			return err
		}
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		return err
	}
	m, err := rivermigrate.New(riversqlite.New(d.SQL), nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// migrateLimits creates the rate-limit counters and cost buckets every instance
// shares (internal/limits) on PostgreSQL; SQLite's live in the one process. Like River's
// tables it is infrastructure, not domain rows, so it is not an ent schema.
func (d *DB) migrateLimits(ctx context.Context) error {
	return d.execOnPostgres(ctx, `CREATE TABLE IF NOT EXISTS rate_limits (
  limiter text NOT NULL,
  key bytea NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (limiter, key, window_start)
)`, `CREATE INDEX IF NOT EXISTS rate_limits_expires_at ON rate_limits (expires_at)`,
		// The GraphQL cost buckets (limits.Bucket): one row per limiter and key.
		// UNLOGGED: a bucket is worth nothing after a crash (it would be full again
		// soon anyway), and without the WAL flush a request's take costs ~0.15 ms
		// instead of ~1.6 ms (README "Throttle").
		`CREATE UNLOGGED TABLE IF NOT EXISTS cost_buckets (
  limiter text NOT NULL,
  key bytea NOT NULL,
  available double precision NOT NULL,
  paid boolean NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (limiter, key)
)`)
}

// migrateUnsettled creates the settlement overview's unsettled totals
// (internal/settlement/unsettled.go): derived from the orders, fulfilments and
// refunds and rebuilt from them, so not ent schemas. CreatedUnsettled tells whether
// this migration created them (the caller then rebuilds them from the parts).
func (d *DB) migrateUnsettled(ctx context.Context) error {
	var n int
	exists := `SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'unsettled_totals' AND table_schema = current_schema()`
	if !d.IsPostgres() {
		exists = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'unsettled_totals'`
	}
	if err := d.SQL.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return err
	}
	d.CreatedUnsettled = n == 0
	const sums = `items bigint NOT NULL, amount_minor bigint NOT NULL, fee_minor bigint NOT NULL`
	for _, s := range []string{
		`CREATE TABLE IF NOT EXISTS unsettled_parts (order_id text NOT NULL, company_id text NOT NULL, kind text NOT NULL,
  payable text NOT NULL, product_type text NOT NULL, ` + sums + `, PRIMARY KEY (order_id, kind, payable, product_type))`,
		`CREATE INDEX IF NOT EXISTS unsettled_parts_company ON unsettled_parts (company_id)`,
		`CREATE TABLE IF NOT EXISTS unsettled_totals (company_id text NOT NULL, kind text NOT NULL,
  payable text NOT NULL, product_type text NOT NULL, ` + sums + `, PRIMARY KEY (company_id, payable, product_type, kind))`,
	} {
		if _, err := d.SQL.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// execOnPostgres runs infrastructure DDL in order on PostgreSQL; SQLite has none.
func (d *DB) execOnPostgres(ctx context.Context, stmts ...string) error {
	if !d.IsPostgres() {
		return nil
	}
	for _, s := range stmts {
		if _, err := d.SQL.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
