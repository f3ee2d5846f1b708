package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/auth"
)

// OrdersPage is a page of orders with what an order screen shows of each: amounts,
// items, fulfilments and refunds with their lines.
const OrdersPage = `query BenchOrders($first: Int!, $after: Cursor, $where: OrderWhereInput, $orderBy: OrderOrder) {
  orders(first: $first, after: $after, where: $where, orderBy: $orderBy) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id reference status fulfilmentStatus provider productType createdAt firstName lastName email
      initialAmount { amount minor currency } amount { amount minor currency }
      fulfilledAmount { amount } refundedAmount { amount }
      items { id sku name quantity unitPrice { amount } total { amount } fulfilledQuantity cancelledQuantity returnedQuantity }
      fulfilments { id status createdAt payoutDate amount { amount } lines { orderItemID quantity amount { amount } } }
      refunds { id status createdAt reason amount { amount } lines { orderItemID refundType quantity amount { amount } } }
    } }
  }
}`

// UIOrdersList is the web UI's order list as it asks for it (web/src/features/orders):
// 25 orders, newest first, without totalCount (counting a PSP's orders reads all of
// them; the list pages by cursor instead).
const UIOrdersList = `query Orders($first: Int!, $after: Cursor, $where: OrderWhereInput, $search: String) {
  orders(first: $first, after: $after, where: $where, search: $search, orderBy: { field: CREATED_AT, direction: DESC }) {
    pageInfo { hasNextPage endCursor }
    edges { node { id reference status fulfilmentStatus provider productType createdAt firstName lastName email
      merchant { id name } amount { amount minor currency } } }
  }
}`

// PageSize is the page the order measurements ask for.
const PageSize = 50

// ReadScenario is one read measured through the server and against its SQL bound.
type ReadScenario struct {
	Name  string
	Email string // who asks: a login, or an API key when Key is set
	Key   *APIKey
	Query string
	Vars  map[string]any
	// Bound is the smallest hand-written SQL answering the same rows: one statement.
	Bound Statement
}

// boundFilter is the WHERE and ORDER BY of an orders page's lower bound.
type boundFilter struct {
	pspID, merchantID, companyID, shopID, status string
	newestFirst                                  bool
	afterCreated                                 time.Time
	afterID                                      string
}

// ordersBound writes the lower bound of an orders page: the page and, per order, its
// items, fulfilments and refunds with their lines as JSON, in one statement. It reads
// the same rows the GraphQL answer is made of (PageSize+1, as a connection reads one
// more to know whether there is a next page) in one round trip, which nothing built
// on separate queries can beat.
func ordersBound(f boundFilter) Statement {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where = append(where, "o.psp_id = "+arg(f.pspID))
	if f.merchantID != "" {
		where = append(where, "o.merchant_id = "+arg(f.merchantID))
	}
	if f.companyID != "" {
		where = append(where, "o.company_id = "+arg(f.companyID))
	}
	if f.shopID != "" {
		where = append(where, "o.shop_id = "+arg(f.shopID))
	}
	if f.status != "" {
		where = append(where, "o.status = "+arg(f.status))
	}
	order := "o.id"
	if f.newestFirst {
		order = "o.created_at DESC, o.id DESC"
		if f.afterID != "" {
			where = append(where, fmt.Sprintf("(o.created_at, o.id) < (%s, %s)", arg(f.afterCreated), arg(f.afterID)))
		}
	}
	q := fmt.Sprintf(`WITH page AS (
  SELECT o.id, o.reference, o.status, o.fulfilment_status, o.provider, o.product_type, o.created_at, o.first_name,
    o.last_name, o.email, o.currency, o.initial_amount_minor, o.amount_minor, o.fulfilled_amount_minor, o.refunded_amount_minor
  FROM orders o WHERE %s ORDER BY %s LIMIT %d)
SELECT p.*,
  (SELECT json_agg(json_build_object('id', i.id, 'sku', i.sku, 'name', i.name, 'quantity', i.quantity,
      'unit', i.unit_price_minor, 'total', i.total_minor, 'fulfilled', i.fulfilled_quantity,
      'cancelled', i.cancelled_quantity, 'returned', i.returned_quantity) ORDER BY i.position)
    FROM order_items i WHERE i.order_id = p.id) AS items,
  (SELECT json_agg(json_build_object('id', f.id, 'status', f.status, 'created', f.created_at, 'payout', f.payout_date,
      'amount', f.amount_minor, 'lines', (SELECT json_agg(json_build_object('item', l.order_item_id, 'quantity', l.quantity,
        'amount', l.amount_minor)) FROM fulfilment_lines l WHERE l.fulfilment_id = f.id)))
    FROM fulfilments f WHERE f.order_id = p.id) AS fulfilments,
  (SELECT json_agg(json_build_object('id', r.id, 'status', r.status, 'created', r.created_at, 'reason', r.reason,
      'amount', r.amount_minor, 'lines', (SELECT json_agg(json_build_object('item', l.order_item_id, 'type', l.refund_type,
        'quantity', l.quantity, 'amount', l.amount_minor)) FROM refund_lines l WHERE l.refund_id = r.id)))
    FROM refunds r WHERE r.order_id = p.id) AS refunds
FROM page p ORDER BY %s`, strings.Join(where, " AND "), order, PageSize+1, strings.ReplaceAll(order, "o.", "p."))
	return Statement{Query: q, Args: args}
}

// listBound is the lower bound of the UI's list: its page of orders.
func listBound(pspID string) Statement {
	return Statement{Query: `SELECT id, reference, status, fulfilment_status, provider, product_type, created_at, first_name, last_name, email,
  currency, amount_minor FROM orders WHERE psp_id = $1 ORDER BY created_at DESC, id DESC LIMIT 26`, Args: []any{pspID}}
}

// runBound runs a bound statement and reads every row and column of it.
func runBound(ctx context.Context, sqldb *sql.DB, st Statement) (time.Duration, int, error) {
	start := time.Now()
	rows, err := sqldb.QueryContext(ctx, st.Query, st.Args...)
	if err != nil {
		return 0, 0, err
	}
	cols, err := rows.Columns()
	if err != nil {
		_ = rows.Close()
		return 0, 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			_ = rows.Close()
			return 0, 0, err
		}
		n++
	}
	err = rows.Close()
	return time.Since(start), n, err
}

// ReadResult is one read scenario's measurements.
type ReadResult struct {
	Scenario   ReadScenario
	GraphQL    Sample
	SQL        Sample
	Statements int           // SQL statements one request sends (in-process count)
	ServerCPU  time.Duration // the server's CPU time per request (0: unknown)
	Plans      []string      // per statement: its access paths at this data set's scale
	Problems   []string      // plan problems (PlanProblems) of those statements
	Err        error
}

// measureRead runs a scenario: the in-process statement count and plans once, then
// warm-up and n timed requests, each followed by its SQL bound, interleaved so both
// see the same machine.
// Plans are judged (PlanProblems) only when judge is set: on a small data set a
// sequential scan is the planner's right choice and says nothing about scale.
func measureRead(ctx context.Context, c *Client, d *sql.DB, ip *InProcess, p *auth.Principal, s ReadScenario, warm, n, pid int, judge bool) ReadResult {
	r := ReadResult{Scenario: s}
	if ip == nil {
		r.Statements = -1
		timeRead(ctx, c, d, &r, warm, n, pid)
		return r
	}
	stmts, err := ip.Run(ctx, p, s.Query, s.Vars)
	if err != nil {
		r.Err = err
		return r
	}
	r.Statements = len(stmts)
	for _, st := range stmts {
		plan, err := Explain(ctx, d, st, false)
		if err != nil {
			r.Plans = append(r.Plans, "explain failed: "+err.Error())
			continue
		}
		r.Plans = append(r.Plans, Summary(plan))
		if judge {
			r.Problems = append(r.Problems, PlanProblems(plan)...)
		}
	}
	timeRead(ctx, c, d, &r, warm, n, pid)
	return r
}

// timeRead runs warm untimed and n timed requests, each followed by its bound, and
// the server's CPU time over the timed ones.
func timeRead(ctx context.Context, c *Client, d *sql.DB, r *ReadResult, warm, n, pid int) {
	s := r.Scenario
	var cpu0 time.Duration
	for i := range warm + n {
		if i == warm && pid > 0 {
			cpu0, _ = ReadCPU(pid)
		}
		took, err := c.Do(ctx, s.Query, s.Vars, nil)
		if err != nil {
			r.Err = err
			return
		}
		bound, _, err := runBound(ctx, d, s.Bound)
		if err != nil {
			r.Err = fmt.Errorf("lower bound: %w", err)
			return
		}
		if i >= warm {
			r.GraphQL = append(r.GraphQL, took)
			r.SQL = append(r.SQL, bound)
		}
	}
	if pid > 0 && cpu0 > 0 && n > 0 {
		if cpu1, err := ReadCPU(pid); err == nil {
			r.ServerCPU = (cpu1 - cpu0) / time.Duration(n)
		}
	}
}

// cursorOf writes the connection cursor of an order in a newest-first list, as the
// server would hand it out (entgql's keyset cursor: the id and the created_at).
func cursorOf(id string, created time.Time) string {
	var b bytes.Buffer
	ent.Cursor{ID: id, Value: created}.MarshalGQL(&b)
	return strings.Trim(b.String(), `"`)
}

// APIKey is a key the harness created, with the principal the server makes of it.
type APIKey struct {
	Secret    string
	Principal *auth.Principal
}

const createAPIKeyMutation = `mutation BenchKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { apiKey { id } secret userErrors { code message } } }`

// createAPIKey makes an orders:read key for a company and shop, as their merchant's
// admin would in the UI.
func createAPIKey(ctx context.Context, merchant *Client, d *sql.DB, companyID, shopID string) (*APIKey, error) {
	var r struct {
		CreateApiKey struct {
			ApiKey     *struct{ ID string }
			Secret     *string
			UserErrors []struct{ Code, Message string }
		}
	}
	in := map[string]any{"companyId": companyID, "shopId": shopID, "name": "bench " + time.Now().Format(time.RFC3339),
		"scopes": []string{"orders:read"}}
	if _, err := merchant.Do(ctx, createAPIKeyMutation, map[string]any{"input": in}, &r); err != nil {
		return nil, err
	}
	if ue := r.CreateApiKey.UserErrors; len(ue) > 0 {
		return nil, fmt.Errorf("createApiKey: %s %s", ue[0].Code, ue[0].Message)
	}
	if r.CreateApiKey.ApiKey == nil || r.CreateApiKey.Secret == nil {
		return nil, fmt.Errorf("createApiKey answered no key")
	}
	p := &auth.Principal{Kind: auth.KindAPIKey, ID: r.CreateApiKey.ApiKey.ID, Label: "bench key",
		CompanyID: companyID, ShopID: shopID, Scopes: []string{"orders:read"}}
	if err := d.QueryRowContext(ctx, "SELECT psp_id, merchant_id FROM companies WHERE id = $1", companyID).
		Scan(&p.PSPID, &p.MerchantID); err != nil {
		return nil, err
	}
	return &APIKey{Secret: *r.CreateApiKey.Secret, Principal: p}, nil
}
