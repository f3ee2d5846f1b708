package security_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pspbackoffice/backoffice/graph"
)

// TestGraphQLLimits reproduces finding 2 (cost and size) and the bad-argument part of
// finding 8: each abusive request is refused before anything runs, with a code and a
// message a client can act on, never INTERNAL.
func TestGraphQLLimits(t *testing.T) {
	serve(t, func(t *testing.T, f *harness) {
		order := f.world.ByName["order A1/a/a"].ID
		merchant := f.world.ByName["merchant A1"].ID
		company := f.world.ByName["company A1/a"].ID

		refused := func(t *testing.T, actor, query, code, message string) {
			t.Helper()
			a := f.gql(actor, query, nil)
			if !slices.Contains(a.Codes(), code) || !strings.Contains(a.Body, message) {
				t.Errorf("want %s %q, got %s", code, message, a.Body)
			}
			if len(a.Data) > 0 && string(a.Data[firstKey(a.Data)]) != "null" {
				t.Errorf("the request ran: %s", a.Body)
			}
		}

		t.Run("the 8-level items/order walk is refused before it runs", func(t *testing.T) {
			walk := `{ orders(first: 100) { edges { node { items { order { items { order { items { order { items { order { id } } } } } } } } } } } }`
			refused(t, "staffA", walk, "GRAPHQL_VALIDATION_FAILED", "selects Order.items inside itself")
		})
		t.Run("a query deeper than the limit is refused", func(t *testing.T) {
			deep := `{ orders(first: 1) { edges { node { fulfilments { lines { item { order { company { merchant { companies { fees { id } } } } } } } } } } } }`
			refused(t, "staffA", deep, "GRAPHQL_VALIDATION_FAILED", fmt.Sprintf("nested 11 fields deep at fees; at most %d", graph.MaxDepth))
		})
		t.Run("a cycle within the depth limit is refused", func(t *testing.T) {
			q := `{ node(id: "` + order + `") { ... on Order { items { order { items { order { id } } } } } } }`
			refused(t, "staffA", q, "GRAPHQL_VALIDATION_FAILED", "selects Order.items inside itself")
		})
		t.Run("a nested connection refuses first above 100", func(t *testing.T) {
			for _, first := range []string{"1000000", "101", "-1"} {
				q := `{ node(id: "` + merchant + `") { ... on Merchant { orders(first: ` + first + `) { edges { node { id } } } } } }`
				refused(t, "staffA", q, "BAD_USER_INPUT", "first of orders must be between 0 and 100")
			}
			q := `query($n: Int) { node(id: "` + merchant + `") { ... on Merchant { orders(last: $n) { edges { node { id } } } } } }`
			a := f.gql("staffA", q, map[string]any{"n": 5000})
			if !slices.Contains(a.Codes(), "BAD_USER_INPUT") {
				t.Errorf("last from a variable: %s", a.Body)
			}
			ok := `{ node(id: "` + merchant + `") { ... on Merchant { orders(first: 100) { edges { node { id } } } } } }`
			f.gql("staffA", ok, nil).MustData(t)
		})
		t.Run("nodes takes at most 100 ids", func(t *testing.T) {
			ids := make([]string, graph.MaxNodeIDs+1)
			for i := range ids {
				ids[i] = order
			}
			a := f.gql("staffA", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids})
			if !slices.Contains(a.Codes(), "BAD_USER_INPUT") || !strings.Contains(a.Body, fmt.Sprintf("at most %d", graph.MaxNodeIDs)) {
				t.Errorf("101 ids: %s", a.Body)
			}
		})
		t.Run("filters are bounded too", func(t *testing.T) {
			ids := make([]string, graph.MaxNodeIDs+1)
			for i := range ids {
				ids[i] = order
			}
			a := f.gql("staffA", `query($w: OrderWhereInput) { orders(first: 1, where: $w) { edges { node { id } } } }`,
				map[string]any{"w": map[string]any{"idIn": ids}})
			if !slices.Contains(a.Codes(), "BAD_USER_INPUT") {
				t.Errorf("idIn with 101 ids: %s", a.Body)
			}
			w := map[string]any{"idIn": []string{order}}
			for range graph.MaxDepth + 1 {
				w = map[string]any{"and": []any{w}}
			}
			a = f.gql("staffA", `query($w: OrderWhereInput) { orders(first: 1, where: $w) { edges { node { id } } } }`, map[string]any{"w": w})
			if !slices.Contains(a.Codes(), "BAD_USER_INPUT") || !strings.Contains(a.Body, "nested deeper") {
				t.Errorf("a where nested %d deep: %s", graph.MaxDepth+1, a.Body)
			}
		})
		t.Run("bad cursors and impossible dates are the caller's error", func(t *testing.T) {
			for _, c := range []string{"garbage!!", "Zm9v", ""} {
				refused(t, "staffA", `{ orders(first: 2, after: "`+c+`") { edges { node { id } } } }`, "BAD_USER_INPUT", "is not a cursor")
			}
			refused(t, "adminA1", `{ settlementOverview(companyId: "`+company+`", from: "2026-02-30", to: "2026-03-01") { from } }`,
				"BAD_USER_INPUT", `settlementOverview(from): \"2026-02-30\" is not a date`)
			a := f.gql("staffA", `query($c: Cursor) { orders(first: 1, after: $c) { edges { node { id } } } }`, map[string]any{"c": "bm9wZQ"})
			if !slices.Contains(a.Codes(), "BAD_USER_INPUT") {
				t.Errorf("a bad cursor in a variable: %s", a.Body)
			}
		})
		t.Run("introspection needs credentials", func(t *testing.T) {
			refused(t, "", `{ __schema { types { name } } }`, "UNAUTHENTICATED", "introspection needs credentials")
			refused(t, "", `{ __type(name: "Order") { name } }`, "UNAUTHENTICATED", "introspection needs credentials")
			a := f.gql("viewerA1", `{ __schema { queryType { name } } }`, nil).MustData(t)
			if !strings.Contains(string(a.Data["__schema"]), "Query") {
				t.Errorf("an authenticated caller's introspection: %s", a.Body)
			}
		})
		t.Run("nested lists cost multiplicatively", func(t *testing.T) {
			q := `{ merchants(first: 100) { edges { node { orders(first: 100) { edges { node { items { sku name quantity } fulfilments { id } } } } } } } }`
			refused(t, "staffA", q, "COMPLEXITY_LIMIT_EXCEEDED", fmt.Sprint(graph.ComplexityLimit))
		})
	})
}

func firstKey(m map[string]json.RawMessage) string {
	for k := range m {
		return k
	}
	return ""
}
