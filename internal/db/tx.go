package db

import (
	"context"
	"database/sql"
	"fmt"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/pspbackoffice/backoffice/ent"
)

// Tx is one database transaction seen two ways: an ent client for the domain rows
// and the raw *sql.Tx for River, so a job is inserted in the same transaction as the
// change that causes it (it runs only if the change commits).
type Tx struct {
	Ent *ent.Client
	SQL *sql.Tx
	// Postgres: the transaction is PostgreSQL's (row locks, its SQL dialect).
	Postgres bool
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
	var conn entsql.ExecQuerier = sqltx
	switch {
	case d.stmts != nil:
		conn = preparedTx{tx: sqltx, c: d.stmts}
	case d.Pooled:
		conn = jsonText{sqltx}
	}
	drv := inTxDriver{entsql.NewDriver(d.Dialect, entsql.Conn{ExecQuerier: conn})}
	tx := &Tx{Ent: ent.NewClient(ent.Driver(drv)), SQL: sqltx, Postgres: d.IsPostgres()}
	if err := fn(ctx, tx); err != nil {
		_ = sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	d.wrote(ctx) // read your own writes from here on (replica.go)
	return nil
}

// inTxDriver is the driver of a Tx's ent client. ent opens a transaction of its own
// for some statements (UpdateOne, edge changes); inside ours that must be a no-op
// joining ours, not a new one on the connection pool (which a *sql.Tx cannot begin).
type inTxDriver struct{ *entsql.Driver }

func (d inTxDriver) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d.Driver), nil }

func (d inTxDriver) BeginTx(context.Context, *entsql.TxOptions) (dialect.Tx, error) {
	return dialect.NopTx(d.Driver), nil
}
