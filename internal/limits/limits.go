// Package limits keeps rate-limit counters where every instance sees them: on
// PostgreSQL in one table (rate_limits, created by internal/db's Migrate), so N
// instances behind a load balancer allow the limit once, not N times; on SQLite (one
// process) in that process's memory.
//
// A Counter is an httprate.LimitCounter, so any httprate.RateLimiter (the login
// throttle in internal/auth, a per-API-key throttle) keeps its sliding-window
// arithmetic and only stores its two windows' counts here. Each check is one
// statement (Get: one SELECT of both windows) and each counted attempt one atomic
// upsert (IncrementBy), so concurrent instances never lose a count.
//
// A Bucket (bucket.go) is a leaky bucket of GraphQL cost per API key or session
// (README "Throttle"), kept the same way: on PostgreSQL in cost_buckets, restored and
// paid by one atomic statement per request; on SQLite in the process.
package limits

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"time"

	"github.com/go-chi/httprate"

	"github.com/pspbackoffice/backoffice/internal/db"
)

// statementTimeout bounds each counter statement: a limiter must not hold up a
// request for long (httprate's interface carries no context).
const statementTimeout = 2 * time.Second

// Counters makes counters for named limiters on d.
type Counters struct{ db *db.DB }

// New answers the counters of d: shared on PostgreSQL, per process on SQLite.
func New(d *db.DB) Counters { return Counters{db: d} }

// Option answers the httprate option that stores the named limiter's counts (name
// keeps limiters apart in the one table); on SQLite none (httprate's in-memory
// counter).
func (c Counters) Option(name string) httprate.Option {
	if c.db == nil || !c.db.IsPostgres() {
		return func(*httprate.RateLimiter) {}
	}
	return httprate.WithLimitCounter(&pgCounter{db: c.db.SQL, name: name})
}

// pgCounter is one limiter's counts in rate_limits. Keys are stored as bytes: they
// may hold any byte (the login throttle joins account and address with a NUL, which
// text refuses).
type pgCounter struct {
	db     *sql.DB
	name   string
	window time.Duration
}

func (p *pgCounter) Config(_ int, windowLength time.Duration) { p.window = windowLength }

func (p *pgCounter) Increment(key string, currentWindow time.Time) error {
	return p.IncrementBy(key, currentWindow, 1)
}

func (p *pgCounter) IncrementBy(key string, currentWindow time.Time, amount int) error {
	ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
	defer cancel()
	// The row lives two windows: the sliding estimate reads the previous one.
	_, err := p.db.ExecContext(ctx, `INSERT INTO rate_limits (limiter, key, window_start, count, expires_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (limiter, key, window_start) DO UPDATE SET count = rate_limits.count + EXCLUDED.count`,
		p.name, []byte(key), currentWindow.UTC(), amount, currentWindow.UTC().Add(2*p.window))
	if err == nil && rand.IntN(256) == 0 {
		// Now and then, forget windows that no estimate reads any more.
		_, _ = p.db.ExecContext(ctx, `DELETE FROM rate_limits WHERE expires_at < now()`)
	}
	return err
}

func (p *pgCounter) Get(key string, currentWindow, previousWindow time.Time) (int, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
	defer cancel()
	var cur, prev int
	err := p.db.QueryRowContext(ctx, `SELECT
  COALESCE(SUM(count) FILTER (WHERE window_start = $3), 0),
  COALESCE(SUM(count) FILTER (WHERE window_start = $4), 0)
FROM rate_limits WHERE limiter = $1 AND key = $2 AND window_start IN ($3, $4)`,
		p.name, []byte(key), currentWindow.UTC(), previousWindow.UTC()).Scan(&cur, &prev)
	return cur, prev, err
}
