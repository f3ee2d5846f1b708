package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/company"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/merchants"
)

// demoOnboardingStages adds the onboarding stages the other demo merchants do not
// show: a SUSPENDED merchant (with its order history still readable) and a company
// whose activation a provider REJECTED. They are built through the onboarding
// service, so its rules (validation, status) hold for them; only the activation rows
// are written directly, as no provider sandbox runs while the seed loads. The
// rejection is the one Paywerk's sandbox gives a German company, so activating it
// again in the demo answers the same until the data is corrected.
func demoOnboardingStages(ctx context.Context, c *ent.Client, psp *ent.PSP, d *Demo, now time.Time) error {
	o := &merchants.Onboarding{Client: c}

	m, err := o.CreateMerchant(ctx, merchants.NewMerchant{Name: "Hafen Feinkost", Country: "DE", Email: "info@hafen-feinkost.example"})
	if err != nil {
		return fmt.Errorf("demo suspended merchant: %w", err)
	}
	co, err := o.AddCompany(ctx, merchants.NewCompany{MerchantID: m.ID, LegalName: "Hafen Feinkost GmbH", Country: "DE",
		RegistrationNumber: "HRB 445566", VATID: "DE811907980", IBAN: "DE75 5121 0800 1245 1261 99",
		PayoutSchedule: domain.PayoutDaily, PayNowDelayDays: 2, PayLaterDelayDays: 14,
		Fees: []merchants.Fee{{ProductType: domain.ProductInvoice, PercentBps: 290, Fixed: "0.35"},
			{ProductType: domain.ProductPayNowCard, PercentBps: 140, Fixed: "0.25"}}})
	if err != nil {
		return fmt.Errorf("demo suspended company: %w", err)
	}
	if _, err := c.ProviderActivation.Create().SetCompanyID(co.ID).SetProvider(domain.ProviderBillie).
		SetStatus(domain.ActivationActive).SetExternalMerchantID("bm_demo_" + co.ID[len(co.ID)-8:]).
		SetAttempts(1).SetActivatedAt(now.AddDate(0, -2, 0)).Save(ctx); err != nil {
		return fmt.Errorf("demo suspended activation: %w", err)
	}
	products := []domain.ProductType{domain.ProductInvoice, domain.ProductPayNowCard}
	shop, err := o.AddShop(ctx, merchants.NewShop{MerchantID: m.ID, Name: "Hafen Feinkost Shop",
		URL: "https://hafen-feinkost.example", DefaultLang: "de", ProductTypes: products, MaxOrderAmount: "5000"})
	if err != nil {
		return fmt.Errorf("demo suspended shop: %w", err)
	}
	if err := demoOrders(ctx, c, psp, m, co, shop, domain.ProviderBillie, products, now, 20); err != nil {
		return err
	}
	if m, err = o.SuspendMerchant(ctx, m.ID, "Unusual chargeback rate: under review by risk"); err != nil {
		return fmt.Errorf("demo suspension: %w", err)
	}
	d.Merchants = append(d.Merchants, m)
	d.Companies = append(d.Companies, co)
	d.Shops = append(d.Shops, shop)

	// Nordlicht (ONBOARDING) asked Paywerk first, which onboards Estonian merchants only.
	nordlicht, err := c.Company.Query().Where(company.HasMerchantWith(merchant.Name("Nordlicht Design"))).Only(ctx)
	if err != nil {
		return fmt.Errorf("demo rejected company: %w", err)
	}
	if _, err := c.ProviderActivation.Create().SetCompanyID(nordlicht.ID).SetProvider(domain.ProviderPaywerk).
		SetStatus(domain.ActivationRejected).SetAttempts(1).
		SetReason("Paywerk onboards Estonian merchants only (through Swedbank Estonia)").Save(ctx); err != nil {
		return fmt.Errorf("demo rejected activation: %w", err)
	}
	return nil
}
