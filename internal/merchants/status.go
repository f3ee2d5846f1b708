package merchants

import (
	"context"
	"fmt"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/company"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/provideractivation"
	"github.com/pspbackoffice/backoffice/ent/shop"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// snapshot is a merchant with the parts its status and checklist follow from.
type snapshot struct {
	merchant  *ent.Merchant
	companies []*ent.Company // with fees and activations loaded
	shops     []*ent.Shop
}

func loadSnapshot(ctx context.Context, c *ent.Client, m *ent.Merchant) (*snapshot, error) {
	cos, err := c.Company.Query().Where(company.MerchantID(m.ID)).
		WithFees().WithActivations(func(q *ent.ProviderActivationQuery) {
		q.Order(ent.Asc(provideractivation.FieldCreatedAt))
	}).Order(ent.Asc(company.FieldCreatedAt)).All(ctx)
	if err != nil {
		return nil, err
	}
	shops, err := c.Shop.Query().Where(shop.MerchantID(m.ID)).Order(ent.Asc(shop.FieldCreatedAt)).All(ctx)
	if err != nil {
		return nil, err
	}
	return &snapshot{merchant: m, companies: cos, shops: shops}, nil
}

// activeCompanies counts the companies ACTIVE with at least one provider.
func (s *snapshot) activeCompanies() int {
	n := 0
	for _, co := range s.companies {
		for _, a := range co.Edges.Activations {
			if a.Status == domain.ActivationActive {
				n++
				break
			}
		}
	}
	return n
}

// ready is the rule of ACTIVE: a company active with a provider, and a shop.
func (s *snapshot) ready() bool { return s.activeCompanies() > 0 && len(s.shops) > 0 }

// status is the status the merchant should have. Suspension is the one status set
// by hand; it holds until reactivateMerchant.
func (s *snapshot) status() merchant.Status {
	switch {
	case s.merchant.Status == merchant.StatusSUSPENDED:
		return merchant.StatusSUSPENDED
	case s.ready():
		return merchant.StatusACTIVE
	}
	return merchant.StatusONBOARDING
}

// refreshStatus recomputes a merchant's status from its parts and stores it when it
// changed. Every change to a part calls it in the change's own transaction: this is
// the one place the status is decided.
func refreshStatus(ctx context.Context, c *ent.Client, m *ent.Merchant) (*ent.Merchant, error) {
	s, err := loadSnapshot(ctx, c, m)
	if err != nil {
		return nil, err
	}
	if st := s.status(); st != m.Status {
		return c.Merchant.UpdateOne(m).SetStatus(st).Save(ctx)
	}
	return m, nil
}

// lockMerchant loads a merchant for a change to it or its parts; on PostgreSQL it
// locks the row, so concurrent changes to one merchant's parts recompute its status
// one after the other.
func (o *Onboarding) lockMerchant(ctx context.Context, c *ent.Client, id, field string) (*ent.Merchant, error) {
	q := c.Merchant.Query().Where(merchant.ID(id))
	if o.rowLocks() {
		q = q.ForUpdate()
	}
	m, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound(field, "merchant", id)
	}
	return m, err
}

// CanTakeOrders answers nil when the merchant may take new orders (it is ACTIVE),
// else a MERCHANT_NOT_ACTIVE refusal wrapping ErrMerchantSuspended or
// ErrMerchantOnboarding. History stays readable either way. c may be a transaction's client.
func CanTakeOrders(ctx context.Context, c *ent.Client, merchantID string) error {
	m, err := c.Merchant.Get(ctx, merchantID)
	if ent.IsNotFound(err) {
		return notFound("merchantId", "merchant", merchantID)
	}
	if err != nil {
		return err
	}
	switch m.Status {
	case merchant.StatusACTIVE:
		return nil
	case merchant.StatusSUSPENDED:
		return domain.RefuseErr(ErrMerchantSuspended, nil,
			fmt.Sprintf("merchant %s is suspended: %s", m.Name, m.SuspensionReason))
	}
	return domain.RefuseErr(ErrMerchantOnboarding, nil,
		fmt.Sprintf("merchant %s is still onboarding and cannot take payments yet", m.Name))
}

// CanIssueAPIKeys answers nil unless the merchant is suspended: integrators may set
// up keys while the merchant is onboarding, but a suspended merchant gets none.
func CanIssueAPIKeys(ctx context.Context, c *ent.Client, merchantID string) error {
	m, err := c.Merchant.Get(ctx, merchantID)
	if ent.IsNotFound(err) {
		return notFound("merchantId", "merchant", merchantID)
	}
	if err != nil {
		return err
	}
	if m.Status == merchant.StatusSUSPENDED {
		return domain.RefuseErr(ErrMerchantSuspended, nil,
			fmt.Sprintf("merchant %s is suspended: %s", m.Name, m.SuspensionReason))
	}
	return nil
}

// ActiveActivation answers a company's ACTIVE activation with a provider (for Billie
// it carries the merchant ID every call sends), or a PROVIDER_NOT_ACTIVATED refusal
// wrapping ErrProviderNotActivated.
func ActiveActivation(ctx context.Context, c *ent.Client, companyID string, p domain.Provider) (*ent.ProviderActivation, error) {
	a, err := c.ProviderActivation.Query().Where(provideractivation.CompanyID(companyID),
		provideractivation.ProviderEQ(p), provideractivation.StatusEQ(domain.ActivationActive)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, domain.RefuseErr(ErrProviderNotActivated, []string{"provider"},
			fmt.Sprintf("the company is not activated with %s", p))
	}
	return a, err
}
