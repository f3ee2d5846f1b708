package bulkseed

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent/migrate"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// invariants are queries that count rows breaking a rule the product keeps; each
// must answer 0 on a seeded database.
var invariants = []struct{ name, query string }{
	{"an order's initial amount is the sum of its item totals", `
SELECT COUNT(*) FROM orders o
WHERE o.initial_amount_minor <> (SELECT COALESCE(SUM(i.total_minor), 0) FROM order_items i WHERE i.order_id = o.id)`},
	{"an order has 1 to 5 items", `
SELECT COUNT(*) FROM orders o
WHERE (SELECT COUNT(*) FROM order_items i WHERE i.order_id = o.id) NOT BETWEEN 1 AND 5`},
	{"an item total is what its quantity costs at its unit price, within rounding", `
SELECT COUNT(*) FROM order_items WHERE ABS(total_minor * 1000 - unit_price_minor * quantity) > 500`},
	{"an order's fulfilled amount is the sum of its succeeded fulfilments", `
SELECT COUNT(*) FROM orders o
WHERE o.fulfilled_amount_minor <> (SELECT COALESCE(SUM(f.amount_minor), 0) FROM fulfilments f
  WHERE f.order_id = o.id AND f.status = 'SUCCEEDED')`},
	{"an order's refunded amount is the sum of its succeeded refunds, and its amount what is left", `
SELECT COUNT(*) FROM orders o
WHERE o.refunded_amount_minor <> (SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r
  WHERE r.order_id = o.id AND r.status = 'SUCCEEDED')
  OR o.amount_minor <> o.initial_amount_minor - o.refunded_amount_minor`},
	{"a fulfilment's amount is the sum of its lines", `
SELECT COUNT(*) FROM fulfilments f
WHERE f.amount_minor <> (SELECT COALESCE(SUM(l.amount_minor), 0) FROM fulfilment_lines l WHERE l.fulfilment_id = f.id)
  OR NOT EXISTS (SELECT 1 FROM fulfilment_lines l WHERE l.fulfilment_id = f.id)`},
	{"a refund's amounts are the sums of its lines by type", `
SELECT COUNT(*) FROM refunds r
WHERE r.amount_minor <> (SELECT COALESCE(SUM(l.amount_minor), 0) FROM refund_lines l WHERE l.refund_id = r.id)
  OR r.return_amount_minor <> (SELECT COALESCE(SUM(l.amount_minor), 0) FROM refund_lines l WHERE l.refund_id = r.id AND l.refund_type = 'RETURN')
  OR r.cancel_amount_minor <> (SELECT COALESCE(SUM(l.amount_minor), 0) FROM refund_lines l WHERE l.refund_id = r.id AND l.refund_type = 'CANCEL')`},
	{"an item's fulfilled quantity and amount are the sums of its succeeded fulfilment lines", `
SELECT COUNT(*) FROM order_items i
WHERE i.fulfilled_quantity <> (SELECT COALESCE(SUM(l.quantity), 0) FROM fulfilment_lines l JOIN fulfilments f ON f.id = l.fulfilment_id
    WHERE l.order_item_id = i.id AND f.status = 'SUCCEEDED')
  OR i.fulfilled_amount_minor <> (SELECT COALESCE(SUM(l.amount_minor), 0) FROM fulfilment_lines l JOIN fulfilments f ON f.id = l.fulfilment_id
    WHERE l.order_item_id = i.id AND f.status = 'SUCCEEDED')`},
	{"an item's cancelled and returned quantities and amounts are the sums of its succeeded refund lines", `
SELECT COUNT(*) FROM order_items i
WHERE i.cancelled_quantity <> (SELECT COALESCE(SUM(l.quantity), 0) FROM refund_lines l JOIN refunds r ON r.id = l.refund_id
    WHERE l.order_item_id = i.id AND r.status = 'SUCCEEDED' AND l.refund_type = 'CANCEL')
  OR i.cancelled_amount_minor <> (SELECT COALESCE(SUM(l.amount_minor), 0) FROM refund_lines l JOIN refunds r ON r.id = l.refund_id
    WHERE l.order_item_id = i.id AND r.status = 'SUCCEEDED' AND l.refund_type = 'CANCEL')
  OR i.returned_quantity <> (SELECT COALESCE(SUM(l.quantity), 0) FROM refund_lines l JOIN refunds r ON r.id = l.refund_id
    WHERE l.order_item_id = i.id AND r.status = 'SUCCEEDED' AND l.refund_type = 'RETURN')
  OR i.returned_amount_minor <> (SELECT COALESCE(SUM(l.amount_minor), 0) FROM refund_lines l JOIN refunds r ON r.id = l.refund_id
    WHERE l.order_item_id = i.id AND r.status = 'SUCCEEDED' AND l.refund_type = 'RETURN')`},
	{"no item is fulfilled or cancelled beyond its quantity, nor returned beyond what was fulfilled", `
SELECT COUNT(*) FROM order_items
WHERE fulfilled_quantity + cancelled_quantity > quantity OR returned_quantity > fulfilled_quantity
  OR returned_amount_minor > fulfilled_amount_minor OR fulfilled_amount_minor + cancelled_amount_minor > total_minor`},
	{"the parts of a line used up completely add up to the line to the cent", `
SELECT COUNT(*) FROM order_items
WHERE fulfilled_quantity + cancelled_quantity = quantity AND fulfilled_amount_minor + cancelled_amount_minor <> total_minor`},
	{"fulfilments and refunds happen only to confirmed orders", `
SELECT COUNT(*) FROM orders o WHERE o.status <> 'CONFIRMED'
  AND (EXISTS (SELECT 1 FROM fulfilments f WHERE f.order_id = o.id) OR EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id))`},
	{"an order's fulfilment status follows its items", `
SELECT COUNT(*) FROM orders o
WHERE o.fulfilment_status <> CASE
  WHEN NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.fulfilled_quantity > 0) THEN 'UNFULFILLED'
  WHEN EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.fulfilled_quantity + i.cancelled_quantity < i.quantity) THEN 'PARTIALLY_FULFILLED'
  ELSE 'FULFILLED' END`},
	{"no row points nowhere", `
SELECT (SELECT COUNT(*) FROM order_items i LEFT JOIN orders o ON o.id = i.order_id WHERE o.id IS NULL)
  + (SELECT COUNT(*) FROM fulfilments f LEFT JOIN orders o ON o.id = f.order_id WHERE o.id IS NULL)
  + (SELECT COUNT(*) FROM refunds r LEFT JOIN orders o ON o.id = r.order_id WHERE o.id IS NULL)
  + (SELECT COUNT(*) FROM fulfilment_lines l LEFT JOIN fulfilments f ON f.id = l.fulfilment_id LEFT JOIN order_items i ON i.id = l.order_item_id
     WHERE f.id IS NULL OR i.id IS NULL OR i.order_id <> f.order_id)
  + (SELECT COUNT(*) FROM refund_lines l LEFT JOIN refunds r ON r.id = l.refund_id LEFT JOIN order_items i ON i.id = l.order_item_id
     WHERE r.id IS NULL OR i.id IS NULL OR i.order_id <> r.order_id)
  + (SELECT COUNT(*) FROM orders o LEFT JOIN companies c ON c.id = o.company_id LEFT JOIN shops s ON s.id = o.shop_id
     WHERE c.id IS NULL OR s.id IS NULL OR c.merchant_id <> o.merchant_id OR s.merchant_id <> o.merchant_id)`},
	{"fulfilments and refunds carry their order's company", `
SELECT (SELECT COUNT(*) FROM fulfilments f JOIN orders o ON o.id = f.order_id
    WHERE f.company_id IS NULL OR f.company_id <> o.company_id)
  + (SELECT COUNT(*) FROM refunds r JOIN orders o ON o.id = r.order_id
    WHERE r.company_id IS NULL OR r.company_id <> o.company_id)`},
	{"a settlement's net is its gross less refunds, fees and owed balances deducted, and the sum of its entries", `
SELECT COUNT(*) FROM settlements s
WHERE s.net_minor <> s.gross_minor - s.refunds_minor - s.fees_minor
    + (SELECT COALESCE(SUM(e.amount_minor), 0) FROM settlement_entries e WHERE e.settlement_id = s.id AND e.kind = 'OWED')
  OR s.net_minor <> (SELECT COALESCE(SUM(e.amount_minor), 0) FROM settlement_entries e WHERE e.settlement_id = s.id)`},
	{"every settled item is in the settlement that claims it", `
SELECT (SELECT COUNT(*) FROM orders o WHERE o.settlement_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM settlement_entries e WHERE e.settlement_id = o.settlement_id AND e.order_id = o.id AND e.kind = 'ORDER'))
  + (SELECT COUNT(*) FROM fulfilments f WHERE f.settlement_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM settlement_entries e WHERE e.settlement_id = f.settlement_id AND e.fulfilment_id = f.id AND e.kind = 'FULFILMENT'))`},
}

func count(t *testing.T, d *db.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := d.SQL.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	return n
}

// TestSeedKeepsTheDomainsInvariants seeds a small data set and checks, rule by rule,
// that the bulk rows say what the services would have written.
func TestSeedKeepsTheDomainsInvariants(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		res, err := Run(ctx, d, Options{Orders: 400, Days: 40, SettleLagDays: 3, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if res.Orders != 400 || count(t, d, "SELECT COUNT(*) FROM orders") != 400 {
			t.Fatalf("wrote %d orders, want 400", res.Orders)
		}
		for _, c := range []struct {
			what  string
			query string
		}{
			{"fulfilments", "SELECT COUNT(*) FROM fulfilments"},
			{"partially fulfilled orders", "SELECT COUNT(*) FROM orders WHERE fulfilment_status = 'PARTIALLY_FULFILLED'"},
			{"RETURN lines", "SELECT COUNT(*) FROM refund_lines WHERE refund_type = 'RETURN'"},
			{"CANCEL lines", "SELECT COUNT(*) FROM refund_lines WHERE refund_type = 'CANCEL'"},
			{"fractional quantities", "SELECT COUNT(*) FROM order_items WHERE quantity % 1000 <> 0"},
			{"pending orders", "SELECT COUNT(*) FROM orders WHERE status = 'PENDING'"},
			{"settlements", "SELECT COUNT(*) FROM settlements"},
			{"settled orders", "SELECT COUNT(*) FROM orders WHERE settlement_id IS NOT NULL"},
			{"unsettled payable orders, left for a benchmark's daily run", "SELECT COUNT(*) FROM orders WHERE settlement_id IS NULL AND payout_date IS NOT NULL"},
		} {
			if count(t, d, c.query) == 0 {
				t.Errorf("the data set has no %s", c.what)
			}
		}
		for _, inv := range invariants {
			if n := count(t, d, inv.query); n != 0 {
				t.Errorf("%s: %d rows break it", inv.name, n)
			}
		}
		if n, err := d.Ent.Order.Query().Where(order.CreatedAtGT(now)).Count(auth.System(ctx)); err != nil || n != 0 {
			t.Errorf("%d orders are in the future (%v)", n, err)
		}
	})
}

func TestSeedRefusesANonEmptyDatabaseUnlessAppending(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		opt := Options{Orders: 30, Days: 10, SettleLagDays: -1}
		first, err := Run(ctx, d, opt)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(ctx, d, opt); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("a second seed answered %v, want ErrNotEmpty", err)
		}
		opt.Append = true
		again, err := Run(ctx, d, opt)
		if err != nil {
			t.Fatal(err)
		}
		if again.PSPID != first.PSPID {
			t.Errorf("appending created PSP %s beside %s instead of growing the bench PSP", again.PSPID, first.PSPID)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM orders"); n != 60 {
			t.Errorf("%d orders after appending 30 to 30", n)
		}
		if n, _ := d.Ent.PSP.Query().Count(auth.System(ctx)); n != 1 {
			t.Errorf("%d PSPs after appending", n)
		}
	})
}

func TestSchemaCheckNamesTheColumnToAdd(t *testing.T) {
	for _, c := range []struct {
		name string
		t    table
		want string
	}{
		{"a column the schema no longer has", table{name: "orders", spec: migrate.OrdersTable,
			cols: append(append([]string{}, ordersTable.cols...), "no_such_column")}, "orders.no_such_column"},
		{"a required column the seed does not write", table{name: "orders", spec: migrate.OrdersTable,
			cols: ordersTable.cols[1:]}, "orders.id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkSchema([]table{c.t})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error naming %s", err, c.want)
			}
		})
	}
	if err := checkSchema(bulkTables); err != nil {
		t.Fatalf("the bulk tables do not match ent/migrate/schema.go: %v", err)
	}
}
