package bench

import (
	"context"
	"os"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/bulkseed"
	"github.com/pspbackoffice/backoffice/internal/db"
)

// benchDB opens BENCH_DATABASE_URL, a database seeded with `backoffice seed --orders
// N`. The in-process benchmarks below run only when it is set: they measure the
// GraphQL layer and the SQL it sends without HTTP, for profiling (-cpuprofile).
//
//	BENCH_DATABASE_URL=postgres://…/bench go test -run '^$' -bench . -benchtime 200x ./internal/bench/
func benchDB(b *testing.B) *db.DB {
	b.Helper()
	u := os.Getenv("BENCH_DATABASE_URL")
	if u == "" {
		b.Skip("BENCH_DATABASE_URL not set: seed a database with `backoffice seed --orders N` and point it there")
	}
	d, err := db.Open(u)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.Close() })
	return d
}

// BenchmarkOrdersPage is the newest page of orders with items, fulfilments and
// refunds, as the bench data set's PSP admin, through the in-process GraphQL handler
// (statements per op reported beside the time).
func BenchmarkOrdersPage(b *testing.B) {
	d := benchDB(b)
	ctx := context.Background()
	p, err := UserPrincipal(ctx, d.SQL, d.IsPostgres(), bulkseed.AdminEmail)
	if err != nil {
		b.Fatal(err)
	}
	ip := NewInProcess(d)
	vars := map[string]any{"first": PageSize, "orderBy": map[string]any{"field": "CREATED_AT", "direction": "DESC"}}
	var stmts int
	for b.Loop() {
		s, err := ip.Run(ctx, p, OrdersPage, vars)
		if err != nil {
			b.Fatal(err)
		}
		stmts = len(s)
	}
	b.ReportMetric(float64(stmts), "statements/op")
}

// BenchmarkOrdersPageBound is the same page's one-statement SQL lower bound.
func BenchmarkOrdersPageBound(b *testing.B) {
	d := benchDB(b)
	ctx := context.Background()
	p, err := UserPrincipal(ctx, d.SQL, d.IsPostgres(), bulkseed.AdminEmail)
	if err != nil {
		b.Fatal(err)
	}
	st := ordersBound(boundFilter{pspID: p.PSPID, newestFirst: true})
	for b.Loop() {
		if _, _, err := runBound(ctx, d.SQL, st); err != nil {
			b.Fatal(err)
		}
	}
}
