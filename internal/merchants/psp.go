package merchants

import (
	"context"
	"regexp"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// The PSP's own bank account: where merchants who owe money (MERCHANT_OWES
// settlements) transfer it, named in every settlement's payment instructions and in
// the owed-balance e-mail (docs/settlement.md). Only the PSP's admins change it; the
// tenant rules let no principal write the PSP row, so the service writes it as the
// system after checking who asks.

// PSPChanges is updatePsp's input; nil leaves a field alone.
type PSPChanges struct {
	LegalName *string
	IBAN      *string
	BIC       *string
	// RequireStaffMFA: staff must sign in with a second factor (internal/auth, mfa.go).
	RequireStaffMFA *bool
}

// bicRE is a BIC (ISO 9362): bank, country, location, and an optional branch.
var bicRE = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)

// UpdatePSP changes the acting admin's PSP: its legal name and bank account. The IBAN
// is checked like a company's; the BIC is 8 or 11 characters.
func (o *Onboarding) UpdatePSP(ctx context.Context, in PSPChanges) (*ent.PSP, error) {
	p := auth.From(ctx)
	if p == nil || !p.IsPSPStaff() || p.Role != domain.RolePSPAdmin {
		return nil, domain.Refuse(domain.CodeForbidden, nil, "only the PSP's admins change its bank account")
	}
	var pr problems
	sys := auth.System(ctx)
	upd := o.Client.PSP.UpdateOneID(p.PSPID)
	if in.LegalName != nil {
		upd.SetLegalName(pr.text("legalName", *in.LegalName, true, maxNameLen))
	}
	if in.IBAN != nil {
		iban, err := NormalizeIBAN(*in.IBAN)
		if err != nil {
			pr.add(domain.Field("iban"), ibanMessage(err))
		}
		upd.SetIban(iban)
	}
	if in.BIC != nil {
		bic := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(*in.BIC), " ", ""))
		if !bicRE.MatchString(bic) {
			pr.add(domain.Field("bic"), "not a BIC: 8 or 11 letters and digits, e.g. COBADEFFXXX")
		}
		upd.SetBic(bic)
	}
	if in.RequireStaffMFA != nil {
		upd.SetRequireStaffMfa(*in.RequireStaffMFA)
	}
	if err := pr.err(); err != nil {
		return nil, err
	}
	return upd.Save(sys)
}
