package merchants

import (
	"context"
	"fmt"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// Checklist item keys: what a step is about, for the UI to pick an icon or a form.
const (
	StepSuspended          = "suspended"           // lift the suspension
	StepAddCompany         = "add_company"         // add a legal entity
	StepIBAN               = "iban"                // per company: a valid IBAN for payouts
	StepFeePlan            = "fee_plan"            // per company: fees per product type
	StepActivate           = "activation"          // per company: activate with a provider
	StepActivationPending  = "activation_pending"  // per company and provider: waiting for the provider
	StepActivationRejected = "activation_rejected" // per company and provider: correct the data, activate again
	StepAddShop            = "add_shop"            // add a shop
)

// ChecklistItem is one step of onboarding, done or still to do. Blocking steps keep
// the merchant from ACTIVE (from taking payments); the others are advice (without a
// fee plan, no fees are deducted).
type ChecklistItem struct {
	Key       string
	Done      bool
	Blocking  bool
	Message   string
	CompanyID string          // for per-company steps
	Provider  domain.Provider // for per-activation steps
}

// Checklist tells staff what a merchant still needs before it can take payments,
// step by step, from the same snapshot the status is derived from.
func (o *Onboarding) Checklist(ctx context.Context, m *ent.Merchant) ([]ChecklistItem, error) {
	s, err := loadSnapshot(ctx, o.Client, m)
	if err != nil {
		return nil, err
	}
	return s.checklist(), nil
}

func (s *snapshot) checklist() []ChecklistItem {
	var out []ChecklistItem
	add := func(it ChecklistItem) { out = append(out, it) }
	if s.merchant.Status == merchant.StatusSUSPENDED {
		add(ChecklistItem{Key: StepSuspended, Blocking: true,
			Message: fmt.Sprintf("Suspended: %s. Reactivate the merchant to take orders again.", s.merchant.SuspensionReason)})
	}
	if len(s.companies) == 0 {
		add(ChecklistItem{Key: StepAddCompany, Blocking: true,
			Message: "Add a company: the legal entity that is activated with providers and paid out."})
	} else {
		add(ChecklistItem{Key: StepAddCompany, Done: true, Message: plural(len(s.companies), "company", "companies") + " added."})
	}
	// Activation steps block only while no company is active anywhere.
	activationBlocks := s.activeCompanies() == 0
	for _, co := range s.companies {
		for _, it := range companySteps(co) {
			if !it.Done && (it.Key == StepActivate || it.Key == StepActivationPending || it.Key == StepActivationRejected) {
				it.Blocking = activationBlocks
			}
			add(it)
		}
	}
	if len(s.shops) == 0 {
		add(ChecklistItem{Key: StepAddShop, Blocking: true, Message: "Add a shop: where the merchant sells, with its product types."})
	} else {
		add(ChecklistItem{Key: StepAddShop, Done: true, Message: plural(len(s.shops), "shop", "shops") + " added."})
	}
	return out
}

// companySteps are one company's steps: IBAN, fee plan, then its activations.
func companySteps(co *ent.Company) []ChecklistItem {
	name := co.LegalName
	step := func(key string, done bool, msg string) ChecklistItem {
		return ChecklistItem{Key: key, Done: done, Message: msg, CompanyID: co.ID}
	}
	var out []ChecklistItem
	if iban, err := NormalizeIBAN(co.Iban); err != nil {
		out = append(out, step(StepIBAN, false, name+" has no valid IBAN: add the account payouts go to."))
	} else {
		out = append(out, step(StepIBAN, true, name+" is paid out to "+iban+"."))
	}
	if len(co.Edges.Fees) == 0 {
		out = append(out, step(StepFeePlan, false, name+" has no fee plan: add fees per product type, or no fees are deducted."))
	} else {
		types := make([]string, len(co.Edges.Fees))
		for i, f := range co.Edges.Fees {
			types[i] = string(f.ProductType)
		}
		out = append(out, step(StepFeePlan, true, name+" has fees for "+strings.Join(types, ", ")+"."))
	}
	if len(co.Edges.Activations) == 0 {
		out = append(out, step(StepActivate, false, "Activate "+name+" with a provider."))
	}
	for _, a := range co.Edges.Activations {
		p := providerName(a.Provider)
		var it ChecklistItem
		switch a.Status {
		case domain.ActivationActive:
			msg := fmt.Sprintf("%s is active with %s.", name, p)
			if a.ExternalMerchantID != "" {
				msg = fmt.Sprintf("%s is active with %s (merchant ID %s).", name, p, a.ExternalMerchantID)
			}
			it = step(StepActivate, true, msg)
		case domain.ActivationRejected:
			it = step(StepActivationRejected, false,
				fmt.Sprintf("%s rejected %s: %s. Correct the company's data and activate it again.", p, name, strings.TrimRight(a.Reason, ". ")))
		default:
			msg := fmt.Sprintf("%s's activation with %s is pending", name, p)
			if a.Reason != "" {
				msg += ": " + strings.TrimRight(a.Reason, ". ")
			}
			it = step(StepActivationPending, false, msg+".")
		}
		it.Provider = a.Provider
		out = append(out, it)
	}
	return out
}

// providerName is how people write the provider's name.
func providerName(p domain.Provider) string {
	switch p {
	case domain.ProviderBillie:
		return "Billie"
	case domain.ProviderPaywerk:
		return "Paywerk"
	case domain.ProviderBillwerk:
		return "Billwerk+"
	case domain.ProviderBetterPayment:
		return "Better Payment"
	}
	return string(p)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
