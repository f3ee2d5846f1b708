package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/bench"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// BenchmarkOrderPage serves the order page `backoffice bench` measures (50 orders with
// items, fulfilments and refunds) through the GraphQL handler (no network) on SQLite: the server's own CPU
// and allocations per page, which `backoffice bench` compares with PostgreSQL's
// lower bound at scale.
//
//	go test ./graph -run '^$' -bench OrderPage -benchmem
func BenchmarkOrderPage(b *testing.B) {
	d := testdb.SQLite(b)
	seedOrders(b, d.Ent, 50)
	srv := graph.NewHandler(&graph.Resolver{Client: d.Ent}, graph.Options{})
	body, err := json.Marshal(map[string]any{"query": bench.OrdersPage, "variables": map[string]any{"first": bench.PageSize}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := auth.System(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
}
