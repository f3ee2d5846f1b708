package app

import (
	"strings"

	"github.com/pspbackoffice/backoffice/internal/auth"
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
	})
	// Failed logins count across instances on PostgreSQL (internal/limits).
	limits := auth.DefaultLimits
	limits.Store = sharedlimits.New(a.DB).Option
	routes := auth.NewHTTP(a.Auth, limits, strings.HasPrefix(a.Config.PublicURL, "https://"), a.Logger)
	a.mounts = append(a.mounts, routes.Routes)
}
