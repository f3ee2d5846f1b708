package psp_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/orderitem"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/psp"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

var systemCtx = auth.System(context.Background())

// refusal asserts err is a refusal with a problem of code on field.
func wantRefusal(t *testing.T, err error, code string, field string) {
	t.Helper()
	r, ok := domain.AsRefusal(err)
	if !ok {
		t.Fatalf("want a refusal %s on %q, got %v", code, field, err)
	}
	for _, p := range r.Problems {
		if p.Code == code && strings.Join(p.Field, ".") == field {
			return
		}
	}
	t.Fatalf("want %s on %q, got %+v", code, field, r.Problems)
}

func TestCreateOrderRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, psptest.Options{})
		other := otherMerchant(t, e)
		cases := []struct {
			name  string
			as    *auth.Principal // nil: the API key
			edit  func(in *psp.CreateOrderInput)
			setup func(t *testing.T) (undo func())
			code  string
			field string
		}{
			{name: "no reference", edit: func(in *psp.CreateOrderInput) { in.Reference = " " }, code: domain.CodeValidation, field: "reference"},
			{name: "Paywerk pages only in en or et", edit: func(in *psp.CreateOrderInput) { in.Lang = "de" }, code: domain.CodeValidation, field: "lang"},
			{name: "a language is two ISO 639-1 letters", edit: func(in *psp.CreateOrderInput) { in.Provider, in.Lang = domain.ProviderBillwerk, "eng" },
				code: domain.CodeValidation, field: "lang"},
			{name: "a currency the provider does not take", edit: func(in *psp.CreateOrderInput) { in.Currency = "USD" },
				setup: func(t *testing.T) func() {
					noErr(t, e.Company.Update().SetCurrency("USD").Exec(systemCtx))
					return func() { noErr(t, e.Company.Update().SetCurrency("EUR").Exec(systemCtx)) }
				}, code: domain.CodeValidation, field: "currency"},
			// Issue 13, defect 5: a DKK order of a EUR company would never be settled.
			{name: "a currency other than the company's settlement currency", edit: func(in *psp.CreateOrderInput) {
				in.Provider, in.Lang, in.Currency = domain.ProviderBillwerk, "en", "DKK"
			}, code: domain.CodeCurrencyMismatch, field: "currency"},
			{name: "not a currency", edit: func(in *psp.CreateOrderInput) { in.Currency = "EUROS" }, code: domain.CodeValidation, field: "currency"},
			{name: "more decimals than the currency has", edit: func(in *psp.CreateOrderInput) { in.Amount = "150.001" }, code: domain.CodeTooManyDecimals, field: "amount"},
			{name: "an amount that is no number", edit: func(in *psp.CreateOrderInput) { in.Amount = "1.5e2" }, code: domain.CodeValidation, field: "amount"},
			{name: "a zero amount", edit: func(in *psp.CreateOrderInput) { in.Amount, in.Items = "0.00", nil }, code: domain.CodeValidation, field: "amount"},
			{name: "an amount that is not the sum of the items", edit: func(in *psp.CreateOrderInput) { in.Amount = "149.99" }, code: domain.CodeValidation, field: "amount"},
			{name: "a unit price with too many decimals", edit: func(in *psp.CreateOrderInput) { in.Items[0].UnitPrice = "90.005" },
				code: domain.CodeTooManyDecimals, field: "items.0.unitPrice"},
			{name: "a negative unit price", edit: func(in *psp.CreateOrderInput) { in.Items[0].UnitPrice = "-90.00" },
				code: domain.CodeValidation, field: "items.0.unitPrice"},
			{name: "a zero quantity", edit: func(in *psp.CreateOrderInput) { in.Items[0].Quantity = 0 }, code: domain.CodeValidation, field: "items.0.quantity"},
			{name: "a fractional quantity where the provider takes whole ones", edit: func(in *psp.CreateOrderInput) {
				in.Provider = domain.ProviderBillwerk
				in.Items[1].Quantity, in.Items[1].UnitPrice, in.Amount = money.MustQuantity("1.5"), "40.00", "150.00"
			}, code: domain.CodeValidation, field: "items.1.quantity"},
			{name: "the same sku twice", edit: func(in *psp.CreateOrderInput) { in.Items[1].SKU = in.Items[0].SKU }, code: domain.CodeValidation, field: "items.1.sku"},
			{name: "a VAT rate that is no percentage", edit: func(in *psp.CreateOrderInput) { in.Items[0].VATRate = "22%" }, code: domain.CodeValidation, field: "items.0.vatRate"},
			// Issue 13, defect 7: Paywerk (docs/providers/paywerk.md "Products and limits") offers pay now in Estonia and other EEA countries only.
			{name: "pay now at Paywerk for a shopper outside the EEA", edit: func(in *psp.CreateOrderInput) {
				in.ProductType, in.BillingAddress.Country = domain.ProductPayNowCard, "US"
			}, code: domain.CodeValidation, field: "productType"},
			{name: "pay later under 100 EUR at Paywerk", edit: func(in *psp.CreateOrderInput) {
				in.ProductType, in.Amount, in.Items = domain.ProductInvoice, "99.99", nil
			}, code: domain.CodeValidation, field: "productType"},
			{name: "pay later over 2000 EUR at Paywerk", edit: func(in *psp.CreateOrderInput) {
				in.ProductType, in.Amount, in.Items = domain.ProductSlice, "2000.01", nil
			}, code: domain.CodeValidation, field: "productType"},
			{name: "a product type the provider does not offer", edit: func(in *psp.CreateOrderInput) {
				in.Provider, in.ProductType = domain.ProviderBillwerk, domain.ProductInvoice
			}, code: domain.CodeValidation, field: "productType"},
			{name: "a product type the shop does not sell", edit: func(in *psp.CreateOrderInput) { in.ProductType = domain.ProductSlice },
				setup: func(t *testing.T) func() {
					return setShop(t, e, func(u *ent.ShopUpdateOne) { u.SetProductTypes([]domain.ProductType{domain.ProductPayNowCard}) },
						func(u *ent.ShopUpdateOne) { u.ClearProductTypes() })
				}, code: domain.CodeValidation, field: "productType"},
			{name: "above the shop's maximum", setup: func(t *testing.T) func() {
				return setShop(t, e, func(u *ent.ShopUpdateOne) { u.SetMaxAmountMinor(10000) }, func(u *ent.ShopUpdateOne) { u.ClearMaxAmountMinor() })
			}, code: domain.CodeValidation, field: "amount"},
			{name: "below the shop's minimum", setup: func(t *testing.T) func() {
				return setShop(t, e, func(u *ent.ShopUpdateOne) { u.SetMinAmountMinor(20000) }, func(u *ent.ShopUpdateOne) { u.ClearMinAmountMinor() })
			}, code: domain.CodeValidation, field: "amount"},
			{name: "a suspended merchant", setup: func(t *testing.T) func() { return setMerchantStatus(t, e, merchant.StatusSUSPENDED) },
				code: domain.CodeMerchantNotActive},
			{name: "a merchant still onboarding", setup: func(t *testing.T) func() { return setMerchantStatus(t, e, merchant.StatusONBOARDING) },
				code: domain.CodeMerchantNotActive},
			{name: "a company whose activation is pending", setup: func(t *testing.T) func() {
				a := e.Activations[domain.ProviderPaywerk]
				noErr(t, a.Update().SetStatus(domain.ActivationPending).Exec(systemCtx))
				return func() { noErr(t, a.Update().SetStatus(domain.ActivationActive).Exec(systemCtx)) }
			}, code: domain.CodeProviderNotActivated, field: "provider"},
			{name: "an email that is no address", edit: func(in *psp.CreateOrderInput) { in.Email = "mari.tamm" }, code: domain.CodeValidation, field: "email"},
			{name: "a phone number not in E.164", edit: func(in *psp.CreateOrderInput) { in.Phone = "5555 5555" }, code: domain.CodeValidation, field: "phone"},
			{name: "no billing address", edit: func(in *psp.CreateOrderInput) { in.BillingAddress = nil }, code: domain.CodeValidation, field: "billingAddress.country"},
			{name: "a billing address without country", edit: func(in *psp.CreateOrderInput) { in.BillingAddress.Country = "" },
				code: domain.CodeValidation, field: "billingAddress.country"},
			{name: "a billing country that does not exist", edit: func(in *psp.CreateOrderInput) { in.BillingAddress.Country = "XX" },
				code: domain.CodeValidation, field: "billingAddress.country"},
			{name: "no success URL", edit: func(in *psp.CreateOrderInput) { in.SuccessURL = "" }, code: domain.CodeValidation, field: "successUrl"},
			{name: "a callback URL that is not http", edit: func(in *psp.CreateOrderInput) { in.CallbackURL = "ftp://shop.example/cb" },
				code: domain.CodeValidation, field: "callbackUrl"},
			{name: "Billie without the buying company", edit: func(in *psp.CreateOrderInput) { in.Provider, in.CompanyName = domain.ProviderBillie, "" },
				code: domain.CodeValidation, field: "companyName"},
			{name: "no provider for a company activated with four", edit: func(in *psp.CreateOrderInput) { in.Provider = "" },
				code: domain.CodeValidation, field: "provider"},
			{name: "an API key naming another company", edit: func(in *psp.CreateOrderInput) { in.CompanyID = other.Company.ID },
				code: domain.CodeValidation, field: "companyId"},
			{name: "a user without companyId", as: e.MerchantUser, edit: func(in *psp.CreateOrderInput) { in.ShopID = e.Shop.ID },
				code: domain.CodeValidation, field: "companyId"},
			{name: "a user of another merchant", as: other.User, edit: func(in *psp.CreateOrderInput) { in.CompanyID, in.ShopID = e.Company.ID, e.Shop.ID },
				code: domain.CodeNotFound, field: "companyId"},
			{name: "a shop of another merchant", as: e.MerchantUser, edit: func(in *psp.CreateOrderInput) { in.CompanyID, in.ShopID = e.Company.ID, other.Shop.ID },
				code: domain.CodeNotFound, field: "shopId"},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := e.OrderInput(domain.ProviderPaywerk, "REF-BAD-"+string(rune('A'+i)))
				if c.edit != nil {
					c.edit(&in)
				}
				if c.setup != nil {
					defer c.setup(t)()
				}
				as := c.as
				if as == nil {
					as = e.APIKey
				}
				res, err := e.Orders.CreateOrder(psptest.As(as), in)
				wantRefusal(t, err, c.code, c.field)
				if res != nil {
					t.Errorf("a refused request answered an order: %+v", res.Order)
				}
			})
		}
		if n := e.DB.Ent.Order.Query().CountX(systemCtx); n != 0 {
			t.Errorf("refused requests wrote %d orders", n)
		}
	})
}

// TestCreateOrder checks what a valid request writes, for each kind of principal.
func TestCreateOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, psptest.Options{})
		t.Run("an API key's order belongs to its company and shop", func(t *testing.T) {
			in := e.OrderInput(domain.ProviderPaywerk, "W-1001")
			in.Items[1].Quantity, in.Items[1].UnitPrice = money.MustQuantity("1.5"), "40.00" // Paywerk takes fractions: 1.5 × 40.00 = 60.00
			res := e.Create(t, in)
			o := res.Order
			if o.CompanyID != e.Company.ID || o.ShopID != e.Shop.ID || o.MerchantID != e.Merchant.ID || o.PspID != e.PSP.ID {
				t.Errorf("otherTenant ids %s %s %s %s", o.PspID, o.MerchantID, o.CompanyID, o.ShopID)
			}
			if o.Status != order.StatusPENDING || o.InitialAmountMinor != 15000 || o.AmountMinor != 15000 || o.Currency != "EUR" {
				t.Errorf("order %s %d %d %s", o.Status, o.InitialAmountMinor, o.AmountMinor, o.Currency)
			}
			if o.ProviderReference == "" || o.PaymentURL != res.PaymentURL || !strings.HasPrefix(res.PaymentURL, e.Sandboxes.URL+"/paywerk/") {
				t.Errorf("session %q %q", o.ProviderReference, res.PaymentURL)
			}
			// Through the answered order itself, as the API loads its edges.
			items := o.QueryItems().Order(ent.Asc(orderitem.FieldPosition)).AllX(psptest.As(e.APIKey))
			if len(items) != 2 || items[1].Quantity != money.MustQuantity("1.5") || items[1].TotalMinor != 6000 || items[0].VatRateBps != 2200 {
				t.Errorf("items %+v", items)
			}
		})
		t.Run("no items: one item covers the whole amount", func(t *testing.T) {
			in := e.OrderInput(domain.ProviderPaywerk, "W-1002")
			in.Items, in.Amount = nil, "1238.16"
			res := e.Create(t, in)
			items := e.DB.Ent.OrderItem.Query().Where(orderitem.OrderID(res.Order.ID)).AllX(systemCtx)
			if len(items) != 1 || items[0].Sku != psp.SummarySKU || items[0].Quantity != money.Units(1) || items[0].TotalMinor != 123816 {
				t.Errorf("items %+v", items)
			}
		})
		t.Run("item totals are rounded half up", func(t *testing.T) {
			in := e.OrderInput(domain.ProviderPaywerk, "W-1003")
			// 0.333 × 2.35 = 0.78255 → 0.78; 3 × 0.50 = 1.50
			in.Items = []psp.OrderItemInput{{SKU: "CABLE", Quantity: money.MustQuantity("0.333"), UnitPrice: "2.35"},
				{SKU: "PLUG", Quantity: money.Units(3), UnitPrice: "0.50"}}
			in.Amount = "2.28"
			e.Create(t, in)
		})
		t.Run("a merchant user names company and shop", func(t *testing.T) {
			in := e.OrderInput(domain.ProviderBillwerk, "W-1004")
			in.CompanyID, in.ShopID, in.Lang = e.Company.ID, e.Shop.ID, ""
			res, err := e.Orders.CreateOrder(psptest.As(e.MerchantUser), in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Order.Lang != "et" { // the shop's default
				t.Errorf("lang %q", res.Order.Lang)
			}
		})
		t.Run("the same idempotency key answers the first order", func(t *testing.T) {
			in := e.OrderInput(domain.ProviderBillwerk, "W-1006")
			in.IdempotencyKey = "checkout-7f3a"
			first := e.Create(t, in)
			again := e.Create(t, in)
			if again.Order.ID != first.Order.ID || again.PaymentURL != first.PaymentURL || again.Order.SessionVersion != 0 {
				t.Errorf("a replay answered order %s v%d %s, want %s %s", again.Order.ID, again.Order.SessionVersion,
					again.PaymentURL, first.Order.ID, first.PaymentURL)
			}
			in.Amount, in.Items = "99.00", nil
			_, err := e.Orders.CreateOrder(psptest.As(e.APIKey), in)
			wantRefusal(t, err, domain.CodeIdempotencyKeyReused, "idempotencyKey")
		})
		t.Run("a provider failure keeps the order PENDING without a payment URL", func(t *testing.T) {
			_, err := e.Sandboxes.Faults[domain.ProviderBillwerk].Add(sandboxkit.Fault{Account: e.FaultAccount(domain.ProviderBillwerk),
				Operation: sandboxkit.OpCreateSession, Kind: sandboxkit.FaultStatus5xx, Count: 1})
			if err != nil {
				t.Fatal(err)
			}
			in := e.OrderInput(domain.ProviderBillwerk, "W-1005")
			res, err := e.Orders.CreateOrder(psptest.As(e.APIKey), in)
			wantRefusal(t, err, domain.CodeProviderError, "")
			if res == nil || res.Order == nil || res.Order.Status != order.StatusPENDING || res.PaymentURL != "" || res.Order.PaymentURL != "" {
				t.Fatalf("result %+v", res)
			}
			again := e.Create(t, in) // the same request retries: same order, a session now
			if again.Order.ID != res.Order.ID {
				t.Errorf("the retry made another order %s", again.Order.ID)
			}
		})
	})
}

// TestSameReference: the same reference updates an untouched PENDING order and
// renews its session; once the shopper continued, it is a CONFLICT.
func TestSameReference(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := psptest.Start(t, d, psptest.Options{})
		for _, p := range []domain.Provider{domain.ProviderPaywerk, domain.ProviderBillwerk, domain.ProviderBillie, domain.ProviderBetterPayment} {
			t.Run(string(p), func(t *testing.T) {
				ref := "UPD-" + p.Slug()
				first := e.Create(t, e.OrderInput(p, ref))

				in := e.OrderInput(p, ref)
				in.Items[1].Quantity, in.Amount, in.FirstName = money.Units(3), "180.00", "Maria"
				second := e.Create(t, in)
				o := second.Order
				if o.ID != first.Order.ID {
					t.Fatalf("an update made a new order %s (was %s)", o.ID, first.Order.ID)
				}
				if o.InitialAmountMinor != 18000 || o.FirstName != "Maria" || o.SessionVersion != 1 || second.PaymentURL == "" {
					t.Errorf("updated order %d %q v%d %q", o.InitialAmountMinor, o.FirstName, o.SessionVersion, second.PaymentURL)
				}
				items := e.DB.Ent.OrderItem.Query().Where(orderitem.OrderID(o.ID)).AllX(systemCtx)
				if len(items) != 2 || !slices.ContainsFunc(items, func(it *ent.OrderItem) bool { return it.Quantity == money.Units(3) }) {
					t.Errorf("items not replaced: %+v", items)
				}
				client, _ := e.Sandboxes.For(systemCtx, e.PSP.ID, p)
				st, err := client.FetchStatus(systemCtx, o.ProviderReference)
				if err != nil || st.Amount.Minor() != 18000 {
					t.Errorf("the provider's session has %v (%v), want 180.00", st.Amount, err)
				}

				// The shopper opens the page and approves: the reference is spent.
				psptest.Shopper(t, second.PaymentURL, sandboxkit.ActionApprove, string(domain.ProductPayNowCard))
				e.WaitStatus(t, o.ID, order.StatusCONFIRMED, 10*time.Second)
				_, err = e.Orders.CreateOrder(psptest.As(e.APIKey), e.OrderInput(p, ref))
				wantRefusal(t, err, domain.CodeConflict, "reference")
			})
		}
		t.Run("the shopper continued without our hearing of it", func(t *testing.T) {
			res := e.Create(t, e.OrderInput(domain.ProviderPaywerk, "UPD-OPENED"))
			openPage(t, res.PaymentURL) // Paywerk marks the order continued; no notification
			_, err := e.Orders.CreateOrder(psptest.As(e.APIKey), e.OrderInput(domain.ProviderPaywerk, "UPD-OPENED"))
			wantRefusal(t, err, domain.CodeConflict, "reference")
			if o := e.DB.Ent.Order.GetX(systemCtx, res.Order.ID); !o.ShopperContinued || o.Status != order.StatusPENDING {
				t.Errorf("order continued=%v %s", o.ShopperContinued, o.Status)
			}
			_, err = e.Orders.CreateOrder(psptest.As(e.APIKey), e.OrderInput(domain.ProviderPaywerk, "UPD-OPENED"))
			wantRefusal(t, err, domain.CodeConflict, "reference")
		})
	})
}
