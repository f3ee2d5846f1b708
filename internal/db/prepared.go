package db

import (
	"container/list"
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// On PostgreSQL, the statements operations repeat run as prepared statements, cached
// by their text.
//
// The decision a reader would otherwise rediscover: lib/pq sends a statement with
// parameters as an unnamed statement, which PostgreSQL parses and plans on every
// execution, in two round trips (parse, then bind and execute). An operation sends
// the same twenty-odd statement texts every time, so preparing each once per
// connection saves the parse, usually the planning, and a round trip: fulfilAll went
// from 258 to ~300 per second at 1,000,000 orders, refundAll from 266 to ~340.
// (lib/pq's binary_parameters mode also saves the round trip, and is what runs
// behind a transaction pooler, where named statements cannot live: pooler.go.) The
// API's pages and their edge loads are not prepared (worthPreparing): after five
// runs a prepared statement may get a generic plan, and a generic plan for an edge load under a large tenant's
// filter measured 700 ms instead of a few. The cache is bounded (maxPrepared texts,
// least recently used out).
const maxPrepared = 256

// stmtCache maps statement texts to prepared statements.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	byKey map[string]*list.Element
	lru   *list.List // of *cachedStmt, most recent first
	// preparing: texts being prepared in the background (prepareLater).
	preparing map[string]struct{}
}

type cachedStmt struct {
	query string
	stmt  *sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, byKey: map[string]*list.Element{}, lru: list.New(), preparing: map[string]struct{}{}}
}

// cached answers the prepared statement of query, or nil.
func (c *stmtCache) cached(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[query]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt
	}
	return nil
}

// add caches st for query, or answers the statement another request cached first.
func (c *stmtCache) add(query string, st *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.preparing, query)
	if e, ok := c.byKey[query]; ok {
		_ = st.Close()
		c.lru.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt
	}
	c.byKey[query] = c.lru.PushFront(&cachedStmt{query: query, stmt: st})
	for c.lru.Len() > maxPrepared {
		old := c.lru.Remove(c.lru.Back()).(*cachedStmt)
		delete(c.byKey, old.query)
		// Closed a minute later: a request may have just been handed it. database/sql
		// then closes it on each connection.
		time.AfterFunc(time.Minute, func() { _ = old.stmt.Close() })
	}
	return st
}

// prepareLater prepares query off the caller's path, once: a transaction that meets
// a new statement runs it unprepared and leaves the preparing to this.
func (c *stmtCache) prepareLater(query string) {
	c.mu.Lock()
	if _, busy := c.preparing[query]; busy {
		c.mu.Unlock()
		return
	}
	c.preparing[query] = struct{}{}
	c.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := c.db.PrepareContext(ctx, query)
		if err != nil {
			c.mu.Lock()
			delete(c.preparing, query)
			c.mu.Unlock()
			return
		}
		c.add(query, st)
	}()
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.byKey {
		_ = e.Value.(*cachedStmt).stmt.Close()
	}
	c.byKey, c.lru = map[string]*list.Element{}, list.New()
}

// worthPreparing: statements with parameters, except reads whose best plan depends
// on the tenant (see above): pages (SELECT … ORDER BY … LIMIT) and anything with an IN
// list or subquery — edge loads and the tenant policy's filters through a parent.
// What is left are the lookups by id, inserts and updates that operations repeat.
func worthPreparing(query string, args []any) bool {
	if len(args) == 0 {
		return false
	}
	if strings.HasPrefix(query, "SELECT") &&
		(strings.Contains(query, " IN (") || strings.Contains(query, " LIMIT ")) {
		return false
	}
	return true
}

// preparedDB is the pool's side: what is worth it is prepared on first use (taking a
// connection, as the statement would anyway).
type preparedDB struct{ c *stmtCache }

func (p preparedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !worthPreparing(query, args) {
		return p.c.db.ExecContext(ctx, query, args...)
	}
	st, err := p.c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (p preparedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !worthPreparing(query, args) {
		return p.c.db.QueryContext(ctx, query, args...)
	}
	st, err := p.c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// get answers the prepared statement of query, preparing it on first use. Preparing
// takes a connection from the pool: never call it while holding a transaction (see
// preparedTx), or a full pool of transactions waiting to prepare would wait forever.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := c.cached(query); st != nil {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.add(query, st), nil
}

// preparedTx runs a transaction's statements, prepared where worth it.
type preparedTx struct {
	tx *sql.Tx
	c  *stmtCache
}

// A transaction holds its connection: a statement not prepared yet runs unprepared
// on it and is prepared in the background; a cached one is bound to the connection
// (database/sql prepares it there the first time, on the same connection).
func (p preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st := p.stmt(query, args)
	if st == nil {
		return p.tx.ExecContext(ctx, query, args...)
	}
	return p.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

func (p preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st := p.stmt(query, args)
	if st == nil {
		return p.tx.QueryContext(ctx, query, args...)
	}
	return p.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

func (p preparedTx) stmt(query string, args []any) *sql.Stmt {
	if !worthPreparing(query, args) {
		return nil
	}
	st := p.c.cached(query)
	if st == nil {
		p.c.prepareLater(query)
	}
	return st
}

// preparedDriver is ent's driver over the cache; its own transactions use it too.
type preparedDriver struct {
	*entsql.Driver
	c *stmtCache
}

func newPreparedDriver(d string, c *stmtCache) *preparedDriver {
	return &preparedDriver{Driver: entsql.NewDriver(d, entsql.Conn{ExecQuerier: preparedDB{c}}), c: c}
}

func (d *preparedDriver) Tx(ctx context.Context) (dialect.Tx, error) { return d.BeginTx(ctx, nil) }

func (d *preparedDriver) BeginTx(ctx context.Context, opts *entsql.TxOptions) (dialect.Tx, error) {
	tx, err := d.c.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &entsql.Tx{Conn: entsql.Conn{ExecQuerier: preparedTx{tx: tx, c: d.c}}, Tx: tx}, nil
}

func (d *preparedDriver) Close() error { return d.c.db.Close() }
