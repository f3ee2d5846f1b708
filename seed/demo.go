// Package seed builds the demo data set that `BACKOFFICE_DEMO=1` (and so `make run`)
// loads into an empty database: one PSP with its staff, merchants at different
// stages with companies, shops and users, and about 200 orders over the last 60 days
// in every status. It is deterministic (a fixed random seed) so screenshots and
// walkthroughs stay the same.
//
// Demo logins (also in the README): admin@demo.psp / demo-password-1 (PSP_ADMIN),
// ops@demo.psp (PSP_OPERATOR), owner@kaskkivi.ee (MERCHANT_ADMIN of Kask & Kivi) and
// owner@bergmann.de (MERCHANT_ADMIN of Bergmann), all with the same password.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/money"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// DemoPassword is the password of every demo user.
const DemoPassword = "demo-password-1"

// Demo is what the demo data set created, for callers that build on it.
type Demo struct {
	PSP       *ent.PSP
	Merchants []*ent.Merchant
	Companies []*ent.Company
	Shops     []*ent.Shop
}

// IsEmpty tells whether the database has no PSP yet.
func IsEmpty(ctx context.Context, c *ent.Client) (bool, error) {
	n, err := c.PSP.Query().Count(auth.System(ctx))
	return n == 0, err
}

// LoadDemo writes the demo data set. now anchors the 60 days of orders.
func LoadDemo(ctx context.Context, c *ent.Client, now time.Time) (*Demo, error) {
	ctx = auth.System(ctx)
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return nil, err
	}
	psp, err := c.PSP.Create().SetName("Demo PSP").SetLegalName("Demo Payments GmbH").
		SetCountry("DE").SetIban("DE89370400440532013000").SetBic("COBADEFFXXX").Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo psp: %w", err)
	}
	d := &Demo{PSP: psp}
	for _, u := range []struct {
		email string
		role  domain.Role
	}{{"admin@demo.psp", domain.RolePSPAdmin}, {"ops@demo.psp", domain.RolePSPOperator}} {
		if _, err := c.User.Create().SetPspID(psp.ID).SetEmail(u.email).SetName(u.email).
			SetRole(u.role).SetPasswordHash(hash).Save(ctx); err != nil {
			return nil, fmt.Errorf("demo user: %w", err)
		}
	}

	type shopSpec struct {
		name, url, lang string
		products        []domain.ProductType
	}
	type merchantSpec struct {
		name, country, email, owner string
		status                      string
		legalName, reg, vat, iban   string
		schedule                    domain.PayoutSchedule
		weekdays                    []domain.Weekday
		provider                    domain.Provider
		shop                        shopSpec
	}
	specs := []merchantSpec{
		{"Kask & Kivi", "EE", "hello@kaskkivi.ee", "owner@kaskkivi.ee", "ACTIVE",
			"Kask & Kivi OÜ", "14412345", "EE102345678", "EE382200221020145685",
			domain.PayoutDaily, nil, domain.ProviderPaywerk,
			shopSpec{"Kask & Kivi Home", "https://kaskkivi.example", "et", []domain.ProductType{domain.ProductPayNowCard, domain.ProductInvoice, domain.ProductSlice}}},
		{"Bergmann Bürobedarf", "DE", "kontakt@bergmann.example", "owner@bergmann.de", "ACTIVE",
			"Bergmann Bürobedarf GmbH", "HRB 123456", "DE123456789", "DE89370400440532013000",
			domain.PayoutWeekdays, []domain.Weekday{"MONDAY", "THURSDAY"}, domain.ProviderBillie,
			shopSpec{"Bergmann B2B", "https://bergmann.example", "de", []domain.ProductType{domain.ProductInvoice, domain.ProductPayNowCard}}},
		{"Nordlicht Design", "DE", "team@nordlicht.example", "", "ONBOARDING",
			"Nordlicht Design UG", "HRB 998877", "", "DE02120300000000202051",
			domain.PayoutWeekly, []domain.Weekday{"FRIDAY"}, "",
			shopSpec{}},
	}
	for _, s := range specs {
		m, err := c.Merchant.Create().SetPspID(psp.ID).SetName(s.name).SetCountry(s.country).
			SetEmail(s.email).SetStatus(merchantStatus(s.status)).Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("demo merchant: %w", err)
		}
		d.Merchants = append(d.Merchants, m)
		if s.owner != "" {
			if _, err := c.User.Create().SetPspID(psp.ID).SetMerchantID(m.ID).SetEmail(s.owner).
				SetName(s.owner).SetRole(domain.RoleMerchantAdmin).SetPasswordHash(hash).Save(ctx); err != nil {
				return nil, fmt.Errorf("demo merchant user: %w", err)
			}
		}
		co, err := c.Company.Create().SetPspID(psp.ID).SetMerchantID(m.ID).SetLegalName(s.legalName).
			SetCountry(s.country).SetRegistrationNumber(s.reg).SetVatID(s.vat).SetIban(s.iban).
			SetPayoutSchedule(s.schedule).SetPayoutWeekdays(s.weekdays).
			SetPayNowDelayDays(2).SetPayLaterDelayDays(7).Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("demo company: %w", err)
		}
		d.Companies = append(d.Companies, co)
		for _, f := range []struct {
			pt    domain.ProductType
			bps   int64
			fixed int64
		}{{domain.ProductPayNowCard, 140, 25}, {domain.ProductInvoice, 290, 35}, {domain.ProductSlice, 390, 35}} {
			if _, err := c.FeeRule.Create().SetCompanyID(co.ID).SetProductType(f.pt).
				SetPercentBps(f.bps).SetFixedMinor(f.fixed).Save(ctx); err != nil {
				return nil, fmt.Errorf("demo fees: %w", err)
			}
		}
		if s.provider == "" {
			continue
		}
		act := c.ProviderActivation.Create().SetCompanyID(co.ID).SetProvider(s.provider).
			SetStatus(domain.ActivationActive).SetActivatedAt(now.AddDate(0, -3, 0))
		if s.provider == domain.ProviderBillie {
			act.SetExternalMerchantID("bm_demo_" + co.ID[len(co.ID)-8:])
		}
		if _, err := act.Save(ctx); err != nil {
			return nil, fmt.Errorf("demo activation: %w", err)
		}
		shop, err := c.Shop.Create().SetPspID(psp.ID).SetMerchantID(m.ID).SetName(s.shop.name).
			SetURL(s.shop.url).SetDefaultLang(s.shop.lang).SetProductTypes(s.shop.products).Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("demo shop: %w", err)
		}
		d.Shops = append(d.Shops, shop)
		if err := demoOrders(ctx, c, psp, m, co, shop, s.provider, s.shop.products, now, 100); err != nil {
			return nil, err
		}
		if err := demoOperations(ctx, c, co, shop, now); err != nil { // demo_settlements.go
			return nil, err
		}
	}
	if err := demoOnboardingStages(ctx, c, psp, d, now); err != nil { // demo_onboarding.go
		return nil, err
	}
	return d, nil
}

func merchantStatus(s string) merchant.Status { return merchant.Status(s) }

var catalogue = []struct {
	sku, name string
	price     string
	vatBps    int64
}{
	{"LAMP-OAK", "Oak table lamp", "89.90", 2200},
	{"RUG-WOOL", "Wool rug 160×230", "349.00", 2200},
	{"MUG-SET", "Stoneware mug set", "34.50", 2200},
	{"PAPER-A4", "A4 paper, box of 5 reams", "24.99", 1900},
	{"CHAIR-ERG", "Ergonomic office chair", "429.00", 1900},
	{"TONER-BK", "Toner cartridge black", "79.95", 1900},
	{"CABLE-3M", "Cable per metre", "2.35", 1900},
}

// demoOrders writes n orders spread over the last 60 days.
func demoOrders(ctx context.Context, c *ent.Client, psp *ent.PSP, m *ent.Merchant, co *ent.Company,
	shop *ent.Shop, provider domain.Provider, products []domain.ProductType, now time.Time, n int) error {
	rng := rand.New(rand.NewPCG(42, uint64(len(m.Name))))
	statuses := []order.Status{order.StatusCONFIRMED, order.StatusCONFIRMED, order.StatusCONFIRMED,
		order.StatusPENDING, order.StatusFAILED, order.StatusCANCELLED}
	names := [][2]string{{"Mari", "Tamm"}, {"Jaan", "Saar"}, {"Anna", "Schmidt"}, {"Lukas", "Weber"}, {"Liis", "Mägi"}}
	for i := range n {
		created := now.Add(-time.Duration(rng.IntN(60*24*60)) * time.Minute)
		status := statuses[rng.IntN(len(statuses))]
		items := make([]*ent.OrderItemCreate, 0, 3)
		total := money.Zero("EUR")
		for j := range 1 + rng.IntN(3) {
			p := catalogue[(i+j*3)%len(catalogue)]
			q := money.Units(int64(1 + rng.IntN(3)))
			if p.sku == "CABLE-3M" {
				q = money.Quantity(500 * (1 + rng.IntN(9))) // fractional metres
			}
			unit := money.MustParse(p.price, "EUR")
			line, err := unit.Times(q)
			if err != nil {
				return err
			}
			if total, err = total.Add(line); err != nil {
				return err
			}
			items = append(items, c.OrderItem.Create().SetPosition(j).SetSku(p.sku).SetName(p.name).
				SetQuantity(q).SetUnitPriceMinor(unit.Minor()).SetVatRateBps(p.vatBps).SetTotalMinor(line.Minor()))
		}
		pt := products[rng.IntN(len(products))]
		if pt.PayLater() && !domain.InPayLaterLimit(total) {
			pt = domain.ProductPayNowCard
		}
		shopper := names[rng.IntN(len(names))]
		oc := c.Order.Create().SetPspID(psp.ID).SetMerchantID(m.ID).SetCompanyID(co.ID).SetShopID(shop.ID).
			SetProvider(provider).SetReference(fmt.Sprintf("%s-%05d", shop.Name[:3], 10000+i)).
			SetStatus(status).SetCurrency("EUR").SetInitialAmountMinor(total.Minor()).SetAmountMinor(total.Minor()).
			SetLang(shop.DefaultLang).SetFirstName(shopper[0]).SetLastName(shopper[1]).
			SetEmail(fmt.Sprintf("%s.%s@example.com", shopper[0], shopper[1])).
			SetBillingAddress(domain.Address{Street: "Narva mnt 5", City: "Tallinn", PostalCode: "10117", Country: co.Country}).
			SetProviderReference(fmt.Sprintf("demo_%s_%d", provider.Slug(), i)).
			SetCreatedAt(created).SetUpdatedAt(created)
		if status == order.StatusCONFIRMED {
			oc.SetProductType(pt).SetConfirmedAt(created.Add(3 * time.Minute)).SetShopperContinued(true)
			if d, ok := settlement.OrderPayableDate(provider, &pt, created, settlement.DelaysOf(co)); ok {
				oc.SetPayoutDate(d)
			}
		}
		o, err := oc.Save(ctx)
		if err != nil {
			return fmt.Errorf("demo order: %w", err)
		}
		for _, it := range items {
			it.SetOrderID(o.ID).SetCurrency("EUR")
		}
		if _, err := c.OrderItem.CreateBulk(items...).Save(ctx); err != nil {
			return fmt.Errorf("demo items: %w", err)
		}
	}
	return nil
}
