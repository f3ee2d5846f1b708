package graph_test

import (
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/events"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

const createOrder = `mutation($in: CreateOrderInput!) { createOrder(input: $in) {
	paymentUrl
	order { id reference status provider paymentUrl initialAmount { amount currency }
		items { sku quantity unitPrice { amount } total { amount } vatRate } shop { id } company { id } }
	userErrors { code field message }
} }`

type createOrderResponse struct {
	CreateOrder struct {
		PaymentURL *string
		Order      *struct {
			ID, Reference, Status, Provider string
			PaymentURL                      *string
			InitialAmount                   struct{ Amount, Currency string }
			Items                           []struct {
				Sku, Quantity, VatRate string
				UnitPrice, Total       struct{ Amount string }
			}
			Shop, Company struct{ ID string }
		}
		UserErrors []struct {
			Code    string
			Field   []string
			Message string
		}
	}
}

// TestCreateOrderMutation runs createOrder through GraphQL as an API key: the
// company and shop come from the key, the answer carries the order, its items and
// the payment page, and a refusal comes back as a userError naming the field.
func TestCreateOrderMutation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, psptest.Options{})
		srv := graph.NewHandler(&graph.Resolver{Client: d.Ent, Orders: e.Orders}, graph.Options{})
		c := client.New(srv, func(r *client.Request) {
			r.HTTP = r.HTTP.WithContext(auth.With(r.HTTP.Context(), e.APIKey))
		})
		in := map[string]any{
			"reference": "GQL-1", "provider": "PAYWERK", "amount": "150.69", "lang": "en",
			"billingAddress": map[string]any{"country": "EE"},
			"items": []map[string]any{
				{"sku": "LAMP-OAK", "name": "Oak table lamp", "quantity": "1", "unitPrice": "90.00", "vatRate": "22"},
				{"sku": "CABLE", "quantity": "25.5", "unitPrice": "2.38", "vatRate": "7.5"},
			},
			"successUrl": "https://shop.example/ok", "failedUrl": "https://shop.example/no",
		}
		var resp createOrderResponse
		c.MustPost(createOrder, &resp, client.Var("in", in))
		got := resp.CreateOrder
		if len(got.UserErrors) != 0 || got.Order == nil || got.PaymentURL == nil {
			t.Fatalf("createOrder answered %+v", got)
		}
		o := got.Order
		if o.Status != "PENDING" || o.Shop.ID != e.Shop.ID || o.Company.ID != e.Company.ID || o.InitialAmount.Amount != "150.69" ||
			o.PaymentURL == nil || *o.PaymentURL != *got.PaymentURL || len(o.Items) != 2 {
			t.Errorf("order %+v", o)
		}
		for _, it := range o.Items {
			if it.Sku == "CABLE" && (it.Quantity != "25.5" || it.Total.Amount != "60.69" || it.VatRate != "7.5") {
				t.Errorf("item %+v: 25.5 × 2.38 = 60.69", it)
			}
		}

		psptest.Shopper(t, *got.PaymentURL, sandboxkit.ActionApprove, "PAY_NOW_CARD")
		e.WaitStatus(t, o.ID, "CONFIRMED", 10*time.Second)

		in["reference"], in["amount"] = "GQL-2", "150.7"
		in["items"] = []map[string]any{{"sku": "A", "quantity": "1", "unitPrice": "150.705"}}
		resp = createOrderResponse{}
		c.MustPost(createOrder, &resp, client.Var("in", in))
		if errs := resp.CreateOrder.UserErrors; len(errs) != 1 || errs[0].Code != "TOO_MANY_DECIMALS" ||
			len(errs[0].Field) != 3 || errs[0].Field[0] != "items" || errs[0].Field[1] != "0" || errs[0].Field[2] != "unitPrice" {
			t.Errorf("userErrors %+v", errs)
		}
		if resp.CreateOrder.Order != nil {
			t.Error("a refused order was answered")
		}

		var secret struct{ Viewer struct{ ID string } }
		admin := client.New(srv, func(r *client.Request) {
			r.HTTP = r.HTTP.WithContext(auth.With(r.HTTP.Context(), e.MerchantUser))
		})
		var sec struct {
			Node struct{ WebhookSigningSecret string }
		}
		admin.MustPost(`query($id: ID!) { node(id: $id) { ... on Company { webhookSigningSecret } } }`, &sec, client.Var("id", e.Company.ID))
		if sec.Node.WebhookSigningSecret != events.CallbackSecret(psptest.Secret, e.Company.ID) {
			t.Errorf("the merchant admin reads %q", sec.Node.WebhookSigningSecret)
		}
		if err := c.Post(`query($id: ID!) { node(id: $id) { ... on Company { webhookSigningSecret } } }`, &secret, client.Var("id", e.Company.ID)); err == nil {
			t.Error("an API key read the signing secret")
		}
	})
}
