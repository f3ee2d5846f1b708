package limits

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// ErrThrottled: the caller's cost bucket cannot pay for the request now; it may
// retry after the bucket has restored enough (docs/graphql-limits.md "Throttle").
var ErrThrottled = errors.New("limits: throttled")

// Budget is a leaky bucket of cost points: it holds at most Max and restores
// Restore points per second. A request pays its cost from it, or is refused.
type Budget struct {
	Max     int // maximumAvailable
	Restore int // restoreRate, points per second
}

// Status is a bucket right after a request tried to pay.
type Status struct {
	Budget
	// Available is what the bucket holds after the request (currentlyAvailable).
	Available int
	// Paid tells whether the request's cost was taken; when not, nothing was.
	Paid bool
	// RetryAfter, when not paid, is how long until the bucket holds the cost
	// (0 when the cost is above Max: no wait helps).
	RetryAfter time.Duration
}

// Bucket is one named limiter's buckets, one per key (an API key, a session).
type Bucket struct {
	name   string
	budget Budget
	now    func() time.Time
	db     *sql.DB // PostgreSQL: the shared table; nil: this process's memory
	// prepare: take with a prepared statement (direct connections; behind a
	// transaction pooler lib/pq's binary parameters already save the round trip).
	prepare  bool
	stmtOnce sync.Once
	stmt     *sql.Stmt

	mu  sync.Mutex
	mem map[string]level
}

// level is a bucket's content at a moment.
type level struct {
	available float64
	at        time.Time
}

// Bucket answers the named leaky buckets of budget b: on PostgreSQL in the table
// cost_buckets that every instance shares, one atomic statement per Take; on SQLite
// in this process. now is the clock (nil: time.Now); tests inject theirs.
func (c Counters) Bucket(name string, b Budget, now func() time.Time) *Bucket {
	if now == nil {
		now = time.Now
	}
	k := &Bucket{name: name, budget: b, now: now, mem: map[string]level{}}
	if c.db != nil && c.db.IsPostgres() {
		k.db, k.prepare = c.db.SQL, c.db.Options().Pooler == ""
	}
	return k
}

// Take pays cost from key's bucket if it holds that much, after restoring what
// the time since its last use restored. An error is the store's (the request
// was neither paid nor refused).
func (k *Bucket) Take(ctx context.Context, key string, cost int) (Status, error) {
	now := k.now()
	var avail float64
	var paid bool
	if k.db != nil {
		var err error
		if avail, paid, err = k.takeShared(ctx, key, cost, now); err != nil {
			return Status{Budget: k.budget}, err
		}
	} else {
		avail, paid = k.takeLocal(key, cost, now)
	}
	st := Status{Budget: k.budget, Available: int(math.Floor(avail)), Paid: paid}
	if !paid && cost <= k.budget.Max && k.budget.Restore > 0 {
		secs := (float64(cost) - avail) / float64(k.budget.Restore)
		st.RetryAfter = time.Duration(math.Ceil(secs * float64(time.Second)))
	}
	return st, nil
}

// refill is the bucket's content at now: what it held plus what the time since
// restored, at most Max.
func (k *Bucket) refill(l level, now time.Time) float64 {
	elapsed := max(now.Sub(l.at).Seconds(), 0)
	return math.Min(float64(k.budget.Max), l.available+elapsed*float64(k.budget.Restore))
}

// fullAfter is how long an untouched bucket takes to be full again: a bucket
// unused for longer is the same as none.
func (k *Bucket) fullAfter() time.Duration {
	if k.budget.Restore <= 0 {
		return 24 * time.Hour
	}
	return time.Duration(float64(k.budget.Max)/float64(k.budget.Restore)*float64(time.Second)) + time.Second
}

// maxLocalBuckets is when the in-process map forgets the buckets that are full
// again (they are the same as no bucket).
const maxLocalBuckets = 10000

func (k *Bucket) takeLocal(key string, cost int, now time.Time) (float64, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	l, ok := k.mem[key]
	if !ok {
		l = level{available: float64(k.budget.Max), at: now}
		if len(k.mem) >= maxLocalBuckets {
			for key, old := range k.mem {
				if now.Sub(old.at) > k.fullAfter() {
					delete(k.mem, key)
				}
			}
		}
	}
	avail := k.refill(l, now)
	paid := avail >= float64(cost)
	if paid {
		avail -= float64(cost)
	}
	k.mem[key] = level{available: avail, at: later(l.at, now)}
	return avail, paid
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// refilled is the SQL of refill on the stored row b ($3 Max, $5 now, $6 Restore).
const refilled = `LEAST($3::float8, b.available + $6::float8 * GREATEST(0, EXTRACT(EPOCH FROM ($5::timestamptz - b.updated_at))))`

// takeSharedSQL restores, pays and answers in one statement: the row lock of the
// upsert orders concurrent requests of every instance on one key.
const takeSharedSQL = `INSERT INTO cost_buckets AS b (limiter, key, available, paid, updated_at)
VALUES ($1, $2, CASE WHEN $3::float8 >= $4::float8 THEN $3::float8 - $4::float8 ELSE $3::float8 END, $3::float8 >= $4::float8, $5)
ON CONFLICT (limiter, key) DO UPDATE SET
  available = CASE WHEN ` + refilled + ` >= $4::float8 THEN ` + refilled + ` - $4::float8 ELSE ` + refilled + ` END,
  paid = ` + refilled + ` >= $4::float8,
  updated_at = GREATEST(b.updated_at, $5::timestamptz)
RETURNING available, paid`

// prepared answers the take statement prepared (database/sql prepares it again on
// each connection that runs it), or nil where it is not worth it or failed: lib/pq
// sends an unprepared statement with parameters in two round trips (parse, then
// bind and execute), a prepared one in one (docs: README "Throttle" has the numbers).
func (k *Bucket) prepared(ctx context.Context) *sql.Stmt {
	if !k.prepare {
		return nil
	}
	k.stmtOnce.Do(func() {
		if stmt, err := k.db.PrepareContext(context.WithoutCancel(ctx), takeSharedSQL); err == nil {
			k.stmt = stmt
		}
	})
	return k.stmt
}

func (k *Bucket) takeShared(ctx context.Context, key string, cost int, now time.Time) (float64, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	var avail float64
	var paid bool
	args := []any{k.name, []byte(key), k.budget.Max, cost, now.UTC(), k.budget.Restore}
	var row *sql.Row
	if stmt := k.prepared(ctx); stmt != nil {
		row = stmt.QueryRowContext(ctx, args...)
	} else {
		row = k.db.QueryRowContext(ctx, takeSharedSQL, args...)
	}
	err := row.Scan(&avail, &paid)
	if err == nil && rand.IntN(1024) == 0 {
		// Now and then, forget buckets that are full again (the same as none).
		_, _ = k.db.ExecContext(ctx, `DELETE FROM cost_buckets WHERE limiter = $1 AND updated_at < $2`,
			k.name, now.Add(-k.fullAfter()).UTC())
	}
	return avail, paid, err
}
