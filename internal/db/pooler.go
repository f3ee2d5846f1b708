package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// Behind a transaction-mode pooler (pgbouncer pool_mode=transaction) a client's
// consecutive messages may reach different server connections whenever it is not in
// a transaction. The decisions a reader would otherwise rediscover (README "Running
// several instances"):
//
//   - lib/pq sends a statement with parameters in two round trips (parse and
//     describe, sync, then bind and execute): between them the pooler may hand the
//     server connection to another client, whose statement then runs with our
//     parameters ("bind message supplies 3 parameters, but prepared statement \"\"
//     requires 1"). Its binary_parameters mode sends parse, bind and execute in one
//     round trip, which a transaction pooler keeps together.
//   - Named prepared statements live on one server connection (prepared.go): they
//     are for direct connections only.
//   - binary_parameters sends []byte values in binary form. bytea takes that as is;
//     jsonb's binary form needs a version byte, so ent's JSON values are sent as
//     text instead (jsonText).
//   - Session settings do not survive a transaction: statement_timeout is not sent
//     at connection start (set it on the role or database, or in the pooler), and
//     River runs without LISTEN (its database/sql driver polls anyway).

// PoolerTransaction is DATABASE_POOLER=transaction.
const PoolerTransaction = "transaction"

// Options are how to reach the database beyond its URL.
type Options struct {
	// Pooler is "" (direct connections to PostgreSQL) or PoolerTransaction
	// (DATABASE_URL names a transaction-mode pooler such as pgbouncer).
	Pooler string
	// Replica is DATABASE_REPLICA_URL: a streaming replica for the reads that
	// tolerate lag (replica.go); "" reads everything from DATABASE_URL. Behind a
	// pooler it is reached the same way (Pooler).
	Replica string
}

// CheckPooler validates DATABASE_POOLER.
func CheckPooler(v string) error {
	if v != "" && v != PoolerTransaction {
		return fmt.Errorf("DATABASE_POOLER must be empty or %q, not %q", PoolerTransaction, v)
	}
	return nil
}

// pooledURL turns on lib/pq's one-round-trip mode unless the URL decides itself.
func pooledURL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	q := u.Query()
	if !q.Has("binary_parameters") {
		q.Set("binary_parameters", "yes")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// jsonText sends ent's JSON values as text (see above): ent hands them to the
// driver as json.RawMessage, bytes fields as plain []byte, so the type tells them
// apart. Everything else passes as is.
type jsonText struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}
}

func textJSON(args []any) []any {
	copied := false
	for i, a := range args {
		if j, ok := a.(json.RawMessage); ok && j != nil {
			if !copied {
				args, copied = append([]any(nil), args...), true
			}
			args[i] = string(j)
		}
	}
	return args
}

func (j jsonText) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return j.q.ExecContext(ctx, query, textJSON(args)...)
}

func (j jsonText) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return j.q.QueryContext(ctx, query, textJSON(args)...)
}

// pooledDriver is ent's driver behind a pooler; its own transactions send JSON as
// text too.
type pooledDriver struct {
	*entsql.Driver
	db *sql.DB
}

func (d pooledDriver) Tx(ctx context.Context) (dialect.Tx, error) { return d.BeginTx(ctx, nil) }

func (d pooledDriver) BeginTx(ctx context.Context, opts *entsql.TxOptions) (dialect.Tx, error) {
	tx, err := d.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &entsql.Tx{Conn: entsql.Conn{ExecQuerier: jsonText{tx}}, Tx: tx}, nil
}

// Options answers the Options d was opened with (to open the same database again).
func (d *DB) Options() Options {
	o := Options{}
	if d.Pooled {
		o.Pooler = PoolerTransaction
	}
	if d.replica != nil {
		o.Replica = d.replica.url
	}
	return o
}

func (d pooledDriver) Close() error { return d.db.Close() }

// DB is the pool (ent's Driver.DB expects its ExecQuerier to be one).
func (d pooledDriver) DB() *sql.DB { return d.db }
