package db

import (
	"context"
	"database/sql"
	"fmt"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/pspbackoffice/backoffice/ent"
)

// Tx is one database transaction seen two ways: an ent client for the domain rows
// and the raw *sql.Tx for River, so a job is inserted in the same transaction as the
// change that causes it (it runs only if the change commits).
type Tx struct {
	Ent *ent.Client
	SQL *sql.Tx
}

// InTx runs fn in a transaction, committing when it returns nil and rolling back
// otherwise (and on panic). On SQLite the transaction takes the write lock at BEGIN.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) (err error) {
	sqltx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if v := recover(); v != nil {
			_ = sqltx.Rollback()
			panic(v)
		}
	}()
	drv := entsql.NewDriver(d.Dialect, entsql.Conn{ExecQuerier: sqltx})
	tx := &Tx{Ent: ent.NewClient(ent.Driver(drv)), SQL: sqltx}
	if err := fn(ctx, tx); err != nil {
		_ = sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
