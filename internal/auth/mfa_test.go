package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/clientaddr"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/secrets"
	"github.com/pspbackoffice/backoffice/internal/tenant/tenanttest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// mfaWorld is the tenant test world behind the real /auth handlers, with a clock the
// test moves and the audit hook's actions collected.
type mfaWorld struct {
	t     *testing.T
	d     *db.DB
	w     *tenanttest.World
	a     *auth.Authenticator
	url   string
	mu    sync.Mutex
	now   time.Time
	audit []string
}

func newMFAWorld(t *testing.T, d *db.DB) *mfaWorld {
	const secret = "a server secret of thirty-two bytes or more"
	box, err := secrets.NewBox(secret)
	if err != nil {
		t.Fatal(err)
	}
	// At a step boundary near the real time: the JWT library checks issue times against it.
	m := &mfaWorld{t: t, d: d, now: time.Now().Truncate(30 * time.Second)}
	m.w = tenanttest.Build(t, d.Ent, auth.NewKeyHasher([]byte("pepper")), auth.EnvTest)
	m.a = auth.NewAuthenticator(auth.AuthenticatorConfig{Client: d.Ent, Sessions: auth.NewSessions(secrets.Derive(secret, "jwt")),
		Keys: auth.NewKeyHasher([]byte("pepper")), Env: auth.EnvTest, Now: m.clock, Box: box,
		RecoveryPepper: secrets.Derive(secret, "mfa-recovery"),
		Audit: func(_ context.Context, action string, u *ent.User) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.audit = append(m.audit, action+" "+u.Email)
		}})
	t.Cleanup(m.a.Close)
	r := chi.NewRouter()
	r.Use(clientaddr.Middleware(nil))
	auth.NewHTTP(m.a, auth.DefaultLimits, false, nil).Routes(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	m.url = srv.URL
	return m
}

func (m *mfaWorld) clock() time.Time { m.mu.Lock(); defer m.mu.Unlock(); return m.now }
func (m *mfaWorld) advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
}

// login posts /auth/login and answers the status, the error or the token.
func (m *mfaWorld) login(email, otp, device string) (int, string) {
	m.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": tenanttest.Password, "otp": otp})
	req, _ := http.NewRequest("POST", m.url+"/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", device)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token, Error string }
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, out.Token
	}
	return resp.StatusCode, out.Error
}

// as is the context of a request with a login token.
func (m *mfaWorld) as(token string) (context.Context, error) {
	p, _, err := m.a.SessionPrincipal(context.Background(), token)
	if err != nil {
		return nil, err
	}
	return auth.With(context.Background(), p), nil
}

func (m *mfaWorld) mustAs(token string) context.Context {
	m.t.Helper()
	ctx, err := m.as(token)
	if err != nil {
		m.t.Fatalf("a fresh token is refused: %v", err)
	}
	return ctx
}

// enrol turns MFA on for the user of token and answers the secret and recovery codes.
func (m *mfaWorld) enrol(token string) ([]byte, []string) {
	m.t.Helper()
	ctx := m.mustAs(token)
	secret, uri, err := m.a.StartMFAEnrolment(ctx)
	if err != nil || len(uri) < 20 {
		m.t.Fatalf("start: %q %v", uri, err)
	}
	raw, err := auth.DecodeTOTPSecret(secret)
	if err != nil {
		m.t.Fatal(err)
	}
	codes, err := m.a.ConfirmMFAEnrolment(ctx, auth.TOTPCode(raw, m.clock()))
	if err != nil {
		m.t.Fatalf("confirm: %v", err)
	}
	return raw, codes
}

func refusalCode(err error) string {
	if r, ok := domain.AsRefusal(err); ok && len(r.Problems) > 0 {
		return r.Problems[0].Code
	}
	return ""
}

// TestMFALogin: with MFA on, a right password alone is mfa_required, a wrong code
// invalid_otp; codes of the previous and next step work, older ones and every used
// code do not; a recovery code works once and is audited.
func TestMFALogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		m := newMFAWorld(t, d)
		email := m.w.Actors["staffA"].Email
		_, tok := m.login(email, "", "phone")
		ctx := m.mustAs(tok)
		// Confirming needs a started enrolment and a right code; a wrong one changes nothing.
		if _, err := m.a.ConfirmMFAEnrolment(ctx, "123456"); refusalCode(err) != domain.CodeConflict {
			t.Fatalf("confirm without start: %v", err)
		}
		secret, codes := m.enrol(tok)
		if len(codes) != auth.RecoveryCodeCount || len(slices.Compact(slices.Sorted(slices.Values(codes)))) != auth.RecoveryCodeCount {
			t.Fatalf("recovery codes: %v", codes)
		}
		enrolStep := m.clock()

		if s, e := m.login(email, "", "laptop"); s != 401 || e != "mfa_required" {
			t.Errorf("password without a code: %d %s", s, e)
		}
		if s, e := m.login(email, "000000", "laptop"); s != 401 || e != "invalid_otp" {
			t.Errorf("a wrong code: %d %s", s, e)
		}
		if s, e := m.login(email, auth.TOTPCode(secret, enrolStep), "laptop"); s != 401 || e != "invalid_otp" {
			t.Errorf("the code used to confirm, again: %d %s", s, e)
		}
		m.advance(90 * time.Second) // three steps on
		if s, e := m.login(email, auth.TOTPCode(secret, m.clock().Add(-30*time.Second)), "laptop"); s != 200 {
			t.Errorf("the previous step's code: %d %s", s, e)
		}
		if s, e := m.login(email, auth.TOTPCode(secret, m.clock().Add(-30*time.Second)), "laptop"); s != 401 || e != "invalid_otp" {
			t.Errorf("the same code replayed: %d %s", s, e)
		}
		if s, e := m.login(email, auth.TOTPCode(secret, m.clock().Add(30*time.Second)), "laptop"); s != 200 {
			t.Errorf("the next step's code: %d %s", s, e)
		}
		m.advance(5 * time.Minute)
		if s, e := m.login(email, auth.TOTPCode(secret, m.clock().Add(-60*time.Second)), "laptop"); s != 401 || e != "invalid_otp" {
			t.Errorf("a code two steps old: %d %s", s, e)
		}
		if s, e := m.login(email, auth.TOTPCode(secret, m.clock()), "laptop"); s != 200 {
			t.Errorf("the current code: %d %s", s, e)
		}
		if s, e := m.login(email, codes[3], "laptop"); s != 200 {
			t.Errorf("a recovery code: %d %s", s, e)
		}
		if s, e := m.login(email, codes[3], "laptop"); s != 401 || e != "invalid_otp" {
			t.Errorf("a recovery code used twice: %d %s", s, e)
		}
		if !slices.Contains(m.audit, "useRecoveryCode "+email) {
			t.Errorf("the recovery code's use is not audited: %v", m.audit)
		}
		// Regenerating needs a code and retires the old recovery codes.
		m.advance(30 * time.Second)
		fresh, err := m.a.RegenerateRecoveryCodes(ctx, auth.TOTPCode(secret, m.clock()))
		if err != nil || len(fresh) != auth.RecoveryCodeCount {
			t.Fatalf("regenerate: %v %v", fresh, err)
		}
		if s, _ := m.login(email, codes[4], "laptop"); s != 401 {
			t.Errorf("an old recovery code after regenerating: %d", s)
		}
		if s, e := m.login(email, fresh[0], "laptop"); s != 200 {
			t.Errorf("a new recovery code: %d %s", s, e)
		}
		// A user without MFA logs in with the password alone, whatever otp says.
		if s, _ := m.login(m.w.Actors["operatorA"].Email, "", "x"); s != 200 {
			t.Errorf("a user without MFA: %d", s)
		}
	})
}

// TestMFAFailuresAreThrottled: mfa_required and invalid_otp count as failures, so a
// code is guessed no faster than a password.
func TestMFAFailuresAreThrottled(t *testing.T) {
	m := newMFAWorld(t, testdb.SQLite(t))
	email := m.w.Actors["staffA"].Email
	_, tok := m.login(email, "", "phone")
	secret, _ := m.enrol(tok)
	for i := range auth.DefaultLimits.PerAccount {
		otp := "999999"
		if i%2 == 0 {
			otp = ""
		}
		if s, _ := m.login(email, otp, "x"); s != 401 {
			t.Fatalf("attempt %d: %d", i, s)
		}
	}
	m.advance(30 * time.Second)
	if s, _ := m.login(email, auth.TOTPCode(secret, m.clock()), "x"); s != http.StatusTooManyRequests {
		t.Errorf("a right code after %d failed codes: %d, want 429", auth.DefaultLimits.PerAccount, s)
	}
}

// TestSessions: each login is a session the user sees and can end at once; another
// user's session is NOT_FOUND; disabling MFA ends every other session, logout all.
func TestSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		m := newMFAWorld(t, d)
		email := m.w.Actors["adminA1"].Email
		_, phone := m.login(email, "", "Phone/1.0")
		_, laptop := m.login(email, "", "Laptop/2.0")
		_, tablet := m.login(email, "", "Tablet/3.0")
		ctx := m.mustAs(laptop)
		list, err := m.a.UserSessions(ctx)
		if err != nil || len(list) != 3 {
			t.Fatalf("sessions: %+v %v", list, err)
		}
		var phoneID string
		for _, s := range list {
			if s.Device == "Phone/1.0" {
				phoneID = s.ID
			}
			if s.Current != (s.Device == "Laptop/2.0") || s.Address != "127.0.0.1" {
				t.Errorf("session %+v", s)
			}
		}
		if _, err := m.a.RevokeSession(m.mustAs(mustLogin(t, m, m.w.Actors["viewerA1"].Email)), phoneID); refusalCode(err) != domain.CodeNotFound {
			t.Errorf("another user revoking the session: %v", err)
		}
		if _, err := m.as(phone); err != nil {
			t.Fatalf("the phone's session ended by another user's attempt: %v", err)
		}
		if _, err := m.a.RevokeSession(ctx, phoneID); err != nil {
			t.Fatal(err)
		}
		if _, err := m.as(phone); err == nil {
			t.Errorf("a revoked session's token still works")
		}
		if _, err := m.as(tablet); err != nil {
			t.Errorf("revoking one session ended another: %v", err)
		}
		// Disabling MFA ends every session but the one that did it.
		secret, _ := m.enrol(laptop)
		m.advance(30 * time.Second)
		if err := m.a.DisableMFA(ctx, "000000"); refusalCode(err) != domain.CodeValidation {
			t.Fatalf("disable with a wrong code: %v", err)
		}
		if err := m.a.DisableMFA(ctx, auth.TOTPCode(secret, m.clock())); err != nil {
			t.Fatal(err)
		}
		if _, err := m.as(tablet); err == nil {
			t.Errorf("disabling MFA left another session open")
		}
		if _, err := m.as(laptop); err != nil {
			t.Errorf("disabling MFA ended its own session: %v", err)
		}
		if s, _ := m.login(email, "", "Phone/1.0"); s != 200 {
			t.Errorf("login after disabling MFA: %d", s)
		}
		if err := m.a.Logout(context.Background(), m.w.Actors["adminA1"].Principal.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := m.as(laptop); err == nil {
			t.Errorf("logout left a session open")
		}
		// Sessions expire with their token.
		_, tok := m.login(email, "", "x")
		m.advance(auth.SessionTTL)
		if _, err := m.as(tok); err == nil {
			t.Errorf("an expired session works")
		}
	})
}

func mustLogin(t *testing.T, m *mfaWorld, email string) string {
	t.Helper()
	s, tok := m.login(email, "", "x")
	if s != 200 {
		t.Fatalf("login %s: %d %s", email, s, tok)
	}
	return tok
}

// TestMFAPolicy: a PSP requiring MFA of its staff, or a merchant of its users, makes
// those without it enrolling principals until they have enrolled; others are not
// affected. An operator's reset turns MFA off, ends every session and is audited.
func TestMFAPolicy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		m := newMFAWorld(t, d)
		sys := auth.System(context.Background())
		staff, viewer, otherStaff := m.w.Actors["staffA"], m.w.Actors["viewerA1"], m.w.Actors["staffB"]
		if err := d.Ent.PSP.UpdateOneID(staff.Principal.PSPID).SetRequireStaffMfa(true).Exec(sys); err != nil {
			t.Fatal(err)
		}
		enrolling := func(email string) bool {
			t.Helper()
			ctx := m.mustAs(mustLogin(t, m, email))
			return auth.From(ctx).MFAEnrolmentRequired
		}
		if !enrolling(staff.Email) || enrolling(viewer.Email) || enrolling(otherStaff.Email) {
			t.Errorf("PSP policy: staff %v, merchant viewer %v, another PSP's staff %v; want true false false",
				enrolling(staff.Email), enrolling(viewer.Email), enrolling(otherStaff.Email))
		}
		if err := d.Ent.Merchant.UpdateOneID(viewer.Principal.MerchantID).SetRequireMfa(true).Exec(sys); err != nil {
			t.Fatal(err)
		}
		if !enrolling(viewer.Email) || enrolling(m.w.Actors["viewerA2"].Email) {
			t.Errorf("merchant policy: its viewer must enrol, another merchant's not")
		}
		tok := mustLogin(t, m, staff.Email)
		secret, _ := m.enrol(tok)
		if auth.From(m.mustAs(tok)).MFAEnrolmentRequired {
			t.Errorf("still enrolling after enrolment")
		}
		m.advance(30 * time.Second)
		s, tok := m.login(staff.Email, auth.TOTPCode(secret, m.clock()), "x")
		if s != 200 {
			t.Fatalf("login with a code: %d", s)
		}
		u, err := m.a.ResetMFA(sys, staff.Email)
		if err != nil || u.MfaEnabledAt != nil {
			t.Fatalf("reset: %v", err)
		}
		if _, err := m.as(tok); err == nil {
			t.Errorf("a session survived the reset")
		}
		if s, _ := m.login(staff.Email, "", "x"); s != 200 {
			t.Errorf("the password alone after the reset: %d", s)
		}
		if !slices.Contains(m.audit, "resetMfa "+staff.Email) {
			t.Errorf("the reset is not audited: %v", m.audit)
		}
	})
}
