package seed

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/ent/provideractivation"
	"github.com/pspbackoffice/backoffice/ent/shop"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/psp"
)

// LivePrefix starts the reference of every order LiveOrders creates.
const LivePrefix = "LIVE-"

// liveShopper is what the demo shopper does on the payment page of each live order.
var liveShopper = []struct {
	action      string // "" leaves the order PENDING with its page open
	productType domain.ProductType
}{
	{"approve", domain.ProductPayNowCard}, {"approve", domain.ProductInvoice}, {"approve", domain.ProductSlice},
	{"approve", domain.ProductPayNowCard}, {"decline", ""}, {"", ""}, {"", ""},
}

// LiveOrders completes the demo with orders that exist at the providers: for every
// active merchant's activated provider it creates orders through the order service
// against the provider sandboxes (this server serves them, so it runs once the
// server listens), has a shopper approve or decline most of them on the sandbox
// payment page, and leaves two PENDING with a payment page that works. The orders
// of LoadDemo stay plain rows: their provider references are made up, so their
// fulfilment and refunds cannot reach a sandbox; these can.
//
// Billie activations of the demo carry a made-up merchant ID; they are activated
// again through the Billie sandbox first. It does nothing when live orders exist.
func LiveOrders(ctx context.Context, c *ent.Client, orders *psp.Orders, reg providers.Registry) (int, error) {
	ctx = auth.System(ctx)
	if n, err := c.Order.Query().Where(order.ReferenceHasPrefix(LivePrefix)).Count(ctx); err != nil || n > 0 {
		return 0, err
	}
	acts, err := c.ProviderActivation.Query().Where(provideractivation.StatusEQ(domain.ActivationActive)).
		WithCompany(func(q *ent.CompanyQuery) { q.WithMerchant() }).All(ctx)
	if err != nil {
		return 0, err
	}
	created := 0
	for _, a := range acts {
		co := a.Edges.Company
		if co.Edges.Merchant.Status != merchant.StatusACTIVE {
			continue
		}
		sh, err := c.Shop.Query().Where(shop.MerchantID(co.MerchantID)).First(ctx)
		if ent.IsNotFound(err) {
			continue
		} else if err != nil {
			return created, err
		}
		if err := activateAtSandbox(ctx, c, reg, a, co); err != nil {
			return created, fmt.Errorf("activate %s with %s: %w", co.LegalName, a.Provider, err)
		}
		for i, s := range liveShopper {
			in := liveOrder(co, sh, a.Provider, i)
			res, err := orders.CreateOrder(ctx, in)
			if err != nil {
				return created, fmt.Errorf("live order %s: %w", in.Reference, err)
			}
			created++
			if s.action != "" {
				if err := shopperCompletes(ctx, res.PaymentURL, s.action, s.productType); err != nil {
					return created, fmt.Errorf("live order %s: %w", in.Reference, err)
				}
			}
		}
	}
	return created, nil
}

// activateAtSandbox gives a demo Billie activation the merchant ID the sandbox knows.
func activateAtSandbox(ctx context.Context, c *ent.Client, reg providers.Registry, a *ent.ProviderActivation, co *ent.Company) error {
	if a.Provider != domain.ProviderBillie || !strings.HasPrefix(a.ExternalMerchantID, "bm_demo_") {
		return nil
	}
	client, err := reg.For(ctx, co.PspID, a.Provider)
	if err != nil {
		return err
	}
	reg0 := ""
	if co.RegistrationNumber != nil {
		reg0 = *co.RegistrationNumber
	}
	got, err := client.ActivateMerchant(ctx, providers.Merchant{CompanyID: co.ID, LegalName: co.LegalName, Country: co.Country,
		RegistrationNumber: reg0, VATID: co.VatID, IBAN: co.Iban, Email: co.Edges.Merchant.Email})
	if err != nil {
		return err
	}
	return a.Update().SetExternalMerchantID(got.ExternalMerchantID).Exec(ctx)
}

// liveOrder is the i-th demo order request of a shop at a provider: an item or two
// of the catalogue, a shopper from the demo's names, amounts that suit pay later.
func liveOrder(co *ent.Company, sh *ent.Shop, p domain.Provider, i int) psp.CreateOrderInput {
	names := [][2]string{{"Mari", "Tamm"}, {"Jaan", "Saar"}, {"Anna", "Schmidt"}, {"Lukas", "Weber"}, {"Liis", "Mägi"}}
	n := names[i%len(names)]
	in := psp.CreateOrderInput{
		CompanyID: co.ID, ShopID: sh.ID, Provider: p,
		Reference: fmt.Sprintf("%s%s-%s-%d", LivePrefix, strings.ToUpper(sh.Name[:3]), p.Slug(), i+1),
		FirstName: n[0], LastName: n[1], Email: strings.ToLower(n[0]+"."+n[1]) + "@example.com", Phone: "+37255550" + fmt.Sprint(100+i),
		CompanyName:    "Tamm & Saar OÜ",
		BillingAddress: &domain.Address{Street: "Narva mnt 5", City: "Tallinn", PostalCode: "10117", Country: "EE"},
		Currency:       "EUR",
		SuccessURL:     "https://shop.example/thank-you", FailedURL: "https://shop.example/payment-failed",
	}
	if strings.EqualFold(co.Country, "DE") {
		in.BillingAddress = &domain.Address{Street: "Friedrichstraße 68", City: "Berlin", PostalCode: "10117", Country: "DE"}
	}
	total := money.Zero("EUR")
	for j := range 1 + i%2 {
		p := catalogue[(i+j*2)%len(catalogue)]
		q := money.Units(int64(1 + (i+j)%2))
		unit := money.MustParse(p.price, "EUR")
		line, _ := unit.Times(q)
		total, _ = total.Add(line)
		in.Items = append(in.Items, psp.OrderItemInput{SKU: p.sku, Name: p.name, Quantity: q, UnitPrice: p.price,
			VATRate: fmt.Sprintf("%d", p.vatBps/100)})
	}
	if total.Minor() < domain.PayLaterMinMinor { // below the pay-later limit: add a chair
		chair := catalogue[4]
		in.Items = append(in.Items, psp.OrderItemInput{SKU: chair.sku, Name: chair.name, Quantity: money.Units(1), UnitPrice: chair.price, VATRate: "19"})
		total, _ = total.Add(money.MustParse(chair.price, "EUR"))
	}
	in.Amount = total.Amount()
	return in
}

// shopperCompletes is the demo shopper on a sandbox payment page: it opens the page
// and approves (with a product type where the page offers one) or declines.
func shopperCompletes(ctx context.Context, pageURL, action string, pt domain.ProductType) error {
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		form := url.Values{"action": {action}}
		if pt != "" {
			form.Set("productType", string(pt))
		}
		var body *strings.Reader
		if method == http.MethodPost {
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, err := http.NewRequestWithContext(ctx, method, pageURL, body)
		if err != nil {
			return err
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode >= 400 {
			return fmt.Errorf("payment page %s %s answered %s", method, pageURL, resp.Status)
		}
	}
	return nil
}
