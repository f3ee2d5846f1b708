package merchants_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/merchants"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxenv"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// fixture is one PSP with its operator, the sandboxes, and the service wired as
// internal/app wires it (the job client is started only by tests that need it).
type fixture struct {
	d     *db.DB
	o     *merchants.Onboarding
	env   *sandboxenv.Env
	jobs  *jobs.Client
	psp   *ent.PSP
	staff context.Context // a PSP_OPERATOR of psp
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	env := sandboxenv.Start(t, sandboxenv.Options{})
	psp, err := d.Ent.PSP.Create().SetName("Test PSP").Save(auth.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	o := &merchants.Onboarding{Client: d.Ent, DB: d, Providers: env, CallTimeout: time.Second, RetryDelay: 50 * time.Millisecond}
	workers := river.NewWorkers()
	river.AddWorker(workers, &merchants.ActivationWorker{Onboarding: o})
	jc, err := jobs.New(d, jobs.Config{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	o.Jobs = jc
	return &fixture{d: d, o: o, env: env, jobs: jc, psp: psp, staff: staffOf(psp.ID)}
}

func staffOf(pspID string) context.Context {
	return auth.With(context.Background(), &auth.Principal{Kind: auth.KindUser, ID: "usr_ops", Label: "ops@test.psp",
		PSPID: pspID, Role: domain.RolePSPOperator})
}

// startJobs works the job queue until the test ends.
func (f *fixture) startJobs(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := f.jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = f.jobs.Stop(stop)
		cancel()
	})
}

// must unwraps a result that the test does not expect to fail; an error there is a
// broken precondition, reported with its stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// goodCompany is a company every sandbox accepts (Paywerk: Estonian).
func goodCompany(merchantID, name, reg string) merchants.NewCompany {
	return merchants.NewCompany{MerchantID: merchantID, LegalName: name, Country: "EE", RegistrationNumber: reg,
		VATID: "EE102345678", IBAN: "EE38 2200 2210 2014 5685", PayoutSchedule: domain.PayoutWeekly,
		PayoutWeekdays: []domain.Weekday{"FRIDAY"}, PayNowDelayDays: 2, PayLaterDelayDays: 7,
		Fees: []merchants.Fee{{ProductType: domain.ProductPayNowCard, PercentBps: 140, Fixed: "0.25"},
			{ProductType: domain.ProductInvoice, PercentBps: 290, Fixed: "0.35"}}}
}

func (f *fixture) merchantStatus(t *testing.T, id string) merchant.Status {
	t.Helper()
	return must(f.d.Ent.Merchant.Get(auth.System(context.Background()), id)).Status
}

func (f *fixture) checklist(t *testing.T, id string) []merchants.ChecklistItem {
	t.Helper()
	m := must(f.d.Ent.Merchant.Get(f.staff, id))
	return must(f.o.Checklist(f.staff, m))
}

// open answers the keys of the checklist's open steps, blocking ones marked with "!".
func open(items []merchants.ChecklistItem) []string {
	var out []string
	for _, it := range items {
		if !it.Done {
			k := it.Key
			if it.Blocking {
				k = "!" + k
			}
			out = append(out, k)
		}
	}
	return out
}

func TestOnboardingFromScratchToActive(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := f.staff
		m := must(f.o.CreateMerchant(ctx, merchants.NewMerchant{Name: "Kask & Kivi", Country: "ee", Email: "hello@kaskkivi.example"}))
		if m.Status != merchant.StatusONBOARDING || m.Country != "EE" || m.PspID != f.psp.ID {
			t.Fatalf("new merchant = %+v, want ONBOARDING in EE of the operator's PSP", m)
		}
		if got := open(f.checklist(t, m.ID)); !slices.Equal(got, []string{"!add_company", "!add_shop"}) {
			t.Fatalf("checklist of a new merchant: open steps %v", got)
		}

		eeCo := must(f.o.AddCompany(ctx, goodCompany(m.ID, "Kask & Kivi OÜ", "14412345")))
		deIn := goodCompany(m.ID, "Kask & Kivi Deutschland GmbH", "HRB 123456")
		deIn.Country, deIn.IBAN, deIn.VATID = "DE", "DE89370400440532013000", "DE123456789"
		deIn.PayoutSchedule, deIn.PayoutWeekdays = domain.PayoutWeekdays, []domain.Weekday{"THURSDAY", "MONDAY"}
		deCo := must(f.o.AddCompany(ctx, deIn))
		if eeCo.Iban != "EE382200221020145685" || !slices.Equal(deCo.PayoutWeekdays, []domain.Weekday{"MONDAY", "THURSDAY"}) {
			t.Fatalf("companies stored as %q, %v: want the IBAN in electronic form and weekdays in order", eeCo.Iban, deCo.PayoutWeekdays)
		}
		fees := must(eeCo.QueryFees().All(ctx))
		if len(fees) != 2 || fees[0].FixedMinor+fees[1].FixedMinor != 60 {
			t.Fatalf("fee plan = %v, want 0.25 and 0.35 EUR fixed", fees)
		}

		// Activated but without a shop: still onboarding.
		billie := must(f.o.ActivateCompany(ctx, deCo.ID, domain.ProviderBillie))
		if billie.Status != domain.ActivationActive || billie.ExternalMerchantID == "" {
			t.Fatalf("Billie activation = %+v, want ACTIVE with Billie's merchant ID", billie)
		}
		if st := f.merchantStatus(t, m.ID); st != merchant.StatusONBOARDING {
			t.Fatalf("merchant with an active company and no shop is %s, want ONBOARDING", st)
		}
		if got := open(f.checklist(t, m.ID)); !slices.Equal(got, []string{"activation", "!add_shop"}) {
			t.Fatalf("checklist with Billie active and no shop: open steps %v", got)
		}
		if err := merchants.CanTakeOrders(ctx, d.Ent, m.ID); !errors.Is(err, merchants.ErrMerchantOnboarding) {
			t.Fatalf("CanTakeOrders while onboarding = %v, want ErrMerchantOnboarding", err)
		}

		must(f.o.AddShop(ctx, merchants.NewShop{MerchantID: m.ID, Name: "Kask & Kivi Home", URL: "https://kaskkivi.example",
			DefaultLang: "ET", MinOrderAmount: "10", MaxOrderAmount: "2000.00"}))
		must(f.o.AddShop(ctx, merchants.NewShop{MerchantID: m.ID, Name: "Kask & Kivi B2B", URL: "https://b2b.kaskkivi.example",
			ProductTypes: []domain.ProductType{domain.ProductInvoice}}))
		if st := f.merchantStatus(t, m.ID); st != merchant.StatusACTIVE {
			t.Fatalf("merchant with an active company and a shop is %s, want ACTIVE", st)
		}

		paywerk := must(f.o.ActivateCompany(ctx, eeCo.ID, domain.ProviderPaywerk))
		if paywerk.Status != domain.ActivationActive {
			t.Fatalf("Paywerk activation = %+v, want ACTIVE", paywerk)
		}
		for _, it := range f.checklist(t, m.ID) {
			if !it.Done {
				t.Errorf("fully onboarded merchant still has step %s: %s", it.Key, it.Message)
			}
		}
		if err := merchants.CanTakeOrders(ctx, d.Ent, m.ID); err != nil {
			t.Fatalf("CanTakeOrders of an active merchant = %v", err)
		}
		act := must(merchants.ActiveActivation(ctx, d.Ent, deCo.ID, domain.ProviderBillie))
		if act.ExternalMerchantID != billie.ExternalMerchantID {
			t.Fatalf("ActiveActivation answered merchant ID %q, want %q", act.ExternalMerchantID, billie.ExternalMerchantID)
		}
		if _, err := merchants.ActiveActivation(ctx, d.Ent, eeCo.ID, domain.ProviderBillie); !errors.Is(err, merchants.ErrProviderNotActivated) {
			t.Fatalf("ActiveActivation of a company not activated with Billie = %v", err)
		}
		// Activating an active company again changes nothing and calls nobody.
		again := must(f.o.ActivateCompany(ctx, deCo.ID, domain.ProviderBillie))
		if again.ExternalMerchantID != billie.ExternalMerchantID || again.Attempts != billie.Attempts {
			t.Fatalf("second activation = %+v, want the first one unchanged", again)
		}

		m = must(f.o.SuspendMerchant(ctx, m.ID, "Chargebacks under review"))
		if m.Status != merchant.StatusSUSPENDED {
			t.Fatalf("suspended merchant is %s", m.Status)
		}
		if got := open(f.checklist(t, m.ID)); !slices.Equal(got, []string{"!suspended"}) {
			t.Fatalf("checklist of a suspended merchant: open steps %v", got)
		}
		// A part changing while suspended does not lift the suspension.
		must(f.o.AddShop(ctx, merchants.NewShop{MerchantID: m.ID, Name: "Outlet"}))
		if st := f.merchantStatus(t, m.ID); st != merchant.StatusSUSPENDED {
			t.Fatalf("adding a shop to a suspended merchant made it %s", st)
		}
		m = must(f.o.ReactivateMerchant(ctx, m.ID))
		if m.Status != merchant.StatusACTIVE || m.SuspensionReason != "" {
			t.Fatalf("reactivated merchant = %s (%q), want ACTIVE without a reason", m.Status, m.SuspensionReason)
		}
	})
}

func TestSuspensionBlocksNewOrdersAndKeys(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := f.staff
		m := must(f.o.CreateMerchant(ctx, merchants.NewMerchant{Name: "Bergmann", Country: "DE"}))
		co := must(f.o.AddCompany(ctx, goodCompany(m.ID, "Bergmann GmbH", "")))
		must(f.o.AddShop(ctx, merchants.NewShop{MerchantID: m.ID, Name: "Bergmann B2B"}))
		must(f.o.ActivateCompany(ctx, co.ID, domain.ProviderBillwerk))
		if err := merchants.CanTakeOrders(ctx, d.Ent, m.ID); err != nil {
			t.Fatalf("active merchant: CanTakeOrders = %v", err)
		}
		if err := merchants.CanIssueAPIKeys(ctx, d.Ent, m.ID); err != nil {
			t.Fatalf("active merchant: CanIssueAPIKeys = %v", err)
		}
		must(f.o.SuspendMerchant(ctx, m.ID, "KYC documents expired"))

		err := merchants.CanTakeOrders(ctx, d.Ent, m.ID)
		r, ok := domain.AsRefusal(err)
		if !errors.Is(err, merchants.ErrMerchantSuspended) || !ok || r.Problems[0].Code != domain.CodeMerchantNotActive ||
			!strings.Contains(r.Problems[0].Message, "KYC documents expired") {
			t.Fatalf("suspended merchant: CanTakeOrders = %v, want a MERCHANT_NOT_ACTIVE refusal with the reason", err)
		}
		if err := merchants.CanIssueAPIKeys(ctx, d.Ent, m.ID); !errors.Is(err, merchants.ErrMerchantSuspended) {
			t.Fatalf("suspended merchant: CanIssueAPIKeys = %v, want ErrMerchantSuspended", err)
		}
		// History stays: the merchant and its parts are still there to read.
		if n := must(d.Ent.Company.Query().Count(ctx)); n != 1 {
			t.Fatalf("suspended merchant's companies: %d visible, want 1", n)
		}
		must(f.o.ReactivateMerchant(ctx, m.ID))
		if err := merchants.CanTakeOrders(ctx, d.Ent, m.ID); err != nil {
			t.Fatalf("reactivated merchant: CanTakeOrders = %v", err)
		}
	})
}

func TestActivationRejectedThenRetriedAfterCorrection(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := f.staff
		m := must(f.o.CreateMerchant(ctx, merchants.NewMerchant{Name: "Nordlicht", Country: "DE"}))
		must(f.o.AddShop(ctx, merchants.NewShop{MerchantID: m.ID, Name: "Nordlicht Design"}))

		cases := []struct {
			name     string
			provider domain.Provider
			bad      func(*merchants.NewCompany)     // what the sandbox rejects
			fix      func(*merchants.CompanyChanges) // the correction
		}{
			{"Billie rejects a legal name with its trigger", domain.ProviderBillie,
				func(c *merchants.NewCompany) { c.LegalName = "REJECT Nordlicht UG" },
				func(c *merchants.CompanyChanges) { n := "Nordlicht Design UG"; c.LegalName = &n }},
			{"Paywerk rejects a company outside Estonia", domain.ProviderPaywerk,
				func(c *merchants.NewCompany) { c.Country = "DE" },
				func(c *merchants.CompanyChanges) { ee := "EE"; c.Country = &ee }},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := goodCompany(m.ID, "Nordlicht "+string(c.provider), "REG-"+string(rune('A'+i)))
				c.bad(&in)
				co := must(f.o.AddCompany(ctx, in))
				act := must(f.o.ActivateCompany(ctx, co.ID, c.provider))
				if act.Status != domain.ActivationRejected || act.Reason == "" {
					t.Fatalf("activation = %+v, want REJECTED with the provider's reason", act)
				}
				var step *merchants.ChecklistItem
				for _, it := range f.checklist(t, m.ID) {
					if it.Key == merchants.StepActivationRejected && it.CompanyID == co.ID {
						step = &it
					}
				}
				if step == nil || !strings.Contains(step.Message, act.Reason) || step.Provider != c.provider {
					t.Fatalf("checklist has no rejected step with the reason %q: %+v", act.Reason, step)
				}
				// Asking again without correcting anything is rejected again.
				if again := must(f.o.ActivateCompany(ctx, co.ID, c.provider)); again.Status != domain.ActivationRejected {
					t.Fatalf("second application with the same data = %s, want REJECTED", again.Status)
				}
				ch := merchants.CompanyChanges{CompanyID: co.ID}
				c.fix(&ch)
				must(f.o.UpdateCompany(ctx, ch))
				act = must(f.o.ActivateCompany(ctx, co.ID, c.provider))
				if act.Status != domain.ActivationActive || act.Reason != "" || act.Application != 3 {
					t.Fatalf("activation after the correction = %+v, want ACTIVE as the third application", act)
				}
				if c.provider == domain.ProviderBillie && act.ExternalMerchantID == "" {
					t.Fatal("Billie activation without a merchant ID")
				}
			})
		}
		if st := f.merchantStatus(t, m.ID); st != merchant.StatusACTIVE {
			t.Fatalf("merchant is %s after the corrected activations, want ACTIVE", st)
		}
	})
}

func TestActivationTimeoutIsRetriedByTheJob(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := f.staff
		m := must(f.o.CreateMerchant(ctx, merchants.NewMerchant{Name: "Slow Ltd", Country: "DE"}))
		must(f.o.AddShop(ctx, merchants.NewShop{MerchantID: m.ID, Name: "Slow shop"}))
		co := must(f.o.AddCompany(ctx, goodCompany(m.ID, "Slow GmbH", "")))

		// The call times out; the job's first try gets a 503; its retry succeeds.
		faults := f.env.Faults[domain.ProviderBillie]
		faults.MaxHang = 2 * time.Second // the hung handler does not always notice the client leave
		for _, k := range []sandboxkit.FaultKind{sandboxkit.FaultTimeout, sandboxkit.FaultStatus5xx} {
			if _, err := faults.Add(sandboxkit.Fault{Operation: sandboxkit.OpActivate, Kind: k, Count: 1}); err != nil {
				t.Fatal(err)
			}
		}
		act := must(f.o.ActivateCompany(ctx, co.ID, domain.ProviderBillie))
		if act.Status != domain.ActivationPending || !strings.Contains(act.Reason, "no answer from Billie yet (timed out)") {
			t.Fatalf("activation after a timeout = %+v, want PENDING saying there was no answer", act)
		}
		if got := open(f.checklist(t, m.ID)); !slices.Contains(got, "!activation_pending") {
			t.Fatalf("checklist while pending: open steps %v", got)
		}

		f.startJobs(t)
		deadline := time.Now().Add(45 * time.Second)
		for act.Status == domain.ActivationPending && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			act = must(d.Ent.ProviderActivation.Get(auth.System(context.Background()), act.ID))
		}
		if act.Status != domain.ActivationActive || act.ExternalMerchantID == "" {
			t.Fatalf("activation after the job's retries = %+v, want ACTIVE with Billie's merchant ID", act)
		}
		if act.Attempts != 3 || len(faults.List()) != 0 {
			t.Fatalf("activation took %d calls with faults %v left, want 3 calls (timeout, 503, success)", act.Attempts, faults.List())
		}
		if st := f.merchantStatus(t, m.ID); st != merchant.StatusACTIVE {
			t.Fatalf("merchant is %s once the job activated its company, want ACTIVE", st)
		}
	})
}

func TestProviderReviewStaysPending(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := f.staff
		m := must(f.o.CreateMerchant(ctx, merchants.NewMerchant{Name: "Review", Country: "DE"}))
		co := must(f.o.AddCompany(ctx, goodCompany(m.ID, "PENDING Review GmbH", "")))
		act := must(f.o.ActivateCompany(ctx, co.ID, domain.ProviderBillie))
		if act.Status != domain.ActivationPending || act.ExternalMerchantID == "" || !strings.Contains(act.Reason, "review") {
			t.Fatalf("activation under review = %+v, want PENDING with Billie's merchant ID and its reason", act)
		}
	})
}

// userError is one expected problem of a refusal.
type userError struct {
	code  string
	field string // dotted path
}

func refusalOf(t *testing.T, err error) []userError {
	t.Helper()
	r, ok := domain.AsRefusal(err)
	if !ok {
		t.Fatalf("error %v is not a refusal", err)
	}
	var out []userError
	for _, p := range r.Problems {
		out = append(out, userError{p.Code, strings.Join(p.Field, ".")})
	}
	return out
}

func TestRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := f.staff
		m := must(f.o.CreateMerchant(ctx, merchants.NewMerchant{Name: "Refused", Country: "EE"}))
		taken := must(f.o.AddCompany(ctx, goodCompany(m.ID, "First OÜ", "12345678")))
		shop := must(f.o.AddShop(ctx, merchants.NewShop{MerchantID: m.ID, Name: "Shop"}))
		other := must(d.Ent.PSP.Create().SetName("Other PSP").Save(auth.System(context.Background())))
		company := func(change func(*merchants.NewCompany)) func() error {
			return func() error {
				in := goodCompany(m.ID, "Second OÜ", "")
				change(&in)
				_, err := f.o.AddCompany(ctx, in)
				return err
			}
		}
		shopWith := func(change func(*merchants.NewShop)) func() error {
			return func() error {
				in := merchants.NewShop{MerchantID: m.ID, Name: "Another shop"}
				change(&in)
				_, err := f.o.AddShop(ctx, in)
				return err
			}
		}
		cases := []struct {
			name     string
			do       func() error
			sentinel error
			want     userError
		}{
			{"a merchant in an unknown country", func() error {
				_, err := f.o.CreateMerchant(ctx, merchants.NewMerchant{Name: "X", Country: "XX"})
				return err
			}, merchants.ErrInvalidInput, userError{"VALIDATION", "country"}},
			{"a merchant without a name", func() error {
				_, err := f.o.CreateMerchant(ctx, merchants.NewMerchant{Name: " ", Country: "EE"})
				return err
			}, merchants.ErrInvalidInput, userError{"VALIDATION", "name"}},
			{"a merchant with a malformed e-mail", func() error {
				_, err := f.o.CreateMerchant(ctx, merchants.NewMerchant{Name: "X", Country: "EE", Email: "Kask <x@y.z>"})
				return err
			}, merchants.ErrInvalidInput, userError{"VALIDATION", "email"}},
			{"a company in an unknown country", company(func(c *merchants.NewCompany) { c.Country = "EU" }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "country"}},
			{"a malformed IBAN", company(func(c *merchants.NewCompany) { c.IBAN = "EE38 2200 2210 2014" }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "iban"}},
			{"an IBAN with wrong check digits", company(func(c *merchants.NewCompany) { c.IBAN = "EE392200221020145685" }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "iban"}},
			{"a company with a malformed finance e-mail", company(func(c *merchants.NewCompany) { c.FinanceEmail = "finance at kaskkivi" }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "financeEmail"}},
			{"a company with a finance e-mail over the length bound", company(func(c *merchants.NewCompany) {
				c.FinanceEmail = strings.Repeat("a", domain.MaxEmailLen) + "@kaskkivi.example"
			}), merchants.ErrInvalidInput, userError{"VALIDATION", "financeEmail"}},
			{"an update to a malformed finance e-mail", func() error {
				bad := "Finance <finance@kaskkivi.example>"
				_, err := f.o.UpdateCompany(ctx, merchants.CompanyChanges{CompanyID: taken.ID, FinanceEmail: &bad})
				return err
			}, merchants.ErrInvalidInput, userError{"VALIDATION", "financeEmail"}},
			{"a negative pay-now delay", company(func(c *merchants.NewCompany) { c.PayNowDelayDays = -1 }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "payNowDelayDays"}},
			{"a pay-later delay beyond the maximum", company(func(c *merchants.NewCompany) { c.PayLaterDelayDays = 365 }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "payLaterDelayDays"}},
			{"a fee over 100 %", company(func(c *merchants.NewCompany) { c.Fees[1].PercentBps = 10001 }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "fees.1.percentBps"}},
			{"a negative fee", company(func(c *merchants.NewCompany) { c.Fees[0].PercentBps = -5 }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "fees.0.percentBps"}},
			{"a fixed fee with more decimals than EUR has", company(func(c *merchants.NewCompany) { c.Fees[0].Fixed = "0.255" }),
				merchants.ErrInvalidInput, userError{"TOO_MANY_DECIMALS", "fees.0.fixed"}},
			{"a negative fixed fee", company(func(c *merchants.NewCompany) { c.Fees[0].Fixed = "-0.25" }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "fees.0.fixed"}},
			{"two fees for one product type", company(func(c *merchants.NewCompany) { c.Fees[1].ProductType = domain.ProductPayNowCard }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "fees.1.productType"}},
			{"a weekly schedule on two days", company(func(c *merchants.NewCompany) { c.PayoutWeekdays = []domain.Weekday{"MONDAY", "FRIDAY"} }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "payoutWeekdays"}},
			{"a weekdays schedule without days", company(func(c *merchants.NewCompany) {
				c.PayoutSchedule, c.PayoutWeekdays = domain.PayoutWeekdays, nil
			}), merchants.ErrInvalidInput, userError{"VALIDATION", "payoutWeekdays"}},
			{"a daily schedule with a day", company(func(c *merchants.NewCompany) { c.PayoutSchedule = domain.PayoutDaily }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "payoutWeekdays"}},
			{"a weekday named twice", company(func(c *merchants.NewCompany) {
				c.PayoutSchedule, c.PayoutWeekdays = domain.PayoutWeekdays, []domain.Weekday{"MONDAY", "MONDAY"}
			}), merchants.ErrInvalidInput, userError{"VALIDATION", "payoutWeekdays.1"}},
			{"an unknown currency", company(func(c *merchants.NewCompany) { c.Currency = "XYZ" }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "currency"}},
			{"a registration number the PSP has already", company(func(c *merchants.NewCompany) { c.RegistrationNumber = " 12345678 " }),
				merchants.ErrRegistrationTaken, userError{"CONFLICT", "registrationNumber"}},
			{"a company for an unknown merchant", company(func(c *merchants.NewCompany) { c.MerchantID = "mer_nope" }),
				merchants.ErrNotFound, userError{"NOT_FOUND", "merchantId"}},
			{"a company for another PSP's merchant", func() error {
				_, err := f.o.AddCompany(staffOf(other.ID), goodCompany(m.ID, "Intruder OÜ", ""))
				return err
			}, merchants.ErrNotFound, userError{"NOT_FOUND", "merchantId"}},
			{"a registration number taken, by update", func() error {
				second := must(f.o.AddCompany(ctx, goodCompany(m.ID, "Third OÜ", "87654321")))
				reg := "12345678"
				_, err := f.o.UpdateCompany(ctx, merchants.CompanyChanges{CompanyID: second.ID, RegistrationNumber: &reg})
				return err
			}, merchants.ErrRegistrationTaken, userError{"CONFLICT", "registrationNumber"}},
			{"an update to a weekly schedule keeping no day", func() error {
				weekly := domain.PayoutWeekly
				daily := domain.PayoutDaily
				must(f.o.UpdateCompany(ctx, merchants.CompanyChanges{CompanyID: taken.ID, PayoutSchedule: &daily}))
				_, err := f.o.UpdateCompany(ctx, merchants.CompanyChanges{CompanyID: taken.ID, PayoutSchedule: &weekly})
				return err
			}, merchants.ErrInvalidInput, userError{"VALIDATION", "payoutWeekdays"}},
			{"a shop with an ftp URL", shopWith(func(s *merchants.NewShop) { s.URL = "ftp://shop.example" }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "url"}},
			{"a shop with a URL without host", shopWith(func(s *merchants.NewShop) { s.URL = "https://" }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "url"}},
			{"a shop whose minimum is above its maximum", shopWith(func(s *merchants.NewShop) { s.MinOrderAmount, s.MaxOrderAmount = "100", "99.99" }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "maxOrderAmount"}},
			{"a shop minimum with three decimals", shopWith(func(s *merchants.NewShop) { s.MinOrderAmount = "1.001" }),
				merchants.ErrInvalidInput, userError{"TOO_MANY_DECIMALS", "minOrderAmount"}},
			{"a shop in an unknown language", shopWith(func(s *merchants.NewShop) { s.DefaultLang = "eng" }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "defaultLang"}},
			{"a shop offering nothing", shopWith(func(s *merchants.NewShop) { s.ProductTypes = []domain.ProductType{} }),
				merchants.ErrInvalidInput, userError{"VALIDATION", "productTypes"}},
			{"a shop update raising the minimum above the maximum", func() error {
				maxA, minA := "50", "60"
				must(f.o.UpdateShop(ctx, merchants.ShopChanges{ShopID: shop.ID, MaxOrderAmount: &maxA}))
				_, err := f.o.UpdateShop(ctx, merchants.ShopChanges{ShopID: shop.ID, MinOrderAmount: &minA})
				return err
			}, merchants.ErrInvalidInput, userError{"VALIDATION", "maxOrderAmount"}},
			{"a suspension without a reason", func() error {
				_, err := f.o.SuspendMerchant(ctx, m.ID, "  ")
				return err
			}, merchants.ErrInvalidInput, userError{"VALIDATION", "reason"}},
			{"reactivating a merchant that is not suspended", func() error {
				_, err := f.o.ReactivateMerchant(ctx, m.ID)
				return err
			}, merchants.ErrNotSuspended, userError{"CONFLICT", "merchantId"}},
			{"activating an unknown company", func() error {
				_, err := f.o.ActivateCompany(ctx, "com_nope", domain.ProviderBillie)
				return err
			}, merchants.ErrNotFound, userError{"NOT_FOUND", "companyId"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := c.do()
				if !errors.Is(err, c.sentinel) {
					t.Fatalf("error = %v, want %v", err, c.sentinel)
				}
				if got := refusalOf(t, err); !slices.Contains(got, c.want) {
					t.Fatalf("problems = %v, want %v among them", got, c.want)
				}
			})
		}
		if n := must(d.Ent.Company.Query().Count(auth.System(context.Background()))); n != 2 {
			t.Fatalf("%d companies after the refusals, want the 2 accepted ones", n)
		}
	})
}

// Concurrent companies with one registration number: exactly one is stored, the
// others are refused as CONFLICT, by the check or by the unique index.
func TestRegistrationNumberUniqueUnderConcurrency(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := f.staff
		const n = 6
		ids := make([]string, n)
		for i := range ids {
			ids[i] = must(f.o.CreateMerchant(ctx, merchants.NewMerchant{Name: "Twin", Country: "EE"})).ID
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { _, errs[i] = f.o.AddCompany(ctx, goodCompany(ids[i], "Twin OÜ", "TWIN-1")) })
		}
		wg.Wait()
		stored := 0
		for _, err := range errs {
			switch {
			case err == nil:
				stored++
			case errors.Is(err, merchants.ErrRegistrationTaken):
			default:
				t.Fatalf("concurrent AddCompany: %v", err)
			}
		}
		if stored != 1 {
			t.Fatalf("%d companies stored with one registration number, want 1", stored)
		}
	})
}
