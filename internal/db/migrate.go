package db

import (
	"context"
	"fmt"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// Migrate brings the schema up to date: ent's tables (additive auto-migration: new
// tables, columns and indexes; nothing is dropped) and River's job tables. It runs on
// every start and by `backoffice migrate`, and is safe to run repeatedly.
func (d *DB) Migrate(ctx context.Context) error {
	if err := d.Ent.Schema.Create(ctx); err != nil {
		return fmt.Errorf("migrate domain schema: %w", err)
	}
	if err := d.backfillOrderCompany(ctx); err != nil {
		return err
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
