package app

import (
	"errors"
	"net/http"

	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// guardSandboxControls admits a request to /sandbox/<provider>/_sandbox/* for a
// PSP_ADMIN only, with the API's own credential rules (Bearer login token, or the
// session cookie under the same cross-site rule), and answers the admin's PSP: the
// controls then see and change that PSP's sandbox accounts alone. The shopper-facing
// payment pages and the provider APIs are not behind it.
func (a *App) guardSandboxControls(w http.ResponseWriter, r *http.Request) (string, bool) {
	ctx, err := a.Auth.Authenticate(r)
	switch {
	case errors.Is(err, auth.ErrCrossSite):
		sandboxkit.WriteJSON(w, http.StatusForbidden, map[string]string{"error": err.Error()})
		return "", false
	case err != nil:
		sandboxkit.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": err.Error()})
		return "", false
	}
	p := auth.From(ctx)
	if p == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="backoffice"`)
		sandboxkit.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "the sandbox controls need a PSP_ADMIN login"})
		return "", false
	}
	if p.Kind != auth.KindUser || p.Role != domain.RolePSPAdmin || p.MFAEnrolmentRequired {
		sandboxkit.WriteJSON(w, http.StatusForbidden, map[string]string{"error": "the sandbox controls are for PSP_ADMIN users only"})
		return "", false
	}
	return p.PSPID, true
}
