package seed_test

import (
	"context"
	"testing"

	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/provideractivation"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/merchants"
)

// TestDemoOnboardingStages: the demo shows a merchant at every stage, and a
// rejected activation whose reason the checklist carries.
func TestDemoOnboardingStages(t *testing.T) {
	eachDemo(t, demoDay, func(t *testing.T, ctx context.Context, d *db.DB) {
		for _, st := range []merchant.Status{merchant.StatusACTIVE, merchant.StatusONBOARDING, merchant.StatusSUSPENDED} {
			if n, err := d.Ent.Merchant.Query().Where(merchant.StatusEQ(st)).Count(ctx); err != nil || n == 0 {
				t.Errorf("demo merchants %s: %d (%v), want at least one", st, n, err)
			}
		}
		suspended, err := d.Ent.Merchant.Query().Where(merchant.StatusEQ(merchant.StatusSUSPENDED)).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := suspended.QueryOrders().Count(ctx); n == 0 || suspended.SuspensionReason == "" {
			t.Errorf("suspended demo merchant has %d orders and reason %q, want its history and a reason", n, suspended.SuspensionReason)
		}
		if err := merchants.CanTakeOrders(ctx, d.Ent, suspended.ID); err == nil {
			t.Error("the suspended demo merchant can take orders")
		}
		rejected, err := d.Ent.ProviderActivation.Query().
			Where(provideractivation.StatusEQ(domain.ActivationRejected)).WithCompany().Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m, err := d.Ent.Merchant.Get(ctx, rejected.Edges.Company.MerchantID)
		if err != nil {
			t.Fatal(err)
		}
		items, err := (&merchants.Onboarding{Client: d.Ent}).Checklist(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, it := range items {
			found = found || (it.Key == merchants.StepActivationRejected && it.Blocking && it.CompanyID == rejected.CompanyID)
		}
		if !found {
			t.Errorf("checklist of %s has no blocking rejected activation step: %+v", m.Name, items)
		}
	})
}
