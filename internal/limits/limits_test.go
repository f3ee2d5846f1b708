package limits_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/httprate"

	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/limits"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestCountersShared: two limiters of one name on one database (two instances)
// count together on PostgreSQL, and apart on SQLite (each process its own).
func TestCountersShared(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		c := limits.New(d)
		a := httprate.NewRateLimiter(3, time.Minute, c.Option("test"))
		b := httprate.NewRateLimiter(3, time.Minute, c.Option("test"))
		now := time.Now().UTC().Truncate(time.Minute)
		for range 2 {
			if err := a.Counter().IncrementBy("k\x00", now, 1); err != nil {
				t.Fatal(err)
			}
			if err := b.Counter().IncrementBy("k\x00", now, 1); err != nil {
				t.Fatal(err)
			}
		}
		_, rate, err := a.Status("k\x00")
		if err != nil {
			t.Fatal(err)
		}
		want := 4.0
		if !d.IsPostgres() {
			want = 2
		}
		if rate != want {
			t.Errorf("rate %v, want %v", rate, want)
		}
		if _, other, _ := a.Status("other"); other != 0 {
			t.Errorf("another key: %v", other)
		}
	})
}

// TestBucketPaysRefusesAndRestores: a leaky bucket pays what it holds, refuses
// (taking nothing) what it does not with the wait until it would, and restores
// Restore points per second of the injected clock, up to Max. Two buckets of one
// name (two instances) share the content on PostgreSQL.
func TestBucketPaysRefusesAndRestores(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		budget := limits.Budget{Max: 1000, Restore: 50}
		a := limits.New(d).Bucket("test", budget, clock)
		b := limits.New(d).Bucket("test", budget, clock)
		other := b
		if d.IsPostgres() {
			other = a // the second instance's bucket is the first one's
		}
		take := func(k *limits.Bucket, key string, cost int) limits.Status {
			t.Helper()
			st, err := k.Take(t.Context(), key, cost)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		if st := take(a, "key", 600); !st.Paid || st.Available != 400 || st.Max != 1000 || st.Restore != 50 {
			t.Fatalf("first take: %+v", st)
		}
		st := take(b, "key", 600)
		if other == a {
			if st.Paid || st.Available != 400 || st.RetryAfter != 4*time.Second {
				t.Fatalf("the other instance must see 400 left and refuse 600 for 4s: %+v", st)
			}
		} else if !st.Paid || st.Available != 400 {
			t.Fatalf("SQLite: each process its own bucket: %+v", st)
		}
		if st := take(a, "another key", 1000); !st.Paid || st.Available != 0 {
			t.Fatalf("another key has its own full bucket: %+v", st)
		}
		now = now.Add(3 * time.Second) // 400 + 150
		if st := take(a, "key", 600); st.Paid || st.Available != 550 || st.RetryAfter != time.Second {
			t.Fatalf("after 3s: %+v", st)
		}
		now = now.Add(time.Second)
		if st := take(a, "key", 600); !st.Paid || st.Available != 0 {
			t.Fatalf("after 4s: %+v", st)
		}
		now = now.Add(time.Hour)
		if st := take(a, "key", 0); !st.Paid || st.Available != 1000 {
			t.Fatalf("restored up to Max only: %+v", st)
		}
		if st := take(a, "key", 1001); st.Paid || st.RetryAfter != 0 || st.Available != 1000 {
			t.Fatalf("a cost above Max is refused with no wait that helps: %+v", st)
		}
	})
}

// TestBucketConcurrentTakes: takes racing on one key (on PostgreSQL from two
// instances' buckets) pay exactly what the bucket holds, never more: the upsert's
// row lock orders them. The restore is too slow to matter within the test.
func TestBucketConcurrentTakes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		budget := limits.Budget{Max: 100, Restore: 1}
		buckets := []*limits.Bucket{limits.New(d).Bucket("race", budget, nil), limits.New(d).Bucket("race", budget, nil)}
		if !d.IsPostgres() {
			buckets = buckets[:1] // one process, one bucket
		}
		var wg sync.WaitGroup
		var paid atomic.Int32
		for i := range 30 {
			wg.Go(func() {
				st, err := buckets[i%len(buckets)].Take(context.Background(), "k", 10)
				if err != nil {
					t.Error(err)
				}
				if st.Paid {
					paid.Add(1)
				}
			})
		}
		wg.Wait()
		if n := paid.Load(); n != 10 {
			t.Errorf("%d takes of 10 paid from a bucket of 100, want 10", n)
		}
	})
}
