package merchants

import (
	"context"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/user"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// Invitations brings people in: an invited user gets a one-time link (72 hours)
// where it sets its password (POST /auth/set-password). There is no mail server: the
// link is answered to whoever invited, who hands it over. Only the link's hash is
// stored, so the database cannot be used to accept an invitation.
type Invitations struct {
	Client *ent.Client
	// PublicURL is how browsers reach this server (the link's base).
	PublicURL string
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
}

// Invite is who to invite.
type Invite struct {
	MerchantID string // empty: PSP staff
	Email      string
	Name       string
	Role       domain.Role
}

// Invite creates the user and answers it with its set-password link. PSP staff invite
// PSP staff or users of their merchants; a merchant admin invites users of its own
// merchant; nobody grants a role above their own. Another tenant's merchant is
// NOT_FOUND.
func (s *Invitations) Invite(ctx context.Context, in Invite) (*ent.User, string, error) {
	p := auth.From(ctx)
	if p == nil || p.Kind != auth.KindUser {
		return nil, "", domain.Refuse(domain.CodeForbidden, nil, "only users invite users")
	}
	in.Email = auth.NormalizeEmail(in.Email)
	var r domain.Refusal
	if !auth.ValidEmail(in.Email) {
		r.Add(domain.CodeValidation, domain.Field("email"), "the email must be an address like name@example.com")
	}
	in.Name = domain.CheckText(&r, domain.Field("name"), "name", in.Name, false, domain.MaxNameLen)
	if p.IsMerchantUser() && in.MerchantID == "" {
		in.MerchantID = p.MerchantID // a merchant admin invites into its own merchant
	}
	switch {
	case in.MerchantID == "" && !in.Role.IsPSPStaff():
		r.Add(domain.CodeValidation, domain.Field("merchantId"), "a merchant role needs the merchant")
	case in.MerchantID != "" && in.Role.IsPSPStaff():
		r.Add(domain.CodeValidation, domain.Field("role"), "a merchant's user cannot have a PSP role")
	case !auth.RoleAtLeast(p.Role, in.Role):
		r.Add(domain.CodeForbidden, domain.Field("role"), "you cannot grant the role "+string(in.Role))
	}
	if err := r.Err(); err != nil {
		return nil, "", err
	}
	if in.MerchantID != "" {
		if _, err := s.Client.Merchant.Get(ctx, in.MerchantID); ent.IsNotFound(err) {
			return nil, "", domain.Refuse(domain.CodeNotFound, domain.Field("merchantId"), "no such merchant")
		} else if err != nil {
			return nil, "", err
		}
	}
	// Emails are unique across the product (they are the login), so the check reads
	// every tenant.
	taken, err := s.Client.User.Query().Where(user.EmailEqualFold(in.Email)).Exist(auth.System(ctx))
	if err != nil {
		return nil, "", err
	}
	if taken {
		return nil, "", domain.Refuse(domain.CodeConflict, domain.Field("email"), "a user with this email exists already")
	}
	token, hash, err := auth.NewInvitationToken()
	if err != nil {
		return nil, "", err
	}
	create := s.Client.User.Create().SetPspID(p.PSPID).SetEmail(in.Email).SetName(in.Name).SetRole(in.Role).
		SetInviteTokenHash(hash).SetInviteExpiresAt(s.now().Add(auth.InvitationTTL))
	if in.MerchantID != "" {
		create.SetMerchantID(in.MerchantID)
	}
	u, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, "", domain.Refuse(domain.CodeConflict, domain.Field("email"), "a user with this email exists already")
	}
	if err != nil {
		return nil, "", err
	}
	return u, s.PublicURL + "/set-password?token=" + token, nil
}

func (s *Invitations) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
