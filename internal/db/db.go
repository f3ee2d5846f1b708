// Package db opens the product's database from DATABASE_URL: PostgreSQL through
// lib/pq for production, or an embedded SQLite file through a pure-Go driver so a new
// user needs nothing installed. It also runs the schema migrations (ent's and River's).
//
// The decision a reader would otherwise rediscover: SQLite is opened with
// _txlock=immediate, so every transaction takes the write lock when it begins. That
// serialises writers (SQLite cannot lock rows) and turns "two requests decide on the
// same order at once" into a wait instead of a lost update; PostgreSQL gets the same
// guarantee from SELECT … FOR UPDATE in the domain code.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"  // PostgreSQL driver "postgres"
	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite"

	"github.com/pspbackoffice/backoffice/ent"
	// The schema's defaults, hooks and tenant privacy policy register themselves
	// here; every ent client of the product is opened through this package.
	_ "github.com/pspbackoffice/backoffice/ent/runtime"
)

// DefaultSQLitePath is where the embedded database lives when DATABASE_URL is empty.
const DefaultSQLitePath = "./data/backoffice.db"

// DB is an open database: the ent client for the domain and the raw handle for
// River and hand-written SQL.
type DB struct {
	Ent     *ent.Client
	SQL     *sql.DB
	Dialect string // dialect.Postgres or dialect.SQLite
	URL     string // the URL it was opened with, secrets included: never log it

	// Pooled: DATABASE_URL names a transaction-mode pooler (pooler.go).
	Pooled bool
	// CreatedUnsettled: Migrate created the unsettled totals (migrate.go), which the
	// caller rebuilds from the parts (settlement.RebuildUnsettled).
	CreatedUnsettled bool

	stmts *stmtCache // PostgreSQL's prepared statements (prepared.go); nil on SQLite and behind a pooler

	// drv is ent's driver on the primary; replica the read replica (replica.go), nil
	// without DATABASE_REPLICA_URL.
	drv     txDriver
	replica *replica
}

// IsPostgres tells whether row locks (FOR UPDATE) are available.
func (d *DB) IsPostgres() bool { return d.Dialect == dialect.Postgres }

// Close closes both handles.
func (d *DB) Close() error {
	if d.stmts != nil {
		d.stmts.close()
	}
	return d.Ent.Close() // with a replica, routingDriver.Close closes it too
}

// Ping checks the database answers, for /readyz.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

// Open opens DATABASE_URL: "" (the SQLite file under ./data), "sqlite://PATH" or
// "postgres://…" with direct connections. It does not migrate; call Migrate.
func Open(rawURL string, opts ...ent.Option) (*DB, error) {
	return OpenWith(rawURL, Options{}, opts...)
}

// OpenWith is Open with Options (DATABASE_POOLER).
func OpenWith(rawURL string, o Options, opts ...ent.Option) (*DB, error) {
	if err := CheckPooler(o.Pooler); err != nil {
		return nil, err
	}
	if o.Replica != "" && (!isPostgresURL(rawURL) || !isPostgresURL(o.Replica)) {
		return nil, errors.New("DATABASE_REPLICA_URL needs PostgreSQL: postgres://… for it and DATABASE_URL")
	}
	switch {
	case rawURL == "":
		return openSQLite(DefaultSQLitePath, opts)
	case strings.HasPrefix(rawURL, "sqlite://"):
		return openSQLite(strings.TrimPrefix(rawURL, "sqlite://"), opts)
	case isPostgresURL(rawURL):
		d, err := openPrimaryOrReplica(rawURL, o, opts)
		if err != nil || o.Replica == "" {
			return d, err
		}
		return d.withReplica(o, opts)
	}

	return nil, fmt.Errorf("DATABASE_URL must be empty, sqlite://PATH or postgres://…")
}

func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// openPrimaryOrReplica opens one PostgreSQL server, directly or through the pooler.
func openPrimaryOrReplica(rawURL string, o Options, opts []ent.Option) (*DB, error) {
	if o.Pooler == PoolerTransaction {
		return openPooled(rawURL, opts)
	}
	return openPostgres(rawURL, opts)
}

func openPostgres(rawURL string, opts []ent.Option) (*DB, error) {
	sqldb, err := sql.Open("postgres", rawURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sqldb.SetMaxOpenConns(32)
	sqldb.SetMaxIdleConns(32)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	stmts := newStmtCache(sqldb) // prepared statements: see prepared.go
	drv := newPreparedDriver(dialect.Postgres, stmts)
	return &DB{Ent: ent.NewClient(append(opts, ent.Driver(drv))...), SQL: sqldb, Dialect: dialect.Postgres, URL: rawURL,
		stmts: stmts, drv: drv}, nil
}

// openPooled opens PostgreSQL through a transaction-mode pooler (pooler.go): one
// round trip per statement, nothing prepared by name, JSON values as text.
func openPooled(rawURL string, opts []ent.Option) (*DB, error) {
	pooled, err := pooledURL(rawURL)
	if err != nil {
		return nil, err
	}
	sqldb, err := sql.Open("postgres", pooled)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sqldb.SetMaxOpenConns(32)
	sqldb.SetMaxIdleConns(32)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	drv := pooledDriver{Driver: entsql.NewDriver(dialect.Postgres, entsql.Conn{ExecQuerier: jsonText{sqldb}}), db: sqldb}
	return &DB{Ent: ent.NewClient(append(opts, ent.Driver(drv))...), SQL: sqldb,
		Dialect: dialect.Postgres, URL: rawURL, Pooled: true, drv: drv}, nil
}

func openSQLite(path string, opts []ent.Option) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite:// needs a file path")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(15000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// One writer at a time is SQLite's nature; a small pool still lets reads overlap.
	sqldb.SetMaxOpenConns(8)
	drv := entsql.OpenDB(dialect.SQLite, sqldb)
	return &DB{Ent: ent.NewClient(append(opts, ent.Driver(drv))...), SQL: sqldb, Dialect: dialect.SQLite, URL: "sqlite://" + path}, nil
}

// WithStatementTimeout adds PostgreSQL's statement_timeout to a postgres:// URL (lib/pq
// sends unknown URL parameters as run-time parameters at connection start), so every
// connection of the pool stops a statement that runs longer: a backstop for work no
// request deadline covers. A URL that sets statement_timeout itself, SQLite URLs and
// d <= 0 are left alone.
func WithStatementTimeout(rawURL string, d time.Duration) string {
	if d <= 0 || !(strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://")) {
		return rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	if q.Has("statement_timeout") {
		return rawURL
	}
	q.Set("statement_timeout", fmt.Sprint(d.Milliseconds()))
	u.RawQuery = q.Encode()
	return u.String()
}
