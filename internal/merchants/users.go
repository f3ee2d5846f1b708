package merchants

import (
	"context"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/user"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/ids"
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
	// every tenant — and must not tell the inviter about the others' (see taken).
	existing, err := s.Client.User.Query().Where(user.EmailEqualFold(in.Email)).Only(auth.System(ctx))
	if err == nil {
		return s.taken(ctx, p, existing, in)
	} else if !ent.IsNotFound(err) {
		return nil, "", err
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
	if ent.IsConstraintError(err) { // invited a moment ago, by someone else perhaps
		if existing, qerr := s.Client.User.Query().Where(user.EmailEqualFold(in.Email)).Only(auth.System(ctx)); qerr == nil {
			return s.taken(ctx, p, existing, in)
		}
	}
	if err != nil {
		return nil, "", err
	}
	return u, s.PublicURL + "/set-password?token=" + token, nil
}

// taken answers an invitation of an email that has an account already. In the
// inviter's own team (a user the inviter can see: its merchant's, or its PSP's for
// PSP staff) that is a helpful CONFLICT. Anywhere else the answer is shaped exactly
// like a new invitation — a user and a one-time link — so inviteUser cannot be used
// to learn who has an account with another merchant or PSP (issue 15). Nothing is
// written: the user is not stored and the link's token is not either, so it leads
// to "invitation invalid or expired" and the existing account is untouched.
//
// What remains: re-reading one's team afterwards shows the invitee missing. Closing
// that too needs invitations delivered by mail (then every answer is "sent").
func (s *Invitations) taken(ctx context.Context, p *auth.Principal, existing *ent.User, in Invite) (*ent.User, string, error) {
	visible, err := s.Client.User.Query().Where(user.ID(existing.ID)).Exist(ctx) // the tenant policy decides
	if err != nil {
		return nil, "", err
	}
	if visible {
		return nil, "", domain.Refuse(domain.CodeConflict, domain.Field("email"), in.Email+" is already in this team")
	}
	token, _, err := auth.NewInvitationToken()
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	expires := now.Add(auth.InvitationTTL)
	decoy := &ent.User{ID: ids.New("usr"), CreatedAt: now, UpdatedAt: now, PspID: p.PSPID, Email: in.Email,
		Name: in.Name, Role: in.Role, InviteExpiresAt: &expires}
	if in.MerchantID != "" {
		decoy.MerchantID = &in.MerchantID
	}
	return decoy, s.PublicURL + "/set-password?token=" + token, nil
}

func (s *Invitations) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
