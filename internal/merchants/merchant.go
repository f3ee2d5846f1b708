package merchants

import (
	"context"
	"fmt"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// NewMerchant is createMerchant's input.
type NewMerchant struct {
	Name    string
	Country string // ISO 3166-1 alpha-2
	Email   string // optional
}

// MerchantChanges is updateMerchant's input; nil leaves a field alone.
type MerchantChanges struct {
	MerchantID string
	Name       *string
	Country    *string
	Email      *string // "" clears it
}

// CreateMerchant creates a merchant in the actor's PSP. It starts ONBOARDING.
func (o *Onboarding) CreateMerchant(ctx context.Context, in NewMerchant) (*ent.Merchant, error) {
	var p problems
	name := p.text("name", in.Name, true, maxNameLen)
	country := p.country("country", in.Country)
	email := p.email("email", in.Email)
	if err := p.err(); err != nil {
		return nil, err
	}
	pspID, err := o.pspOf(ctx)
	if err != nil {
		return nil, err
	}
	return o.Client.Merchant.Create().SetPspID(pspID).SetName(name).SetCountry(country).
		SetEmail(email).Save(ctx)
}

// pspOf is the PSP a new merchant belongs to: the actor's. The system principal
// (seeds, and the API before logins exist) acts for the only PSP there is.
func (o *Onboarding) pspOf(ctx context.Context) (string, error) {
	p := auth.From(ctx)
	if p != nil && p.PSPID != "" {
		return p.PSPID, nil
	}
	if p.IsSystem() {
		ids, err := o.Client.PSP.Query().Limit(2).IDs(ctx)
		if err != nil {
			return "", err
		}
		if len(ids) == 1 {
			return ids[0], nil
		}
	}
	return "", domain.RefuseErr(ErrNoPSP, nil, "only PSP staff can create merchants")
}

// UpdateMerchant changes a merchant's name, country or e-mail.
func (o *Onboarding) UpdateMerchant(ctx context.Context, in MerchantChanges) (*ent.Merchant, error) {
	var p problems
	var name, country, email string
	if in.Name != nil {
		name = p.text("name", *in.Name, true, maxNameLen)
	}
	if in.Country != nil {
		country = p.country("country", *in.Country)
	}
	if in.Email != nil {
		email = p.email("email", *in.Email)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	var out *ent.Merchant
	err := o.inTx(ctx, func(ctx context.Context, tx txn) error {
		m, err := o.lockMerchant(ctx, tx.ent, in.MerchantID, "merchantId")
		if err != nil {
			return err
		}
		u := tx.ent.Merchant.UpdateOne(m)
		if in.Name != nil {
			u.SetName(name)
		}
		if in.Country != nil {
			u.SetCountry(country)
		}
		if in.Email != nil {
			u.SetEmail(email)
		}
		out, err = u.Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o.Client.Merchant.Get(ctx, out.ID)
}

// UpdateMerchantSecurity sets whether the merchant's users must sign in with a
// second factor (internal/auth, mfa.go). PSP admins set it for their merchants,
// merchant admins for their own; the tenant rules make any other merchant NOT_FOUND.
func (o *Onboarding) UpdateMerchantSecurity(ctx context.Context, merchantID string, requireMFA bool) (*ent.Merchant, error) {
	p := auth.From(ctx)
	if p == nil || (p.Role != domain.RolePSPAdmin && p.Role != domain.RoleMerchantAdmin) {
		return nil, domain.Refuse(domain.CodeForbidden, nil, "only admins set the merchant's security policy")
	}
	var out *ent.Merchant
	err := o.inTx(ctx, func(ctx context.Context, tx txn) error {
		m, err := o.lockMerchant(ctx, tx.ent, merchantID, "merchantId")
		if err != nil {
			return err
		}
		out, err = tx.ent.Merchant.UpdateOne(m).SetRequireMfa(requireMFA).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o.Client.Merchant.Get(ctx, out.ID)
}

// SuspendMerchant stops a merchant from taking new orders and getting new API keys,
// with the reason staff give; orders, settlements and keys stay readable.
func (o *Onboarding) SuspendMerchant(ctx context.Context, merchantID, reason string) (*ent.Merchant, error) {
	var p problems
	reason = p.text("reason", reason, true, maxReasonLen)
	if err := p.err(); err != nil {
		return nil, err
	}
	var out *ent.Merchant
	err := o.inTx(ctx, func(ctx context.Context, tx txn) error {
		m, err := o.lockMerchant(ctx, tx.ent, merchantID, "merchantId")
		if err != nil {
			return err
		}
		if m.Status == merchant.StatusSUSPENDED {
			return domain.RefuseErr(ErrAlreadySuspended, []string{"merchantId"},
				fmt.Sprintf("merchant %s is already suspended: %s", m.Name, m.SuspensionReason))
		}
		out, err = tx.ent.Merchant.UpdateOne(m).SetStatus(merchant.StatusSUSPENDED).
			SetSuspensionReason(reason).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o.Client.Merchant.Get(ctx, out.ID)
}

// ReactivateMerchant lifts a suspension; the merchant gets back the status its parts
// give it (ACTIVE, or ONBOARDING when something is still missing).
func (o *Onboarding) ReactivateMerchant(ctx context.Context, merchantID string) (*ent.Merchant, error) {
	var out *ent.Merchant
	err := o.inTx(ctx, func(ctx context.Context, tx txn) error {
		m, err := o.lockMerchant(ctx, tx.ent, merchantID, "merchantId")
		if err != nil {
			return err
		}
		if m.Status != merchant.StatusSUSPENDED {
			return domain.RefuseErr(ErrNotSuspended, []string{"merchantId"},
				fmt.Sprintf("merchant %s is not suspended (it is %s)", m.Name, strings.ToLower(string(m.Status))))
		}
		m, err = tx.ent.Merchant.UpdateOne(m).SetStatus(merchant.StatusONBOARDING).ClearSuspensionReason().Save(ctx)
		if err != nil {
			return err
		}
		out, err = refreshStatus(ctx, tx.ent, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o.Client.Merchant.Get(ctx, out.ID)
}
