package auth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/clientaddr"
)

// Limits bound failed attempts at /auth/login and /auth/set-password within a
// sliding window. Successful attempts do not count. Nothing ever locks an account:
// the owner, from an address of their own, can always log in.
type Limits struct {
	// PerIP failures of one client address (any accounts) → 429.
	PerIP int
	// PerAccount failures of one account from one client address → 429 for that pair.
	PerAccount int
	// SlowAfter failures of one account from anywhere, each further attempt at that
	// account waits (250 ms, doubling, at most MaxDelay) before its password is checked.
	SlowAfter int
	MaxDelay  time.Duration
	Window    time.Duration
	// Store, when set, answers where the named limiter keeps its counts (shared by
	// every instance on PostgreSQL: internal/limits); unset, in this process.
	Store func(name string) httprate.Option
}

// DefaultLimits: 30 failures per address, 10 per account and address in 15 minutes;
// an account slows down after 5 failures, by at most 2 s.
var DefaultLimits = Limits{PerIP: 30, PerAccount: 10, SlowAfter: 5, MaxDelay: 2 * time.Second, Window: 15 * time.Minute}

// HTTP serves /auth/*: login, logout, who am I, and setting a password from an
// invitation. Handlers translate and delegate to the Authenticator.
type HTTP struct {
	auth         *Authenticator
	secureCookie bool
	log          *slog.Logger
	limits       Limits
	// Failures by client address, by account × address, and by account (slowdown only).
	ip, pair, account *failures
}

// NewHTTP builds the /auth handlers. secureCookie marks the session cookie Secure
// (the server is reached over https).
func NewHTTP(a *Authenticator, limits Limits, secureCookie bool, log *slog.Logger) *HTTP {
	if log == nil {
		log = slog.Default()
	}
	return &HTTP{auth: a, secureCookie: secureCookie, log: log, limits: limits,
		ip: newFailures(limits, "login-ip", limits.PerIP), pair: newFailures(limits, "login-account-ip", limits.PerAccount),
		account: newFailures(limits, "login-account", max(limits.SlowAfter, 1))}
}

// Routes mounts the handlers.
func (h *HTTP) Routes(r chi.Router) {
	r.Post("/auth/login", h.login)
	r.Post("/auth/logout", h.logout)
	r.Get("/auth/me", h.me)
	r.Post("/auth/set-password", h.setPassword)
}

// UserJSON is how /auth answers a user.
type UserJSON struct {
	ID         string  `json:"id"`
	Email      string  `json:"email"`
	Name       string  `json:"name"`
	Role       string  `json:"role"`
	MerchantID *string `json:"merchantId"`
	PSPID      string  `json:"pspId"`
	// MFAEnabled: the user signs in with a second factor; MFAEnrolmentRequired: the
	// PSP or merchant requires one the user does not have yet (they may only enrol).
	MFAEnabled           bool `json:"mfaEnabled"`
	MFAEnrolmentRequired bool `json:"mfaEnrolmentRequired"`
}

func userJSON(u *ent.User) UserJSON {
	return UserJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), MerchantID: u.MerchantID, PSPID: u.PspID,
		MFAEnabled: u.MfaEnabledAt != nil}
}

type sessionJSON struct {
	Token string   `json:"token"`
	User  UserJSON `json:"user"`
}

func (h *HTTP) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Email, Password, Otp string }
	if !h.readJSON(w, r, &in) {
		return
	}
	ipKey, accountKey := clientaddr.From(r).String(), NormalizeEmail(in.Email)
	pairKey := accountKey + "\x00" + ipKey
	if h.refuseIfLimited(w, ipKey, pairKey) {
		return
	}
	if d := slowdown(h.account.count(accountKey), h.limits.SlowAfter, h.limits.MaxDelay); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	u, token, exp, err := h.auth.LoginWith(r.Context(), Credentials{Email: in.Email, Password: in.Password, OTP: in.Otp,
		Device: r.UserAgent()})
	switch {
	case errors.Is(err, ErrBadLogin), errors.Is(err, ErrMFARequired), errors.Is(err, ErrInvalidOTP):
		// A missing or wrong second factor counts like a wrong password: the code is
		// guessed only as fast as passwords are.
		h.ip.fail(ipKey)
		h.pair.fail(pairKey)
		h.account.fail(accountKey)
		h.log.WarnContext(r.Context(), "login failed", "email", accountKey, "ip", ipKey)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": err.Error()})
		return
	case errors.Is(err, ErrBusy), errors.Is(err, context.DeadlineExceeded):
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": ErrBusy.Error()})
		return
	case err != nil:
		h.internal(w, r, err)
		return
	}
	h.setCookie(w, r, token, exp)
	h.log.InfoContext(r.Context(), "login", "user", u.ID)
	writeJSON(w, http.StatusOK, sessionJSON{Token: token, User: userJSON(u)})
}

func (h *HTTP) logout(w http.ResponseWriter, r *http.Request) {
	ctx, err := h.auth.Authenticate(r)
	if errors.Is(err, ErrCrossSite) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": err.Error()})
		return
	}
	if p := From(ctx); err == nil && p != nil && p.Kind == KindUser {
		if err := h.auth.Logout(r.Context(), p.ID); err != nil {
			h.internal(w, r, err)
			return
		}
	}
	h.setCookie(w, r, "", time.Unix(0, 0))
	w.WriteHeader(http.StatusNoContent)
}

func (h *HTTP) me(w http.ResponseWriter, r *http.Request) {
	token := ""
	if c, err := r.Cookie(CookieName); err == nil {
		token = c.Value
	}
	if scheme, t, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(t) // an API key is no session: it fails below
	}
	if token == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "not logged in"})
		return
	}
	p, u, err := h.auth.SessionPrincipal(r.Context(), token)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "not logged in"})
		return
	}
	out := userJSON(u)
	out.MFAEnrolmentRequired = p.MFAEnrolmentRequired
	writeJSON(w, http.StatusOK, out)
}

func (h *HTTP) setPassword(w http.ResponseWriter, r *http.Request) {
	var in struct{ Token, Password string }
	if !h.readJSON(w, r, &in) {
		return
	}
	ipKey := clientaddr.From(r).String()
	if h.refuseIfLimited(w, ipKey, "") {
		return
	}
	u, token, exp, err := h.auth.AcceptInvitation(r.Context(), in.Token, in.Password, r.UserAgent())
	switch {
	case errors.Is(err, ErrPasswordTooShort), errors.Is(err, ErrPasswordTooLong):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	case errors.Is(err, ErrInvitationInvalid):
		h.ip.fail(ipKey)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	case err != nil:
		h.internal(w, r, err)
		return
	}
	h.setCookie(w, r, token, exp)
	h.log.InfoContext(r.Context(), "invitation accepted", "user", u.ID)
	writeJSON(w, http.StatusOK, sessionJSON{Token: token, User: userJSON(u)})
}

// readJSON decodes a small JSON body from a same-origin request.
func (h *HTTP) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if !SameOriginIntent(r) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": ErrCrossSite.Error()})
		return false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body must be a JSON object"})
		return false
	}
	return true
}

func (h *HTTP) refuseIfLimited(w http.ResponseWriter, ipKey, pairKey string) bool {
	wait, limited := h.ip.limited(ipKey)
	if !limited && pairKey != "" {
		wait, limited = h.pair.limited(pairKey)
	}
	if !limited {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many failed attempts; try again later"})
	return true
}

func (h *HTTP) setCookie(w http.ResponseWriter, r *http.Request, token string, exp time.Time) {
	c := &http.Cookie{Name: CookieName, Value: token, Path: "/", Expires: exp, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secureCookie || r.TLS != nil}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

func (h *HTTP) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "auth request failed", "path", r.URL.Path, "err", err)
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// failures counts failed attempts per key in httprate's sliding window.
type failures struct {
	limit  int
	window time.Duration
	rl     *httprate.RateLimiter
}

func newFailures(l Limits, name string, limit int) *failures {
	var opts []httprate.Option
	if l.Store != nil {
		opts = append(opts, l.Store(name))
	}
	return &failures{limit: limit, window: l.Window, rl: httprate.NewRateLimiter(limit, l.Window, opts...)}
}

// limited tells whether the key has used up its failures, and how long to wait.
func (f *failures) limited(key string) (time.Duration, bool) {
	_, rate, err := f.rl.Status(key)
	if err != nil || rate < float64(f.limit) {
		return 0, false
	}
	return f.window, true
}

// count is the key's failures in the window (httprate's sliding estimate).
func (f *failures) count(key string) int {
	_, rate, err := f.rl.Status(key)
	if err != nil {
		return 0
	}
	return int(rate)
}

func (f *failures) fail(key string) {
	_ = f.rl.Counter().IncrementBy(key, time.Now().UTC().Truncate(f.window), 1)
}
