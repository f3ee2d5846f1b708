package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/loginsession"
	"github.com/pspbackoffice/backoffice/ent/merchant"
	"github.com/pspbackoffice/backoffice/ent/mfarecoverycode"
	"github.com/pspbackoffice/backoffice/ent/psp"
	"github.com/pspbackoffice/backoffice/ent/user"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/secrets"
)

// Two-factor sign-in (README "Two-factor sign-in and sessions"):
//   - A user enrols with startMfaEnrollment (a new TOTP secret, sealed with
//     internal/secrets like provider credentials, kept as pending) and turns it on with
//     confirmMfaEnrollment and a code from the app, which answers ten recovery codes
//     once; only their HMACs are stored.
//   - Every code works once: a TOTP code's time step must be after the last accepted
//     one (users.mfa_last_step, moved forward by a conditional update, so two requests
//     cannot both use it), a recovery code is marked used by a conditional update.
//   - The rows are read and written as the system, always for the acting user's own
//     id: the tenant rules let merchant viewers and operators change no user row, yet
//     every user manages their own second factor and sessions.
//   - A PSP (requireStaffMfa) or a merchant (requireMfa) may require it: its users
//     without it act as enrolling principals, who may only enrol (graph's @auth).

// RecoveryCodeCount is how many recovery codes a user gets at once.
const RecoveryCodeCount = 10

// maxCodeLength bounds a presented code before any work (a recovery code is 11
// characters with its dash).
const maxCodeLength = 32

type mfaConfig struct {
	box    *secrets.Box
	pepper []byte
	audit  func(ctx context.Context, action string, u *ent.User)
}

// SessionInfo is one open login session as its user sees it.
type SessionInfo struct {
	ID         string
	Device     string
	Address    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Current: the session of the request that asks.
	Current bool
}

func badCode(msg string) error {
	return domain.Refuse(domain.CodeValidation, domain.Field("code"), msg)
}

// me is the acting user's row: only a logged-in user has a second factor.
func (a *Authenticator) me(ctx context.Context) (*Principal, *ent.User, error) {
	p := From(ctx)
	if p == nil || p.Kind != KindUser {
		return nil, nil, domain.Refuse(domain.CodeForbidden, nil, "only a logged-in user has two-factor sign-in and sessions")
	}
	u, err := a.client.User.Get(System(ctx), p.ID)
	return p, u, err
}

// mustEnrol tells whether u has no second factor although its PSP (for staff) or
// merchant (for merchant users) requires one.
func (a *Authenticator) mustEnrol(sys context.Context, u *ent.User) (bool, error) {
	if u.MfaEnabledAt != nil {
		return false, nil
	}
	if u.MerchantID == nil {
		return a.client.PSP.Query().Where(psp.ID(u.PspID)).Select(psp.FieldRequireStaffMfa).Bool(sys)
	}
	return a.client.Merchant.Query().Where(merchant.ID(*u.MerchantID)).Select(merchant.FieldRequireMfa).Bool(sys)
}

// StartMFAEnrolment makes a new TOTP secret for the acting user and keeps it sealed
// as pending until ConfirmMFAEnrolment; starting again replaces it. It answers the
// secret (base32) and the otpauth:// URI for a QR code.
func (a *Authenticator) StartMFAEnrolment(ctx context.Context) (secret, uri string, err error) {
	_, u, err := a.me(ctx)
	if err != nil {
		return "", "", err
	}
	if u.MfaEnabledAt != nil {
		return "", "", domain.Refuse(domain.CodeConflict, nil, "two-factor sign-in is already on: disable it first to enrol another device")
	}
	raw, err := newTOTPSecret()
	if err != nil {
		return "", "", err
	}
	sealed, err := a.mfa.box.Seal(raw)
	if err != nil {
		return "", "", err
	}
	issuer := "PSP Backoffice"
	if name, err := a.client.PSP.Query().Where(psp.ID(u.PspID)).Select(psp.FieldName).String(System(ctx)); err == nil && name != "" {
		issuer = name
	}
	if err := a.client.User.UpdateOne(u).SetMfaPendingEnc(sealed).Exec(System(ctx)); err != nil {
		return "", "", err
	}
	return EncodeTOTPSecret(raw), otpauthURI(issuer, u.Email, raw), nil
}

// ConfirmMFAEnrolment turns two-factor sign-in on with a code of the pending secret
// and answers ten new recovery codes (shown this once).
func (a *Authenticator) ConfirmMFAEnrolment(ctx context.Context, code string) ([]string, error) {
	_, u, err := a.me(ctx)
	if err != nil {
		return nil, err
	}
	if u.MfaEnabledAt != nil {
		return nil, domain.Refuse(domain.CodeConflict, nil, "two-factor sign-in is already on")
	}
	if len(bytesOf(u.MfaPendingEnc)) == 0 {
		return nil, domain.Refuse(domain.CodeConflict, nil, "start the enrolment first (startMfaEnrollment)")
	}
	code = normalizeCode(code)
	if len(code) != totpDigits {
		return nil, badCode("the code is the 6 digits your authenticator app shows")
	}
	raw, err := a.mfa.box.Open(*u.MfaPendingEnc)
	if err != nil {
		return nil, err
	}
	now := a.now()
	step := matchTOTP(raw, code, now, 0)
	if step == 0 {
		return nil, badCode("the code does not match: check the phone's clock and type the current code")
	}
	codes, hashes, err := a.newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	err = a.inTx(ctx, func(tx *ent.Client, sys context.Context) error {
		n, err := tx.User.Update().Where(user.ID(u.ID), user.MfaEnabledAtIsNil()).
			SetMfaSecretEnc(*u.MfaPendingEnc).ClearMfaPendingEnc().SetMfaEnabledAt(now).SetMfaLastStep(step).Save(sys)
		if err != nil {
			return err
		}
		if n != 1 {
			return domain.Refuse(domain.CodeConflict, nil, "two-factor sign-in is already on")
		}
		return a.replaceRecoveryCodes(sys, tx, u, hashes)
	})
	return codes, err
}

// DisableMFA turns two-factor sign-in off with a current code (or a recovery code)
// and ends the user's other sessions.
func (a *Authenticator) DisableMFA(ctx context.Context, code string) error {
	p, u, err := a.me(ctx)
	if err != nil {
		return err
	}
	if u.MfaEnabledAt == nil {
		return domain.Refuse(domain.CodeConflict, nil, "two-factor sign-in is not on")
	}
	if _, err := a.useFactor(System(ctx), u, code, a.now()); err != nil {
		return badCode("the code does not match, or was used already")
	}
	if err := a.clearMFA(ctx, u.ID); err != nil {
		return err
	}
	return a.revokeSessions(ctx, u.ID, p.SessionID)
}

// RegenerateRecoveryCodes replaces the user's recovery codes (a current code or a
// recovery code proves it is them) and answers the new ones.
func (a *Authenticator) RegenerateRecoveryCodes(ctx context.Context, code string) ([]string, error) {
	_, u, err := a.me(ctx)
	if err != nil {
		return nil, err
	}
	if u.MfaEnabledAt == nil {
		return nil, domain.Refuse(domain.CodeConflict, nil, "two-factor sign-in is not on")
	}
	if _, err := a.useFactor(System(ctx), u, code, a.now()); err != nil {
		return nil, badCode("the code does not match, or was used already")
	}
	codes, hashes, err := a.newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	return codes, a.inTx(ctx, func(tx *ent.Client, sys context.Context) error {
		return a.replaceRecoveryCodes(sys, tx, u, hashes)
	})
}

// ResetMFA is the operator's way out for a user who lost both the device and the
// recovery codes (`backoffice reset-mfa`): two-factor sign-in off, every session
// ended. Audited as "resetMfa" by the context's principal.
func (a *Authenticator) ResetMFA(ctx context.Context, email string) (*ent.User, error) {
	sys := System(ctx)
	u, err := a.client.User.Query().Where(user.EmailEqualFold(NormalizeEmail(email))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, errors.New("no user has this email")
	}
	if err != nil {
		return nil, err
	}
	if err := a.clearMFA(ctx, u.ID); err != nil {
		return nil, err
	}
	if err := a.client.User.UpdateOneID(u.ID).AddTokenVersion(1).Exec(sys); err != nil {
		return nil, err
	}
	if err := a.revokeSessions(ctx, u.ID, ""); err != nil {
		return nil, err
	}
	a.mfa.audit(ctx, "resetMfa", u)
	return a.client.User.Get(sys, u.ID)
}

// MFAEnabled tells whether the acting user signs in with a second factor.
func (a *Authenticator) MFAEnabled(ctx context.Context) (bool, error) {
	_, u, err := a.me(ctx)
	if err != nil {
		return false, err
	}
	return u.MfaEnabledAt != nil, nil
}

func (a *Authenticator) clearMFA(ctx context.Context, userID string) error {
	return a.inTx(ctx, func(tx *ent.Client, sys context.Context) error {
		if err := tx.User.UpdateOneID(userID).ClearMfaSecretEnc().ClearMfaPendingEnc().ClearMfaEnabledAt().
			SetMfaLastStep(0).Exec(sys); err != nil {
			return err
		}
		_, err := tx.MfaRecoveryCode.Delete().Where(mfarecoverycode.UserID(userID)).Exec(sys)
		return err
	})
}

// useFactor checks a code for u and uses it up: six digits are a TOTP code, anything
// else a recovery code. It answers whether a recovery code was used; ErrInvalidOTP
// when nothing matched or the code was used before.
func (a *Authenticator) useFactor(sys context.Context, u *ent.User, code string, now time.Time) (recovery bool, err error) {
	if len(code) > maxCodeLength || len(bytesOf(u.MfaSecretEnc)) == 0 {
		return false, ErrInvalidOTP
	}
	code = normalizeCode(code)
	if len(code) == totpDigits {
		raw, err := a.mfa.box.Open(*u.MfaSecretEnc)
		if err != nil {
			return false, err
		}
		step := matchTOTP(raw, code, now, u.MfaLastStep)
		if step == 0 {
			return false, ErrInvalidOTP
		}
		// Only one request moves the step past it: a replay racing the first use fails.
		n, err := a.client.User.Update().Where(user.ID(u.ID), user.MfaLastStepLT(step)).SetMfaLastStep(step).Save(sys)
		if err != nil {
			return false, err
		}
		if n != 1 {
			return false, ErrInvalidOTP
		}
		return false, nil
	}
	n, err := a.client.MfaRecoveryCode.Update().Where(mfarecoverycode.UserID(u.ID),
		mfarecoverycode.CodeHash(a.recoveryHash(code)), mfarecoverycode.UsedAtIsNil()).SetUsedAt(now).Save(sys)
	if err != nil {
		return false, err
	}
	if n != 1 {
		return false, ErrInvalidOTP
	}
	return true, nil
}

// bytesOf reads a nullable bytes column (a NULL may scan as an empty value).
func bytesOf(b *[]byte) []byte {
	if b == nil {
		return nil
	}
	return *b
}

// normalizeCode drops what people type around a code: spaces and dashes, case.
func normalizeCode(code string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
}

// recoveryAlphabet has no look-alikes (no 0/o, 1/l/i).
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// newRecoveryCodes makes RecoveryCodeCount codes of 10 characters (about 49 bits
// each), shown as xxxxx-xxxxx, and their stored HMACs.
func (a *Authenticator) newRecoveryCodes() ([]string, [][]byte, error) {
	codes := make([]string, RecoveryCodeCount)
	hashes := make([][]byte, RecoveryCodeCount)
	buf := make([]byte, 10)
	for i := range codes {
		if _, err := rand.Read(buf); err != nil {
			return nil, nil, err
		}
		var b strings.Builder
		for j, c := range buf {
			if j == 5 {
				b.WriteByte('-')
			}
			// 256 % 31 = 8: the first 8 letters are a little likelier, which costs
			// well under a bit of the code's ~49.
			b.WriteByte(recoveryAlphabet[int(c)%len(recoveryAlphabet)])
		}
		codes[i] = b.String()
		hashes[i] = a.recoveryHash(normalizeCode(codes[i]))
	}
	return codes, hashes, nil
}

func (a *Authenticator) recoveryHash(code string) []byte {
	m := hmac.New(sha256.New, a.mfa.pepper)
	m.Write([]byte(code))
	return m.Sum(nil)
}

func (a *Authenticator) replaceRecoveryCodes(sys context.Context, tx *ent.Client, u *ent.User, hashes [][]byte) error {
	if _, err := tx.MfaRecoveryCode.Delete().Where(mfarecoverycode.UserID(u.ID)).Exec(sys); err != nil {
		return err
	}
	creates := make([]*ent.MfaRecoveryCodeCreate, len(hashes))
	for i, h := range hashes {
		creates[i] = tx.MfaRecoveryCode.Create().SetUserID(u.ID).SetPspID(u.PspID).SetNillableMerchantID(u.MerchantID).SetCodeHash(h)
	}
	return tx.MfaRecoveryCode.CreateBulk(creates...).Exec(sys)
}

// inTx runs f in a transaction as the system.
func (a *Authenticator) inTx(ctx context.Context, f func(tx *ent.Client, sys context.Context) error) error {
	sys := System(ctx)
	tx, err := a.client.Tx(sys)
	if err != nil {
		return err
	}
	if err := f(tx.Client(), sys); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Sessions lists the acting user's open sessions, the latest first.
func (a *Authenticator) UserSessions(ctx context.Context) ([]*SessionInfo, error) {
	p := From(ctx)
	if p == nil || p.Kind != KindUser {
		return []*SessionInfo{}, nil
	}
	rows, err := a.client.LoginSession.Query().Where(loginsession.UserID(p.ID), loginsession.RevokedAtIsNil(),
		loginsession.ExpiresAtGT(a.now())).Order(ent.Desc(loginsession.FieldLastSeenAt)).Limit(100).All(System(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]*SessionInfo, len(rows))
	for i, s := range rows {
		out[i] = sessionInfo(s, p.SessionID)
	}
	return out, nil
}

func sessionInfo(s *ent.LoginSession, current string) *SessionInfo {
	return &SessionInfo{ID: s.ID, Device: s.Device, Address: s.Address, CreatedAt: s.CreatedAt,
		LastSeenAt: s.LastSeenAt, Current: s.ID == current}
}

// RevokeSession ends one of the acting user's sessions at once; another user's is
// NOT_FOUND like an unknown id.
func (a *Authenticator) RevokeSession(ctx context.Context, id string) (*SessionInfo, error) {
	p := From(ctx)
	notFound := domain.Refuse(domain.CodeNotFound, domain.Field("sessionId"), "no such session")
	if p == nil || p.Kind != KindUser || len(id) > 64 {
		return nil, notFound
	}
	sys := System(ctx)
	now := a.now()
	n, err := a.client.LoginSession.Update().Where(loginsession.ID(id), loginsession.UserID(p.ID),
		loginsession.RevokedAtIsNil(), loginsession.ExpiresAtGT(now)).SetRevokedAt(now).Save(sys)
	if err != nil {
		return nil, err
	}
	if n != 1 {
		return nil, notFound
	}
	s, err := a.client.LoginSession.Get(sys, id)
	if err != nil {
		return nil, err
	}
	return sessionInfo(s, p.SessionID), nil
}

// revokeSessions ends every open session of a user but keep (the one asking).
func (a *Authenticator) revokeSessions(ctx context.Context, userID, keep string) error {
	q := a.client.LoginSession.Update().Where(loginsession.UserID(userID), loginsession.RevokedAtIsNil())
	if keep != "" {
		q.Where(loginsession.IDNEQ(keep))
	}
	return q.SetRevokedAt(a.now()).Exec(System(ctx))
}
