package limits_test

import (
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
