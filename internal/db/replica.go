package db

import (
	"context"
	"database/sql"
	"strings"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/pspbackoffice/backoffice/ent"
)

// A read replica (DATABASE_REPLICA_URL, a PostgreSQL streaming replica) serves the
// reads that tolerate seconds of lag; this file is the one place that decides which
// server a read goes to (README "Running several instances", "Read replica"). The
// rule:
//
//   - A read goes to the replica only when its context says it tolerates lag
//     (LagTolerant: list pages, exports, overviews, reconciliation reads). Everything
//     else, every write and every transaction goes to the primary.
//   - Read your own writes, within a request: once a request has written (an ent
//     write, a committed transaction) its later reads go to the primary.
//   - Read your own writes, across requests and instances: after each write commits,
//     the principal's fence is set to the primary's WAL position
//     (replica_fences: principal, lsn; one upsert on the primary). A lag-tolerant
//     request of that principal reads the fence (one lookup on the primary) and asks
//     the replica how far it has replayed (pg_last_wal_replay_lsn); it reads from the
//     replica only if the replica has replayed past the fence, otherwise from the
//     primary. So a user's list page shows what the user just did however far the
//     replica lags, or is paused, while other users' changes may appear seconds
//     later. Nothing is kept in the instance, so any instance behind the load balancer
//     serves the next request the same way.
//   - The decision is made once per request and kept. A replica that does not answer
//     (or is not replaying: pg_last_wal_replay_lsn() is NULL on a primary) sends the
//     read to the primary.
//
// DATABASE_REPLICA_URL must name one server (the fence is compared with its replay
// position), not a load balancer over several replicas.

// replica is the read replica's pool and ent driver.
type replica struct {
	url string
	db  *sql.DB
	drv dialect.Driver
	// closeDB closes what opening the replica opened (its prepared statements too).
	closeDB func() error
}

// txDriver is ent's driver on the primary: ent.Client.BeginTx needs BeginTx.
type txDriver interface {
	dialect.Driver
	BeginTx(ctx context.Context, opts *entsql.TxOptions) (dialect.Tx, error)
}

// withReplica opens o.Replica beside the primary d and routes d.Ent's reads.
func (d *DB) withReplica(o Options, opts []ent.Option) (*DB, error) {
	r, err := openPrimaryOrReplica(o.Replica, Options{Pooler: o.Pooler}, nil)
	if err != nil {
		_ = d.Close()
		return nil, err
	}
	d.replica = &replica{url: o.Replica, db: r.SQL, drv: r.drv, closeDB: r.Close}
	d.Ent = ent.NewClient(append(opts, ent.Driver(&routingDriver{txDriver: d.drv, d: d}))...)
	return d, nil
}

type (
	lagKey     struct{}
	sessionKey struct{}
)

// LagTolerant marks ctx's reads as tolerating seconds of lag: they may be served by
// the replica (see the rule above). Resolvers of list pages, exports and overviews
// say so; nothing else needs to.
func LagTolerant(ctx context.Context) context.Context {
	return context.WithValue(ctx, lagKey{}, true)
}

// readSession is one request's routing state.
type readSession struct {
	principal string // "" for work of no principal in particular
	mu        sync.Mutex
	wrote     bool
	decided   bool
	replica   bool
}

// Track starts a request's routing state for the principal (its stable key, e.g.
// "USER:usr_…"): the authentication middleware calls it once per request.
func Track(ctx context.Context, principal string) context.Context {
	return context.WithValue(ctx, sessionKey{}, &readSession{principal: principal})
}

func sessionOf(ctx context.Context) *readSession {
	s, _ := ctx.Value(sessionKey{}).(*readSession)
	return s
}

// FromReplica tells whether ctx's reads go to the replica (the rule above).
func (d *DB) FromReplica(ctx context.Context) bool {
	if d.replica == nil {
		return false
	}
	if lag, _ := ctx.Value(lagKey{}).(bool); !lag {
		return false
	}
	s := sessionOf(ctx)
	if s == nil {
		return d.replicaReplayed(ctx, "0/0")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wrote {
		return false
	}
	if !s.decided {
		fence := "0/0"
		if s.principal != "" {
			err := d.SQL.QueryRowContext(ctx, `SELECT lsn::text FROM replica_fences WHERE principal = $1`, s.principal).Scan(&fence)
			if err != nil && err != sql.ErrNoRows {
				return false
			}
		}
		s.decided, s.replica = true, d.replicaReplayed(ctx, fence)
	}
	return s.replica
}

// replicaReplayed asks the replica whether it has replayed the WAL up to fence.
func (d *DB) replicaReplayed(ctx context.Context, fence string) bool {
	var ok sql.NullBool
	err := d.replica.db.QueryRowContext(ctx, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, fence).Scan(&ok)
	return err == nil && ok.Valid && ok.Bool
}

// Reader answers the pool a raw SQL read of ctx runs on: the replica when
// FromReplica, else the primary.
func (d *DB) Reader(ctx context.Context) *sql.DB {
	if d.FromReplica(ctx) {
		return d.replica.db
	}
	return d.SQL
}

// wrote records that ctx's request wrote and the write has committed: the rest of
// the request reads from the primary, and the principal's fence moves to the
// primary's current WAL position (past the commit). Without a replica it does
// nothing.
func (d *DB) wrote(ctx context.Context) {
	if d.replica == nil {
		return
	}
	s := sessionOf(ctx)
	if s == nil {
		return
	}
	s.mu.Lock()
	s.wrote = true
	s.mu.Unlock()
	if s.principal == "" {
		return
	}
	// A failure here leaves an older fence: the principal's next lag-tolerant read
	// may miss this write on a lagging replica. It is not worth failing a committed
	// write for, and the context of a finished request may be cancelled, so the
	// upsert runs without it.
	_, _ = d.SQL.ExecContext(context.WithoutCancel(ctx), `INSERT INTO replica_fences (principal, lsn, written_at)
VALUES ($1, pg_current_wal_lsn(), now())
ON CONFLICT (principal) DO UPDATE SET lsn = GREATEST(replica_fences.lsn, EXCLUDED.lsn), written_at = EXCLUDED.written_at`, s.principal)
}

// migrateReplicaFences creates the fences table on PostgreSQL (infrastructure like
// rate_limits, not an ent schema).
func (d *DB) migrateReplicaFences(ctx context.Context) error {
	return d.execOnPostgres(ctx, `CREATE TABLE IF NOT EXISTS replica_fences (
  principal text PRIMARY KEY,
  lsn pg_lsn NOT NULL,
  written_at timestamptz NOT NULL
)`)
}

// routingDriver is d.Ent's driver when there is a replica: lag-tolerant reads go to
// the replica, everything else to the primary, and writes move the fence.
type routingDriver struct {
	txDriver // the primary
	d        *DB
}

// isRead: ent's reads are SELECTs; its inserts answer rows too (RETURNING), so
// Query alone does not tell.
func isRead(query string) bool { return strings.HasPrefix(query, "SELECT") }

func (r *routingDriver) Query(ctx context.Context, query string, args, v any) error {
	if !isRead(query) {
		err := r.txDriver.Query(ctx, query, args, v)
		if err == nil {
			r.d.wrote(ctx)
		}
		return err
	}
	if r.d.FromReplica(ctx) {
		return r.d.replica.drv.Query(ctx, query, args, v)
	}
	return r.txDriver.Query(ctx, query, args, v)
}

func (r *routingDriver) Exec(ctx context.Context, query string, args, v any) error {
	err := r.txDriver.Exec(ctx, query, args, v)
	if err == nil && !isRead(query) {
		r.d.wrote(ctx)
	}
	return err
}

func (r *routingDriver) Tx(ctx context.Context) (dialect.Tx, error) { return r.BeginTx(ctx, nil) }

func (r *routingDriver) BeginTx(ctx context.Context, opts *entsql.TxOptions) (dialect.Tx, error) {
	tx, err := r.txDriver.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &fencedTx{Tx: tx, ctx: ctx, d: r.d}, nil
}

func (r *routingDriver) Close() error {
	err := r.txDriver.Close()
	if r.d.replica != nil {
		_ = r.d.replica.closeDB()
	}
	return err
}

// fencedTx is a primary transaction whose commit counts as the request's write.
type fencedTx struct {
	dialect.Tx
	ctx context.Context
	d   *DB
}

func (t *fencedTx) Commit() error {
	if err := t.Tx.Commit(); err != nil {
		return err
	}
	t.d.wrote(t.ctx)
	return nil
}
