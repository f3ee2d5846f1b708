package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/client"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// ordersPage asks for a page of orders with everything a list screen shows.
const ordersPage = `query($first: Int) { orders(first: $first) { totalCount edges { node {
	id reference status amount { amount currency }
	items { sku quantity total { amount } fulfilledQuantity }
	fulfilments { id status amount { amount } lines { quantity amount { amount } } }
	refunds { id status amount { amount } lines { refundType quantity amount { amount } } }
} } } }`

// TestOrderListingIssuesNoNPlusOne lists 10 and then 100 orders with their items,
// fulfilments and refunds, and checks the number of SQL statements does not grow
// with the number of orders: edges are loaded in one query each, not per order.
func TestOrderListingIssuesNoNPlusOne(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		var statements atomic.Int64
		counted := ent.NewClient(ent.Driver(dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL),
			func(context.Context, ...any) { statements.Add(1) })))
		srv := graph.NewHandler(&graph.Resolver{Client: counted}, graph.Options{})
		c := client.New(srv, func(r *client.Request) {
			r.HTTP = r.HTTP.WithContext(auth.System(r.HTTP.Context()))
		})
		seedOrders(t, d.Ent, 10)
		count := func(first int) int64 {
			statements.Store(0)
			var resp map[string]any
			c.MustPost(ordersPage, &resp, client.Var("first", first))
			orders := resp["orders"].(map[string]any)
			total := int(orders["totalCount"].(float64))
			if got := len(orders["edges"].([]any)); got != min(first, total) {
				t.Fatalf("got %d orders, want %d", got, min(first, total))
			}
			return statements.Load()
		}
		ten := count(100)
		seedOrders(t, d.Ent, 90)
		hundred := count(100)
		if ten != hundred {
			t.Fatalf("listing 10 orders took %d SQL statements, 100 orders took %d: an edge is loaded per order", ten, hundred)
		}
		if fifty := count(50); fifty != hundred {
			t.Fatalf("listing 50 orders took %d statements, 100 took %d", fifty, hundred)
		}
		t.Logf("statements per page: %d", hundred)
	})
}

var seq atomic.Int64

// seedOrders writes n orders, each with two items, a fulfilment and a refund.
func seedOrders(t testing.TB, c *ent.Client, n int) {
	t.Helper()
	ctx := auth.System(context.Background())
	psp := c.PSP.Create().SetName("PSP").SaveX(ctx)
	m := c.Merchant.Create().SetPspID(psp.ID).SetName("M").SetCountry("EE").SaveX(ctx)
	co := c.Company.Create().SetPspID(psp.ID).SetMerchantID(m.ID).SetLegalName("M OÜ").SetCountry("EE").
		SetIban("EE382200221020145685").SetPayoutSchedule(domain.PayoutDaily).SaveX(ctx)
	shop := c.Shop.Create().SetPspID(psp.ID).SetMerchantID(m.ID).SetName("Shop").SaveX(ctx)
	for range n {
		i := seq.Add(1)
		o := c.Order.Create().SetPspID(psp.ID).SetMerchantID(m.ID).SetCompanyID(co.ID).SetShopID(shop.ID).
			SetProvider(domain.ProviderPaywerk).SetReference(fmt.Sprintf("R-%d", i)).SetStatus("CONFIRMED").
			SetInitialAmountMinor(3000).SetAmountMinor(2000).
			SetBillingAddress(domain.Address{Country: "EE"}).SaveX(ctx)
		a := c.OrderItem.Create().SetOrderID(o.ID).SetSku("A").SetName("A").SetQuantity(money.Units(2)).
			SetUnitPriceMinor(1000).SetTotalMinor(2000).SaveX(ctx)
		c.OrderItem.Create().SetOrderID(o.ID).SetSku("B").SetName("B").SetQuantity(money.Units(1)).
			SetUnitPriceMinor(1000).SetTotalMinor(1000).SaveX(ctx)
		f := c.Fulfilment.Create().SetOrderID(o.ID).SetStatus(domain.OperationSucceeded).SetAmountMinor(1000).SaveX(ctx)
		c.FulfilmentLine.Create().SetFulfilmentID(f.ID).SetOrderItemID(a.ID).SetQuantity(money.Units(1)).SetAmountMinor(1000).SaveX(ctx)
		r := c.Refund.Create().SetOrderID(o.ID).SetStatus(domain.OperationSucceeded).SetAmountMinor(1000).SaveX(ctx)
		c.RefundLine.Create().SetRefundID(r.ID).SetOrderItemID(a.ID).SetRefundType(domain.RefundReturn).
			SetQuantity(money.Units(1)).SetAmountMinor(1000).SaveX(ctx)
	}
}

var _ http.Handler = graph.NewHandler(&graph.Resolver{}, graph.Options{})
