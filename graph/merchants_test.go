package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/riverqueue/river"

	"github.com/pspbackoffice/backoffice/graph"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/jobs"
	"github.com/pspbackoffice/backoffice/internal/merchants"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxenv"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

type userErr struct {
	Code    string
	Field   []string
	Message string
}

// TestOnboardingThroughGraphQL runs the onboarding mutations as a PSP operator would:
// a merchant with two companies and two shops, one company activated with Billie
// (whose merchant ID the answer shows) and one with Paywerk, the checklist followed to
// ACTIVE, a suspension and a reactivation; bad input answers userErrors naming the
// field, and a merchant's user may not onboard.
func TestOnboardingThroughGraphQL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		env := sandboxenv.Start(t, sandboxenv.Options{})
		psp := d.Ent.PSP.Create().SetName("PSP").SaveX(auth.System(context.Background()))
		o := &merchants.Onboarding{Client: d.Ent, DB: d, Providers: env}
		workers := river.NewWorkers()
		river.AddWorker(workers, &merchants.ActivationWorker{Onboarding: o})
		jc, err := jobs.New(d, jobs.Config{Workers: workers, InsertOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		o.Jobs = jc
		srv := graph.NewHandler(&graph.Resolver{Client: d.Ent, Onboarding: o}, graph.Options{})
		as := func(p *auth.Principal) *client.Client {
			return client.New(srv, func(r *client.Request) { r.HTTP = r.HTTP.WithContext(auth.With(r.HTTP.Context(), p)) })
		}
		ops := as(&auth.Principal{Kind: auth.KindUser, ID: "usr_ops", PSPID: psp.ID, Role: domain.RolePSPOperator})

		var created struct {
			CreateMerchant struct {
				Merchant   struct{ ID, Status string }
				UserErrors []userErr
			}
		}
		ops.MustPost(`mutation { createMerchant(input: {name: "Kask & Kivi", country: "EE", email: "hi@kaskkivi.example"}) {
			merchant { id status } userErrors { code field message } } }`, &created)
		mid := created.CreateMerchant.Merchant.ID
		if created.CreateMerchant.Merchant.Status != "ONBOARDING" || mid == "" {
			t.Fatalf("createMerchant = %+v", created.CreateMerchant)
		}

		const addCompany = `mutation($in: AddCompanyInput!) { addCompany(input: $in) {
			company { id iban fees { productType percentBps fixed { amount currency } } } userErrors { code field message } } }`
		type companyAnswer struct {
			AddCompany struct {
				Company *struct {
					ID, Iban string
					Fees     []struct {
						ProductType string
						PercentBps  int
						Fixed       struct{ Amount, Currency string }
					}
				}
				UserErrors []userErr
			}
		}
		company := func(name, country, iban, reg string) map[string]any {
			return map[string]any{"merchantId": mid, "legalName": name, "country": country, "registrationNumber": reg,
				"iban": iban, "payoutSchedule": "WEEKLY", "payoutWeekdays": []string{"FRIDAY"},
				"payNowDelayDays": 2, "payLaterDelayDays": 7,
				"fees": []map[string]any{{"productType": "INVOICE", "percentBps": 290, "fixed": "0.35"}}}
		}
		var bad companyAnswer
		in := company("Kask & Kivi OÜ", "EE", "EE38 2200 2210 2014 5686", "14412345")
		in["fees"] = []map[string]any{{"productType": "INVOICE", "percentBps": 12000, "fixed": "0.355"}}
		ops.MustPost(addCompany, &bad, client.Var("in", in))
		if bad.AddCompany.Company != nil || !hasUserError(bad.AddCompany.UserErrors, "VALIDATION", "iban") ||
			!hasUserError(bad.AddCompany.UserErrors, "VALIDATION", "fees.0.percentBps") ||
			!hasUserError(bad.AddCompany.UserErrors, "TOO_MANY_DECIMALS", "fees.0.fixed") {
			t.Fatalf("addCompany with a bad IBAN and fee = %+v, want userErrors for each field", bad.AddCompany)
		}

		var ee, de companyAnswer
		ops.MustPost(addCompany, &ee, client.Var("in", company("Kask & Kivi OÜ", "EE", "EE38 2200 2210 2014 5685", "14412345")))
		ops.MustPost(addCompany, &de, client.Var("in", company("Kask & Kivi GmbH", "DE", "DE89370400440532013000", "HRB 1")))
		if ee.AddCompany.Company == nil || de.AddCompany.Company == nil {
			t.Fatalf("addCompany answered %+v and %+v", ee.AddCompany, de.AddCompany)
		}
		if f := ee.AddCompany.Company.Fees; ee.AddCompany.Company.Iban != "EE382200221020145685" || len(f) != 1 || f[0].Fixed.Amount != "0.35" {
			t.Fatalf("stored company = %+v", ee.AddCompany.Company)
		}
		var dup companyAnswer
		ops.MustPost(addCompany, &dup, client.Var("in", company("Copy OÜ", "EE", "EE382200221020145685", "14412345")))
		if !hasUserError(dup.AddCompany.UserErrors, "CONFLICT", "registrationNumber") {
			t.Fatalf("duplicate registration number answered %+v", dup.AddCompany)
		}

		for _, shop := range []string{`{merchantId: $m, name: "Home", url: "https://kaskkivi.example", defaultLang: "et", minOrderAmount: "10", maxOrderAmount: "2000"}`,
			`{merchantId: $m, name: "B2B", productTypes: [INVOICE]}`} {
			var resp struct {
				AddShop struct {
					Shop       *struct{ ID string }
					UserErrors []userErr
				}
			}
			ops.MustPost(`mutation($m: ID!) { addShop(input: `+shop+`) { shop { id } userErrors { code field message } } }`,
				&resp, client.Var("m", mid))
			if resp.AddShop.Shop == nil {
				t.Fatalf("addShop answered %+v", resp.AddShop)
			}
		}

		const activate = `mutation($c: ID!, $p: Provider!) { activateCompany(input: {companyId: $c, provider: $p}) {
			activation { provider status externalMerchantId reason } userErrors { code field message } } }`
		type activation struct {
			ActivateCompany struct {
				Activation struct{ Provider, Status, ExternalMerchantID, Reason string }
				UserErrors []userErr
			}
		}
		var billie, paywerk activation
		ops.MustPost(activate, &billie, client.Var("c", de.AddCompany.Company.ID), client.Var("p", "BILLIE"))
		ops.MustPost(activate, &paywerk, client.Var("c", ee.AddCompany.Company.ID), client.Var("p", "PAYWERK"))
		if a := billie.ActivateCompany.Activation; a.Status != "ACTIVE" || a.ExternalMerchantID == "" {
			t.Fatalf("Billie activation = %+v, want ACTIVE with Billie's merchant ID", a)
		}
		if a := paywerk.ActivateCompany.Activation; a.Status != "ACTIVE" {
			t.Fatalf("Paywerk activation = %+v", a)
		}

		var got struct {
			Node struct {
				Status    string
				Checklist []struct {
					Key      string
					Done     bool
					Blocking bool
					Message  string
				}
			}
		}
		ops.MustPost(`query($m: ID!) { node(id: $m) { ... on Merchant { status checklist { key done blocking message } } } }`,
			&got, client.Var("m", mid))
		if got.Node.Status != "ACTIVE" {
			t.Fatalf("merchant is %s, want ACTIVE", got.Node.Status)
		}
		for _, it := range got.Node.Checklist {
			if !it.Done {
				t.Errorf("open step %s: %s", it.Key, it.Message)
			}
		}

		var sus, re struct {
			SuspendMerchant, ReactivateMerchant struct {
				Merchant   *struct{ Status, SuspensionReason string }
				UserErrors []userErr
			}
		}
		ops.MustPost(`mutation($m: ID!) { suspendMerchant(input: {merchantId: $m, reason: "Risk review"}) {
			merchant { status suspensionReason } userErrors { code field message } } }`, &sus, client.Var("m", mid))
		if m := sus.SuspendMerchant.Merchant; m == nil || m.Status != "SUSPENDED" || m.SuspensionReason != "Risk review" {
			t.Fatalf("suspendMerchant = %+v", sus.SuspendMerchant)
		}
		ops.MustPost(`mutation($m: ID!) { reactivateMerchant(input: {merchantId: $m}) {
			merchant { status suspensionReason } userErrors { code field message } } }`, &re, client.Var("m", mid))
		if m := re.ReactivateMerchant.Merchant; m == nil || m.Status != "ACTIVE" {
			t.Fatalf("reactivateMerchant = %+v", re.ReactivateMerchant)
		}

		owner := as(&auth.Principal{Kind: auth.KindUser, ID: "usr_owner", PSPID: psp.ID, MerchantID: mid, Role: domain.RoleMerchantAdmin})
		var none struct {
			SuspendMerchant struct{ Merchant *struct{ Status string } }
		}
		err = owner.Post(`mutation($m: ID!) { suspendMerchant(input: {merchantId: $m, reason: "x"}) { merchant { status } } }`,
			&none, client.Var("m", mid))
		if err == nil || !strings.Contains(err.Error(), "FORBIDDEN") && !strings.Contains(err.Error(), "cannot do this") {
			t.Fatalf("a merchant admin suspending its merchant: %v, want FORBIDDEN", err)
		}
	})
}

func hasUserError(errs []userErr, code, field string) bool {
	for _, e := range errs {
		if e.Code == code && strings.Join(e.Field, ".") == field {
			return true
		}
	}
	return false
}
