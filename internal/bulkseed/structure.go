package bulkseed

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/company"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/provideractivation"
	"github.com/pspbackoffice/backoffice/ent/shop"
	"github.com/pspbackoffice/backoffice/ent/user"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/settlement"
)

// The bench data set's logins (all with Password): the PSP's admin and operator, and
// one MERCHANT_ADMIN per merchant, MerchantAdminEmail(1) being the largest merchant's.
const (
	Password      = "bench-password-1"
	AdminEmail    = "admin@bench.psp"
	OperatorEmail = "ops@bench.psp"
	pspName       = "Bench PSP"
)

// MerchantAdminEmail is the login of the n-th merchant's admin (1-based; merchant 1
// has the most orders).
func MerchantAdminEmail(n int) string { return fmt.Sprintf("owner@m%04d.bench.example", n) }

// structure is the tenant tree the orders are written for.
type structure struct {
	pspID     string
	merchants []*merchantNode
	cum       []float64 // cumulative share of the orders, by merchant
}

type merchantNode struct {
	id, country string
	companies   []*companyNode
	shops       []*shopNode
}

type companyNode struct {
	id, currency string
	delays       settlement.Delays
	providers    []domain.Provider // activated (ACTIVE)
}

type shopNode struct {
	id, lang string
	products []domain.ProductType
}

// weigh gives merchant i a share proportional to 1/(i+1)^0.8: a few large merchants
// and a long tail, as a PSP's book looks.
func (s *structure) weigh() {
	s.cum = make([]float64, len(s.merchants))
	total := 0.0
	for i := range s.merchants {
		total += 1 / math.Pow(float64(i+1), 0.8)
		s.cum[i] = total
	}
	for i := range s.cum {
		s.cum[i] /= total
	}
}

// pick answers the merchant for a uniform draw u in [0, 1).
func (s *structure) pick(u float64) *merchantNode {
	i := sort.SearchFloat64s(s.cum, u)
	return s.merchants[min(i, len(s.merchants)-1)]
}

// merchantsFor is how many merchants a data set of n orders spreads over.
func merchantsFor(n int) int { return min(max(n/5000, 3), 400) }

// findStructure loads the bench PSP's tree when a previous seed created it.
func findStructure(ctx context.Context, c *ent.Client) (*structure, error) {
	admin, err := c.User.Query().Where(user.Email(AdminEmail)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ms, err := c.Merchant.Query().Where(merchant.PspID(admin.PspID), merchant.StatusEQ(merchant.StatusACTIVE)).
		WithCompanies(func(q *ent.CompanyQuery) {
			q.WithActivations(func(q *ent.ProviderActivationQuery) {
				q.Where(provideractivation.StatusEQ(domain.ActivationActive))
			}).Order(ent.Asc(company.FieldID))
		}).
		WithShops(func(q *ent.ShopQuery) { q.Order(ent.Asc(shop.FieldID)) }).
		Order(ent.Asc(merchant.FieldName)).All(ctx)
	if err != nil {
		return nil, err
	}
	s := &structure{pspID: admin.PspID}
	for _, m := range ms {
		mn := &merchantNode{id: m.ID, country: m.Country}
		for _, co := range m.Edges.Companies {
			cn := &companyNode{id: co.ID, currency: co.Currency, delays: settlement.DelaysOf(co)}
			for _, a := range co.Edges.Activations {
				cn.providers = append(cn.providers, a.Provider)
			}
			if len(cn.providers) > 0 {
				mn.companies = append(mn.companies, cn)
			}
		}
		for _, sh := range m.Edges.Shops {
			mn.shops = append(mn.shops, &shopNode{id: sh.ID, lang: sh.DefaultLang, products: sh.ProductTypes})
		}
		if len(mn.companies) > 0 && len(mn.shops) > 0 {
			s.merchants = append(s.merchants, mn)
		}
	}
	if len(s.merchants) == 0 {
		return nil, fmt.Errorf("bulkseed: the bench PSP of %s has no active merchant with a company and a shop", AdminEmail)
	}
	s.weigh()
	return s, nil
}

// createStructure writes the PSP, its staff, merchants with their admins, companies
// (fees, payout schedules, provider activations) and shops through ent: a few
// hundred rows, each valid by the schema's own rules.
func createStructure(ctx context.Context, c *ent.Client, merchants int, since time.Time, tag string) (*structure, error) {
	ctx = auth.System(ctx)
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	psp, err := c.PSP.Create().SetName(pspName).SetLegalName("Bench Payments GmbH").SetCountry("DE").
		SetIban("DE89370400440532013000").SetBic("COBADEFFXXX").SetCreatedAt(since).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench psp: %w", err)
	}
	s := &structure{pspID: psp.ID}
	users := []*ent.UserCreate{
		c.User.Create().SetPspID(psp.ID).SetEmail(AdminEmail).SetName("Bench admin").SetRole(domain.RolePSPAdmin).SetPasswordHash(hash),
		c.User.Create().SetPspID(psp.ID).SetEmail(OperatorEmail).SetName("Bench operator").SetRole(domain.RolePSPOperator).SetPasswordHash(hash),
	}
	mcs := make([]*ent.MerchantCreate, merchants)
	for i := range mcs {
		country := []string{"EE", "DE"}[i%2]
		mcs[i] = c.Merchant.Create().SetPspID(psp.ID).SetName(fmt.Sprintf("Bench Merchant %04d", i+1)).
			SetCountry(country).SetEmail(fmt.Sprintf("hello@m%04d.bench.example", i+1)).
			SetStatus(merchant.StatusACTIVE).SetCreatedAt(since)
	}
	ms, err := createBulk(ctx, mcs, func(b []*ent.MerchantCreate) ([]*ent.Merchant, error) {
		return c.Merchant.CreateBulk(b...).Save(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("bench merchants: %w", err)
	}
	var ccs []*ent.CompanyCreate
	var scs []*ent.ShopCreate
	for i, m := range ms {
		users = append(users, c.User.Create().SetPspID(psp.ID).SetMerchantID(m.ID).SetEmail(MerchantAdminEmail(i+1)).
			SetName(m.Name+" admin").SetRole(domain.RoleMerchantAdmin).SetPasswordHash(hash))
		for j := range 1 + boolInt(i%3 == 0) {
			sched, days := payoutOf(i + j)
			ccs = append(ccs, c.Company.Create().SetPspID(psp.ID).SetMerchantID(m.ID).
				SetLegalName(fmt.Sprintf("%s %s", m.Name, []string{"OÜ", "GmbH"}[i%2])).SetCountry(m.Country).
				SetRegistrationNumber(fmt.Sprintf("BENCH-%s-%04d-%d", tag, i+1, j+1)).
				SetVatID(fmt.Sprintf("%s%09d", m.Country, 100000000+i*10+j)).
				SetIban([]string{"EE382200221020145685", "DE89370400440532013000"}[i%2]).
				SetPayoutSchedule(sched).SetPayoutWeekdays(days).
				SetPayNowDelayDays(1+(i+j)%3).SetPayLaterDelayDays(7+(i+j)%8).SetCreatedAt(since))
		}
		for j := range 1 + boolInt(i%4 == 0) {
			products := []domain.ProductType{domain.ProductPayNowCard, domain.ProductInvoice, domain.ProductSlice}
			lang := "et"
			if m.Country == "DE" {
				products, lang = []domain.ProductType{domain.ProductInvoice, domain.ProductPayNowCard}, "de"
			}
			scs = append(scs, c.Shop.Create().SetPspID(psp.ID).SetMerchantID(m.ID).
				SetName(fmt.Sprintf("%s shop %d", m.Name, j+1)).SetURL(fmt.Sprintf("https://shop%d.m%04d.bench.example", j+1, i+1)).
				SetDefaultLang(lang).SetProductTypes(products).SetCreatedAt(since))
		}
	}
	if _, err := createBulk(ctx, users, func(b []*ent.UserCreate) ([]*ent.User, error) {
		return c.User.CreateBulk(b...).Save(ctx)
	}); err != nil {
		return nil, fmt.Errorf("bench users: %w", err)
	}
	cos, err := createBulk(ctx, ccs, func(b []*ent.CompanyCreate) ([]*ent.Company, error) {
		return c.Company.CreateBulk(b...).Save(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("bench companies: %w", err)
	}
	shops, err := createBulk(ctx, scs, func(b []*ent.ShopCreate) ([]*ent.Shop, error) {
		return c.Shop.CreateBulk(b...).Save(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("bench shops: %w", err)
	}
	byID := map[string]*merchantNode{}
	for _, m := range ms {
		n := &merchantNode{id: m.ID, country: m.Country}
		byID[m.ID] = n
		s.merchants = append(s.merchants, n)
	}
	var fees []*ent.FeeRuleCreate
	var acts []*ent.ProviderActivationCreate
	for _, co := range cos {
		cn := &companyNode{id: co.ID, currency: co.Currency, delays: settlement.DelaysOf(co),
			providers: []domain.Provider{domain.ProviderPaywerk}}
		if co.Country == "DE" {
			cn.providers = append(cn.providers, domain.ProviderBillie)
		}
		byID[co.MerchantID].companies = append(byID[co.MerchantID].companies, cn)
		for _, f := range []struct {
			pt         domain.ProductType
			bps, fixed int64
		}{{domain.ProductPayNowCard, 140, 25}, {domain.ProductInvoice, 290, 35}, {domain.ProductSlice, 390, 35}} {
			fees = append(fees, c.FeeRule.Create().SetCompanyID(co.ID).SetProductType(f.pt).SetPercentBps(f.bps).SetFixedMinor(f.fixed))
		}
		for _, p := range cn.providers {
			a := c.ProviderActivation.Create().SetCompanyID(co.ID).SetProvider(p).SetStatus(domain.ActivationActive).
				SetActivatedAt(since).SetCreatedAt(since)
			if p == domain.ProviderBillie {
				a.SetExternalMerchantID("bm_bench_" + co.ID[len(co.ID)-10:])
			}
			acts = append(acts, a)
		}
	}
	if _, err := createBulk(ctx, fees, func(b []*ent.FeeRuleCreate) ([]*ent.FeeRule, error) {
		return c.FeeRule.CreateBulk(b...).Save(ctx)
	}); err != nil {
		return nil, fmt.Errorf("bench fees: %w", err)
	}
	if _, err := createBulk(ctx, acts, func(b []*ent.ProviderActivationCreate) ([]*ent.ProviderActivation, error) {
		return c.ProviderActivation.CreateBulk(b...).Save(ctx)
	}); err != nil {
		return nil, fmt.Errorf("bench activations: %w", err)
	}
	for _, sh := range shops {
		byID[sh.MerchantID].shops = append(byID[sh.MerchantID].shops, &shopNode{id: sh.ID, lang: sh.DefaultLang, products: sh.ProductTypes})
	}
	s.weigh()
	return s, nil
}

// payoutOf spreads the payout schedules: mostly daily, some weekly, some on chosen weekdays.
func payoutOf(i int) (domain.PayoutSchedule, []domain.Weekday) {
	switch i % 7 {
	case 3, 5:
		return domain.PayoutWeekly, []domain.Weekday{[]domain.Weekday{"MONDAY", "WEDNESDAY", "FRIDAY"}[i%3]}
	case 6:
		return domain.PayoutWeekdays, []domain.Weekday{"MONDAY", "THURSDAY"}
	}
	return domain.PayoutDaily, nil
}

// createBulk saves creates in chunks that stay below the databases' parameter limits.
func createBulk[C any, T any](_ context.Context, all []C, save func([]C) ([]T, error)) ([]T, error) {
	var out []T
	for len(all) > 0 {
		n := min(200, len(all))
		got, err := save(all[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		all = all[n:]
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
