package app

import (
	"context"
	"net/http"
	"strings"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/internal/audit"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	sharedlimits "github.com/pspbackoffice/backoffice/internal/limits"
	"github.com/pspbackoffice/backoffice/internal/secrets"
)

// assembleAuth builds the authenticator and mounts /auth/*. Keys are made and
// accepted for the server's mode: pk_test_… in sandbox mode, pk_live_… in live mode.
// The JWT key and the API key pepper are derived from BACKOFFICE_SECRET.
func (a *App) assembleAuth() {
	env := auth.EnvTest
	if a.Config.ProvidersMode == "live" {
		env = auth.EnvLive
	}
	a.Auth = auth.NewAuthenticator(auth.AuthenticatorConfig{
		Client:   a.DB.Ent,
		Sessions: auth.NewSessions(secrets.Derive(a.Config.Secret, "jwt")),
		Keys:     auth.NewKeyHasher(secrets.Derive(a.Config.Secret, "api-key-pepper")),
		Env:      env,
		Logger:   a.Logger,
		// Two-factor sign-in: TOTP secrets sealed like provider credentials, recovery
		// codes stored as HMACs under a key of their own.
		Box:            a.Box,
		RecoveryPepper: secrets.Derive(a.Config.Secret, "mfa-recovery"),
		Audit:          a.auditAuth,
	})
	// Failed logins count across instances on PostgreSQL (internal/limits).
	limits := auth.DefaultLimits
	limits.Store = sharedlimits.New(a.DB).Option
	routes := auth.NewHTTP(a.Auth, limits, strings.HasPrefix(a.Config.PublicURL, "https://"), a.Logger)
	a.mounts = append(a.mounts, routes.Routes)
}

// authenticate is the Authenticator's check, and starts the request's read routing
// for its principal (internal/db/replica.go: read your own writes).
func (a *App) authenticate(r *http.Request) (context.Context, error) {
	ctx, err := a.Auth.Authenticate(r)
	if err != nil {
		return ctx, err
	}
	return db.Track(ctx, auth.From(ctx).Key()), nil
}

// auditAuth writes the trail of what happens outside a mutation (a recovery code used
// to log in, an operator's MFA reset): the context's principal acts, or the user
// itself when nobody is logged in yet.
func (a *App) auditAuth(ctx context.Context, action string, u *ent.User) {
	if auth.From(ctx) == nil {
		p, err := auth.UserPrincipal(u)
		if err != nil {
			return
		}
		ctx = auth.With(ctx, p)
	}
	rec := &audit.Recorder{Client: a.DB.Ent, Logger: a.Logger}
	rec.Record(ctx, audit.Event{Action: action, Result: u})
}
