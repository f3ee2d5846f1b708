package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/bulkseed"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// hotRead is a read the product serves all day, asked as the principal who asks it.
type hotRead struct {
	name  string
	who   func(f *planFixture) *auth.Principal
	query string
	vars  func(f *planFixture) map[string]any
}

// planFixture is a seeded, analysed PostgreSQL schema and the principals acting on it.
type planFixture struct {
	d                        *db.DB
	admin, merchant, key     *auth.Principal
	bigCompany, smallCompany string
	deepCursor               string
	newest                   map[string]any
}

func newPlanFixture(t *testing.T) *planFixture {
	t.Helper()
	d := testdb.Postgres(t) // skips without TEST_DATABASE_URL: plans are PostgreSQL's
	ctx := context.Background()
	orders := 3000
	if n, err := strconv.Atoi(os.Getenv("PLAN_ORDERS")); err == nil && n > 0 {
		orders = n // the long check: PLAN_ORDERS=1000000 (docs/api.md "Search")
	}
	if _, err := bulkseed.Run(ctx, d, bulkseed.Options{Orders: orders, Days: 60, SettleLagDays: 3, SettleDays: 5}); err != nil {
		t.Fatal(err)
	}
	f := &planFixture{d: d, newest: map[string]any{"field": "CREATED_AT", "direction": "DESC"}}
	var err error
	if f.admin, err = UserPrincipal(ctx, d.SQL, true, bulkseed.AdminEmail); err != nil {
		t.Fatal(err)
	}
	if f.merchant, err = UserPrincipal(ctx, d.SQL, true, bulkseed.MerchantAdminEmail(1)); err != nil {
		t.Fatal(err)
	}
	if f.bigCompany, err = largestCompany(ctx, d, f.admin.PSPID, "DESC"); err != nil {
		t.Fatal(err)
	}
	if f.smallCompany, err = largestCompany(ctx, d, f.admin.PSPID, "ASC"); err != nil {
		t.Fatal(err)
	}
	f.key = &auth.Principal{Kind: auth.KindAPIKey, ID: "key_plan", Label: "plan test", PSPID: f.admin.PSPID,
		Scopes: []string{"orders:read"}}
	if err := d.SQL.QueryRowContext(ctx, `SELECT merchant_id, company_id, shop_id FROM orders WHERE company_id = $1
GROUP BY 1, 2, 3 ORDER BY COUNT(*) DESC LIMIT 1`, f.bigCompany).Scan(&f.key.MerchantID, &f.key.CompanyID, &f.key.ShopID); err != nil {
		t.Fatal(err)
	}
	var id string
	var at time.Time
	if err := d.SQL.QueryRowContext(ctx, `SELECT id, created_at FROM orders ORDER BY created_at DESC, id DESC OFFSET 1500 LIMIT 1`).
		Scan(&id, &at); err != nil {
		t.Fatal(err)
	}
	f.deepCursor = cursorOf(id, at)
	return f
}

var hotReads = []hotRead{
	{"PSP staff list the newest orders", func(f *planFixture) *auth.Principal { return f.admin }, OrdersPage,
		func(f *planFixture) map[string]any { return map[string]any{"first": PageSize, "orderBy": f.newest} }},
	{"PSP staff list one company's confirmed orders, newest first", func(f *planFixture) *auth.Principal { return f.admin }, OrdersPage,
		func(f *planFixture) map[string]any {
			return map[string]any{"first": PageSize, "orderBy": f.newest, "where": map[string]any{"companyID": f.bigCompany, "status": "CONFIRMED"}}
		}},
	{"PSP staff list the smallest company's orders, newest first", func(f *planFixture) *auth.Principal { return f.admin }, OrdersPage,
		func(f *planFixture) map[string]any {
			return map[string]any{"first": PageSize, "orderBy": f.newest, "where": map[string]any{"companyID": f.smallCompany}}
		}},
	{"PSP staff page on from a cursor half-way down", func(f *planFixture) *auth.Principal { return f.admin }, OrdersPage,
		func(f *planFixture) map[string]any {
			return map[string]any{"first": PageSize, "orderBy": f.newest, "after": f.deepCursor}
		}},
	{"PSP staff list one company's confirmed orders in the API's default order", func(f *planFixture) *auth.Principal { return f.admin },
		OrdersPage, func(f *planFixture) map[string]any {
			return map[string]any{"first": PageSize, "where": map[string]any{"companyID": f.bigCompany, "status": "CONFIRMED"}}
		}},
	{"a merchant user lists the newest orders", func(f *planFixture) *auth.Principal { return f.merchant }, OrdersPage,
		func(f *planFixture) map[string]any { return map[string]any{"first": PageSize, "orderBy": f.newest} }},
	{"an API key lists its orders in the default order", func(f *planFixture) *auth.Principal { return f.key }, OrdersPage,
		func(f *planFixture) map[string]any { return map[string]any{"first": PageSize} }},
	{"an API key lists its confirmed orders, newest first", func(f *planFixture) *auth.Principal { return f.key }, OrdersPage,
		func(f *planFixture) map[string]any {
			return map[string]any{"first": PageSize, "orderBy": f.newest, "where": map[string]any{"status": "CONFIRMED"}}
		}},
	{"the web UI's order list", func(f *planFixture) *auth.Principal { return f.admin }, UIOrdersList,
		func(f *planFixture) map[string]any { return map[string]any{"first": 25} }},
}

// TestHotReadsAreServedByIndexes runs each hot read through the GraphQL handler as
// its principal (privacy filters included), and EXPLAINs every statement ent sends
// with sequential scans discouraged: if one still reads a large table whole, or
// sorts every matching order before taking a page, no index serves it, and at a
// million orders it would be slow whatever the machine.
func TestHotReadsAreServedByIndexes(t *testing.T) {
	f := newPlanFixture(t)
	ctx := context.Background()
	ip := NewInProcess(f.d)
	for _, r := range hotReads {
		t.Run(r.name, func(t *testing.T) {
			stmts, err := ip.Run(ctx, r.who(f), r.query, r.vars(f))
			if err != nil {
				t.Fatal(err)
			}
			if len(stmts) == 0 {
				t.Fatal("the read sent no SQL")
			}
			for _, st := range stmts {
				plan, err := Explain(ctx, f.d.SQL, st, true)
				if err != nil {
					t.Fatal(err)
				}
				if problems := PlanProblems(plan); len(problems) > 0 {
					t.Errorf("%s\n  plan: %s\n  sql: %s", strings.Join(problems, "; "), Summary(plan), truncate(st.Query, 400))
				}
			}
		})
	}
}

// TestOrderPagesSendAFixedNumberOfStatements checks what the field collection and
// the paging template promise: a page reads each table once however many orders it
// holds (edges are eager-loaded, one statement per edge), and a page that asks for
// pageInfo but not totalCount counts nothing.
func TestOrderPagesSendAFixedNumberOfStatements(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := bulkseed.Run(ctx, d, bulkseed.Options{Orders: 400, Days: 30, SettleLagDays: -1}); err != nil {
			t.Fatal(err)
		}
		admin, err := UserPrincipal(ctx, d.SQL, d.IsPostgres(), bulkseed.AdminEmail)
		if err != nil {
			t.Fatal(err)
		}
		ip := NewInProcess(d)
		count := func(first int) []Statement {
			t.Helper()
			stmts, err := ip.Run(ctx, admin, OrdersPage, map[string]any{"first": first, "where": map[string]any{"status": "CONFIRMED"}})
			if err != nil {
				t.Fatal(err)
			}
			return stmts
		}
		for _, first := range []int{5, 100} {
			perTable := map[string]int{}
			for _, st := range count(first) {
				if strings.Contains(st.Query, "COUNT(") {
					t.Errorf("a page without totalCount counted its rows: %s", truncate(st.Query, 200))
				}
				from := st.Query[strings.Index(st.Query, " FROM ")+6:]
				table := strings.Trim(strings.Fields(from)[0], `"`)
				if perTable[table]++; perTable[table] > 1 {
					t.Errorf("a page of %d orders read %s %d times: it is loaded per order, not once per page", first, table, perTable[table])
				}
			}
		}
	})
}
