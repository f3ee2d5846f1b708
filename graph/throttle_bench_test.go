package graph_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/limits"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// BenchmarkThrottleOverhead serves the cheapest operation an API key can send
// through the GraphQL handler without a throttle and with one on each database:
// the p50 difference is what the throttle adds to every request (README "Throttle").
//
//	go test ./graph -run '^$' -bench ThrottleOverhead -benchtime 3000x
func BenchmarkThrottleOverhead(b *testing.B) {
	d := testdb.SQLite(b)
	type store struct {
		name string
		db   func(testing.TB) *db.DB // nil: no throttle
	}
	cases := []store{{"off", nil}, {"sqlite", testdb.SQLite}}
	if testdb.PostgresURL(b) != "" {
		cases = append(cases, store{"postgres", testdb.Postgres})
	}
	body := []byte(`{"query":"{ __typename }"}`)
	ctx := auth.With(context.Background(), &auth.Principal{Kind: auth.KindAPIKey, ID: "key_bench"})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			opts := graph.Options{}
			if c.db != nil {
				k := limits.New(c.db(b)).Bucket("bench", limits.Budget{Max: 1 << 30, Restore: 1 << 20}, nil)
				opts.Throttle = &graph.Throttle{APIKey: k, Session: k}
			}
			srv := graph.ThrottleHTTP(graph.NewHandler(&graph.Resolver{Client: d.Ent}, opts))
			took := make([]time.Duration, 0, b.N)
			for b.Loop() {
				req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				start := time.Now()
				srv.ServeHTTP(rec, req)
				took = append(took, time.Since(start))
				if rec.Code != http.StatusOK || (c.db != nil && !bytes.Contains(rec.Body.Bytes(), []byte(`"throttleStatus"`))) {
					b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
		})
	}
}
