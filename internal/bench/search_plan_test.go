package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
)

// searchPage is orders(search:) as the PSP-wide Orders page and an integrator ask it.
const searchPage = `query Search($search: String, $orderBy: OrderOrder) {
  orders(first: 25, search: $search, orderBy: $orderBy) {
    pageInfo { hasNextPage endCursor }
    edges { node { id reference status createdAt firstName lastName email merchant { id name } amount { amount currency } } }
  }
}`

// TestOrderSearchIsServedByIndexes EXPLAINs orders(search:) for each kind of key, as
// PSP staff (all merchants), a merchant user and an API key, with the planner left
// free (sequential scans allowed) on the analysed bulk data set: the plan never reads
// orders whole, and a selective search (id, reference, provider reference, email) reads
// them through the search indexes (internal/db, search_indexes.go). At a few thousand
// orders a sequential scan is already dearer than the indexes for a selective prefix,
// so the planner's own choice shows them used; the million-order check is the same
// test with PLAN_ORDERS=1000000 (docs/api.md "Search"), -v logs each page's time.
func TestOrderSearchIsServedByIndexes(t *testing.T) {
	f := newPlanFixture(t)
	ctx := context.Background()
	var id, ref, providerRef, email, first, last string
	if err := f.d.SQL.QueryRowContext(ctx, `SELECT id, reference, provider_reference, email, first_name, last_name
FROM orders WHERE company_id = $1 AND provider_reference <> '' ORDER BY id DESC LIMIT 1`, f.key.CompanyID).
		Scan(&id, &ref, &providerRef, &email, &first, &last); err != nil {
		t.Fatal(err)
	}
	searches := map[string]string{
		"an order id prefix": strings.ToUpper(id[:len(id)-4]), "a reference": ref,
		"a provider reference": providerRef, "an email prefix": strings.ToUpper(email[:len(email)-6]),
	}
	// Names are common: the bulk seeder draws them from short lists, so a last name
	// matches a large share of the orders and a full name thousands at a million. Then
	// walking the page's index and stopping at the 25th match is cheaper, and the
	// planner does that. Such a search must not read orders whole either, but need not
	// use the search indexes.
	common := map[string]string{"a full name": first + " " + last, "a last name": last}
	for what, search := range common {
		searches[what] = search
	}
	ip := NewInProcess(f.d)
	for who, p := range map[string]*auth.Principal{"PSP staff": f.admin, "a merchant user": f.merchant, "an API key": f.key} {
		for what, search := range searches {
			for _, orderBy := range []map[string]any{nil, f.newest} {
				stmts, err := ip.Run(ctx, p, searchPage, map[string]any{"search": search, "orderBy": orderBy})
				if err != nil {
					t.Fatal(err)
				}
				st := stmts[0] // the page of orders; the merchants follow by id
				plan, err := Explain(ctx, f.d.SQL, st, false)
				if err != nil {
					t.Fatal(err)
				}
				var seq, searched bool
				plan.Walk(func(n PlanNode) {
					seq = seq || (n.NodeType == "Seq Scan" && n.Relation == "orders")
					searched = searched || strings.HasPrefix(n.Index, "order_search_")
				})
				// The page's own time, for the long run's log (-v).
				start := time.Now()
				if _, err := f.d.SQL.ExecContext(ctx, st.Query, st.Args...); err != nil {
					t.Fatal(err)
				}
				t.Logf("%s searching %s, order %v: %s, %s", who, what, orderBy, time.Since(start).Round(10*time.Microsecond), Summary(plan))
				if _, isCommon := common[what]; seq || (!searched && !isCommon) {
					t.Errorf("%s searching %s (%q, order %v): the plan does not read orders through the search indexes: %s\n  sql: %s",
						who, what, search, orderBy, Summary(plan), truncate(st.Query, 600))
				}
			}
		}
	}
}
