package auth

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/apikey"
	"github.com/pspbackoffice/backoffice/ent/loginsession"
	"github.com/pspbackoffice/backoffice/ent/user"
	"github.com/pspbackoffice/backoffice/internal/clientaddr"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/secrets"
)

// CookieName is the session cookie (HttpOnly, SameSite=Lax) holding a login token.
const CookieName = "backoffice_session"

// Authenticator turns credentials into principals: login tokens (Bearer or the
// session cookie) into users, API keys into keys. Every request reads the user or
// key row again, so revocation, expiry, logout and role changes take effect at once.
type Authenticator struct {
	client   *ent.Client
	sessions *Sessions
	keys     *KeyHasher
	env      string
	log      *slog.Logger
	usage    *keyUsage
	seen     *keyUsage
	gate     *hashGate
	now      func() time.Time
	mfa      mfaConfig
}

// AuthenticatorConfig is what an Authenticator is built from.
type AuthenticatorConfig struct {
	Client   *ent.Client
	Sessions *Sessions
	Keys     *KeyHasher
	// Env is the environment keys must belong to: EnvTest in sandbox mode, EnvLive in live.
	Env    string
	Logger *slog.Logger
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
	// Box seals TOTP secrets at rest (like provider credentials); RecoveryPepper keys
	// the HMAC recovery codes are stored as (secrets.Derive(secret, "mfa-recovery")).
	Box            *secrets.Box
	RecoveryPepper []byte
	// Audit records what happens outside a mutation: a recovery code used to log in,
	// an operator's reset. The context's principal acts (or the user when it has none).
	Audit func(ctx context.Context, action string, u *ent.User)
}

// NewAuthenticator builds an Authenticator.
func NewAuthenticator(c AuthenticatorConfig) *Authenticator {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Audit == nil {
		c.Audit = func(context.Context, string, *ent.User) {}
	}
	return &Authenticator{client: c.Client, sessions: c.Sessions, keys: c.Keys, env: c.Env, log: c.Logger, now: c.Now,
		gate: newHashGate(loginQueueKnown, loginQueueUnknown, loginWaitKnown, loginWaitUnknown),
		usage: &keyUsage{every: time.Minute, last: map[string]time.Time{}, log: c.Logger,
			write: func(ctx context.Context, id string, at time.Time) error {
				return c.Client.APIKey.UpdateOneID(id).SetLastUsedAt(at).Exec(ctx)
			}},
		seen: &keyUsage{every: time.Minute, last: map[string]time.Time{}, log: c.Logger,
			write: func(ctx context.Context, id string, at time.Time) error {
				return c.Client.LoginSession.UpdateOneID(id).SetLastSeenAt(at).Exec(ctx)
			}},
		mfa: mfaConfig{box: c.Box, pepper: c.RecoveryPepper, audit: c.Audit}}
}

// Env is the environment of the keys this server accepts and makes.
func (a *Authenticator) Env() string { return a.env }

// Keys is the hasher of API key secrets.
func (a *Authenticator) Keys() *KeyHasher { return a.keys }

// Close waits for pending last-use writes.
func (a *Authenticator) Close() { a.usage.wait(); a.seen.wait() }

// Authenticate reads a request's credentials: Authorization: Bearer (login token or
// API key) first, else the session cookie. No credentials leave the context
// anonymous; bad ones are an error. A cookie on an unsafe method counts only with
// X-Requested-With: backoffice or a JSON content type, which a cross-site form cannot
// send.
func (a *Authenticator) Authenticate(r *http.Request) (context.Context, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			return ctx, ErrBadCredentials
		}
		var (
			p   *Principal
			err error
		)
		if LooksLikeAPIKey(token) {
			p, err = a.KeyPrincipal(ctx, token)
		} else {
			p, _, err = a.SessionPrincipal(ctx, token)
		}
		if err != nil {
			return ctx, err
		}
		return With(ctx, p), nil
	}
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return ctx, nil
	}
	if !SameOriginIntent(r) {
		return ctx, ErrCrossSite
	}
	p, _, err := a.SessionPrincipal(ctx, c.Value)
	if err != nil {
		return ctx, err
	}
	return With(ctx, p), nil
}

// SameOriginIntent tells whether a request could not have been a cross-site form
// post: safe methods, the X-Requested-With: backoffice header, or a JSON body.
func SameOriginIntent(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if r.Header.Get("X-Requested-With") == "backoffice" {
		return true
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// SessionPrincipal checks a login token and answers its user as a principal. The
// token's session must still be open (not revoked, not expired); its last use is
// recorded in the background, at most once a minute. A user whose PSP or merchant
// requires two-factor sign-in and who has none yet acts as an enrolling principal
// (Principal.MFAEnrolmentRequired).
func (a *Authenticator) SessionPrincipal(ctx context.Context, token string) (*Principal, *ent.User, error) {
	claims, err := a.sessions.Verify(token)
	if err != nil {
		return nil, nil, ErrBadToken
	}
	sys := System(ctx)
	u, err := a.client.User.Get(sys, claims.UserID)
	if ent.IsNotFound(err) {
		return nil, nil, ErrBadToken
	}
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled || u.PasswordHash == "" || u.TokenVersion != claims.Version {
		return nil, nil, ErrBadToken
	}
	s, err := a.client.LoginSession.Get(sys, claims.SessionID)
	if ent.IsNotFound(err) {
		return nil, nil, ErrBadToken
	}
	if err != nil {
		return nil, nil, err
	}
	now := a.now()
	if s.UserID != u.ID || s.RevokedAt != nil || !now.Before(s.ExpiresAt) {
		return nil, nil, ErrBadToken
	}
	a.seen.touch(s.ID, now)
	p, err := UserPrincipal(u)
	if err != nil {
		return nil, nil, err
	}
	p.SessionID = s.ID
	if p.MFAEnrolmentRequired, err = a.mustEnrol(sys, u); err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

// UserPrincipal is the principal of a user row. A row whose role and merchant do not
// agree (PSP staff with a merchant, a merchant role without one) acts as nobody.
func UserPrincipal(u *ent.User) (*Principal, error) {
	p := &Principal{Kind: KindUser, ID: u.ID, Label: u.Email, PSPID: u.PspID, Role: u.Role}
	if u.MerchantID != nil {
		p.MerchantID = *u.MerchantID
	}
	if u.Role.IsPSPStaff() != (p.MerchantID == "") {
		return nil, fmt.Errorf("user %s: role %s and merchant disagree: %w", u.ID, u.Role, ErrBadCredentials)
	}
	return p, nil
}

// KeyPrincipal checks an API key and answers it as a principal; its last use is
// recorded in the background, at most once a minute.
func (a *Authenticator) KeyPrincipal(ctx context.Context, token string) (*Principal, error) {
	presented, err := ParseAPIKey(token)
	if err != nil {
		return nil, ErrBadCredentials
	}
	k, err := a.client.APIKey.Query().Where(apikey.Prefix(presented.Prefix)).Only(System(ctx))
	if ent.IsNotFound(err) {
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if !a.keys.Matches(presented, k.SecretHash) {
		return nil, ErrBadCredentials
	}
	now := a.now()
	switch {
	case k.RevokedAt != nil:
		return nil, ErrKeyRevoked
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return nil, ErrKeyExpired
	case presented.Env != k.Environment || k.Environment != a.env:
		return nil, ErrKeyEnvironment
	}
	a.usage.touch(k.ID, now)
	return &Principal{Kind: KindAPIKey, ID: k.ID, Label: k.Name, PSPID: k.PspID, MerchantID: k.MerchantID,
		CompanyID: k.CompanyID, ShopID: k.ShopID, Scopes: k.Scopes}, nil
}

// Login checks an email and password (no second factor) and answers the user with a
// fresh login token.
func (a *Authenticator) Login(ctx context.Context, email, password string) (*ent.User, string, time.Time, error) {
	return a.LoginWith(ctx, Credentials{Email: email, Password: password})
}

// Credentials are one login attempt: the second factor (a TOTP code or a recovery
// code) for accounts that have one, and where the attempt comes from, kept with the
// session.
type Credentials struct {
	Email, Password, OTP string
	Device               string // the User-Agent
}

// LoginWith checks a login attempt and answers the user with a fresh login token and
// session. Unknown emails cost the same time as wrong passwords. The hashing waits
// its turn in the hash gate (throttle.go): ErrBusy when the queue is full. For an
// account with two-factor sign-in a right password without a code is ErrMFARequired,
// with a wrong one ErrInvalidOTP (mfa.go).
func (a *Authenticator) LoginWith(ctx context.Context, c Credentials) (*ent.User, string, time.Time, error) {
	email, password := c.Email, c.Password
	if len(password) > MaxPasswordLength {
		return nil, "", time.Time{}, ErrBadLogin // no account has such a password: nothing to hash
	}
	sys := System(ctx)
	u, err := a.client.User.Query().Where(user.EmailEqualFold(NormalizeEmail(email))).Only(sys)
	if err != nil && !ent.IsNotFound(err) {
		return nil, "", time.Time{}, err
	}
	known := u != nil && u.PasswordHash != "" && !u.Disabled
	addr := "unknown"
	if ca, ok := clientaddr.FromContext(ctx); ok {
		addr = ca.String()
	}
	release, err := a.gate.acquire(ctx, addr, known)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	defer release()
	if !known {
		CheckPassword(dummyHash(), password)
		return nil, "", time.Time{}, ErrBadLogin
	}
	if !CheckPassword(u.PasswordHash, password) {
		return nil, "", time.Time{}, ErrBadLogin
	}
	release() // the hash is done: the code check and the session's writes need not hold the gate
	if _, err := UserPrincipal(u); err != nil {
		return nil, "", time.Time{}, ErrBadLogin
	}
	now := a.now()
	if u.MfaEnabledAt != nil {
		if c.OTP == "" {
			return nil, "", time.Time{}, ErrMFARequired
		}
		recovery, err := a.useFactor(sys, u, c.OTP, now)
		if err != nil {
			return nil, "", time.Time{}, err
		}
		if recovery {
			a.mfa.audit(ctx, "useRecoveryCode", u)
		}
	}
	if err := a.client.User.UpdateOne(u).SetLastLoginAt(now).Exec(sys); err != nil {
		return nil, "", time.Time{}, err
	}
	return a.openSession(ctx, u, c.Device, now)
}

// openSession records a new login session of u and signs its token. The user's
// sessions that ended more than a day ago are forgotten on the way.
func (a *Authenticator) openSession(ctx context.Context, u *ent.User, device string, now time.Time) (*ent.User, string, time.Time, error) {
	sys := System(ctx)
	addr := ""
	if ca, ok := clientaddr.FromContext(ctx); ok {
		addr = ca.String()
	}
	if _, err := a.client.LoginSession.Delete().Where(loginsession.UserID(u.ID),
		loginsession.ExpiresAtLT(now.Add(-24*time.Hour))).Exec(sys); err != nil {
		return nil, "", time.Time{}, err
	}
	s, err := a.client.LoginSession.Create().SetUserID(u.ID).SetPspID(u.PspID).SetNillableMerchantID(u.MerchantID).
		SetDevice(truncate(device, 256)).SetAddress(truncate(addr, 64)).SetLastSeenAt(now).
		SetExpiresAt(now.Add(a.sessions.ttl)).Save(sys)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	tok, exp, err := a.sessions.Issue(u.ID, u.TokenVersion, s.ID, now)
	return u, tok, exp, err
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Logout ends every session of the user: its token version goes up, so every login
// token issued before (cookie or Bearer) stops working.
func (a *Authenticator) Logout(ctx context.Context, userID string) error {
	if err := a.client.User.UpdateOneID(userID).AddTokenVersion(1).Exec(System(ctx)); err != nil {
		return err
	}
	return a.revokeSessions(ctx, userID, "")
}

// AcceptInvitation sets the password of an invited user from the one-time token and
// answers the user with a login token (a session from device, the User-Agent). The
// token works once and until it expires.
// The cheap checks (sizes, then the token) come before the password is hashed, so
// made-up tokens cost no argon2id work.
func (a *Authenticator) AcceptInvitation(ctx context.Context, token, password, device string) (*ent.User, string, time.Time, error) {
	if err := CheckPasswordSize(password); err != nil {
		return nil, "", time.Time{}, err
	}
	if len(token) == 0 || len(token) > 128 {
		return nil, "", time.Time{}, ErrInvitationInvalid
	}
	sys := System(ctx)
	now := a.now()
	u, err := a.client.User.Query().Where(user.InviteTokenHash(InvitationTokenHash(token))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, "", time.Time{}, ErrInvitationInvalid
	}
	if err != nil {
		return nil, "", time.Time{}, err
	}
	if u.Disabled || u.InviteExpiresAt == nil || !now.Before(*u.InviteExpiresAt) {
		return nil, "", time.Time{}, ErrInvitationInvalid
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	// Clear the token in the same statement that checks it is still there: two
	// concurrent uses cannot both succeed.
	n, err := a.client.User.Update().
		Where(user.ID(u.ID), user.InviteTokenHash(InvitationTokenHash(token))).
		SetPasswordHash(hash).ClearInviteTokenHash().ClearInviteExpiresAt().
		AddTokenVersion(1).SetLastLoginAt(now).Save(sys)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	if n != 1 {
		return nil, "", time.Time{}, ErrInvitationInvalid
	}
	u, err = a.client.User.Get(sys, u.ID)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	if err := a.revokeSessions(ctx, u.ID, ""); err != nil { // a new password ends the others
		return nil, "", time.Time{}, err
	}
	return a.openSession(ctx, u, device, now)
}

var (
	dummyOnce sync.Once
	dummy     string
)

// dummyHash is a hash to check against when there is no user, so an unknown email
// takes as long as a wrong password.
func dummyHash() string {
	dummyOnce.Do(func() { dummy, _ = HashPassword("not-a-password-of-anyone") })
	return dummy
}

// keyUsage records when keys were last used without a write per request: at most one
// write per key per interval, off the request path.
type keyUsage struct {
	write func(ctx context.Context, id string, at time.Time) error
	every time.Duration
	log   *slog.Logger
	mu    sync.Mutex
	last  map[string]time.Time
	wg    sync.WaitGroup
}

func (u *keyUsage) touch(id string, now time.Time) {
	u.mu.Lock()
	if t, ok := u.last[id]; ok && now.Sub(t) < u.every {
		u.mu.Unlock()
		return
	}
	u.last[id] = now
	u.mu.Unlock()
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		ctx, cancel := context.WithTimeout(System(context.Background()), 10*time.Second)
		defer cancel()
		if err := u.write(ctx, id, now); err != nil {
			u.log.Warn("recording a last use failed", "id", id, "err", err)
		}
	}()
}

func (u *keyUsage) wait() { u.wg.Wait() }

// RoleAtLeast tells whether a user of role r may grant role g: nobody grants a role
// above their own.
func RoleAtLeast(r, g domain.Role) bool {
	rank := map[domain.Role]int{
		domain.RoleMerchantViewer: 1, domain.RoleMerchantOperator: 2, domain.RoleMerchantAdmin: 3,
		domain.RolePSPOperator: 4, domain.RolePSPAdmin: 5,
	}
	return rank[r] >= rank[g] && rank[g] > 0
}
