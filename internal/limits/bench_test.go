package limits_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/limits"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// BenchmarkBucketTake is what the throttle adds to a GraphQL request: one Take (on
// PostgreSQL the one upsert statement), over 100 keys. It reports the median and
// the 99th percentile (README "Throttle").
func BenchmarkBucketTake(b *testing.B) {
	dbs := map[string]func(testing.TB) *db.DB{"sqlite": testdb.SQLite}
	if testdb.PostgresURL(b) != "" {
		dbs["postgres"] = testdb.Postgres
	}
	for name, open := range dbs {
		b.Run(name, func(b *testing.B) {
			k := limits.New(open(b)).Bucket("bench", limits.Budget{Max: 1 << 30, Restore: 1 << 20}, nil)
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				if _, err := k.Take(b.Context(), "key-"+strconv.Itoa(i%100), 100); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
		})
	}
}
