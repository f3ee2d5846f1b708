// Package catalog knows the four providers by name: it builds a client for an
// account, and runs the four sandboxes behind one handler (sandbox mode mounts it at
// /sandbox/, tests start it on an httptest server).
//
// The decision a reader would otherwise rediscover: sandbox credentials and webhook
// secrets are derived from the server secret (HMAC), not stored anywhere, so the
// sandboxes can check any PSP's credentials without a table of their own, and every
// PSP's ProviderAccount in sandbox mode holds (encrypted) exactly what its sandbox
// accepts. One webhook secret per provider serves all PSPs in sandbox mode.
package catalog

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/betterpayment"
	"github.com/pspbackoffice/backoffice/internal/providers/billie"
	"github.com/pspbackoffice/backoffice/internal/providers/billwerk"
	"github.com/pspbackoffice/backoffice/internal/providers/paywerk"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// Client builds the client for a provider account.
func Client(p domain.Provider, acct providers.Account, hc *http.Client) (providers.Provider, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	switch p {
	case domain.ProviderBillie:
		return billie.New(acct, billie.WithHTTPClient(hc)), nil
	case domain.ProviderPaywerk:
		return paywerk.New(acct, paywerk.WithHTTPClient(hc)), nil
	case domain.ProviderBillwerk:
		return billwerk.New(acct, billwerk.WithHTTPClient(hc)), nil
	case domain.ProviderBetterPayment:
		return betterpayment.New(acct, betterpayment.WithHTTPClient(hc)), nil
	}
	return nil, fmt.Errorf("unknown provider %q", p)
}

// All lists the providers in display order.
var All = []domain.Provider{domain.ProviderBillie, domain.ProviderPaywerk, domain.ProviderBillwerk, domain.ProviderBetterPayment}

// SandboxConfig is where the sandboxes live and whom they notify.
type SandboxConfig struct {
	BaseURL        string // where Handler is mounted, e.g. http://localhost:8080/sandbox
	WebhookBaseURL string // our webhooks, e.g. http://localhost:8080/webhooks; each provider appends /<slug>
	Secret         string // derives credentials and webhook secrets
	Store          sandboxkit.Store
	Retry          sandboxkit.Retry
	Client         *http.Client // sends notifications
	// GuardControls admits a request to <provider>/_sandbox/* and answers the PSP
	// whose accounts it may see and change, or writes the refusal (401, 403) and
	// answers ok=false. nil leaves the controls closed: every such request is 403.
	GuardControls func(w http.ResponseWriter, r *http.Request) (pspID string, ok bool)
}

// Sandboxes are the four running sandboxes.
type Sandboxes struct {
	cfg       SandboxConfig
	Faults    map[domain.Provider]*sandboxkit.Faults
	Notifiers map[domain.Provider]*sandboxkit.Notifier
	handlers  map[string]http.Handler
}

// NewSandboxes builds the four sandboxes.
func NewSandboxes(cfg SandboxConfig) *Sandboxes {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.WebhookBaseURL = strings.TrimRight(cfg.WebhookBaseURL, "/")
	if cfg.Store == nil {
		cfg.Store = sandboxkit.NewMemoryStore()
	}
	if cfg.Retry == (sandboxkit.Retry{}) {
		cfg.Retry = sandboxkit.DefaultRetry
	}
	s := &Sandboxes{cfg: cfg, Faults: map[domain.Provider]*sandboxkit.Faults{},
		Notifiers: map[domain.Provider]*sandboxkit.Notifier{}, handlers: map[string]http.Handler{}}
	for _, p := range All {
		faults := sandboxkit.NewFaults()
		notifier := sandboxkit.NewNotifier(sandboxkit.NotifierConfig{Client: cfg.Client, Faults: faults, Retry: cfg.Retry})
		s.Faults[p], s.Notifiers[p] = faults, notifier
		kit := sandboxkit.Config{
			BaseURL:      cfg.BaseURL + "/" + p.Slug(),
			Authenticate: s.authenticator(p),
			AccountID:    accountID,
			Store:        cfg.Store,
			Faults:       faults,
			Notifier:     notifier,
		}
		notify := cfg.WebhookBaseURL + "/" + p.Slug()
		var h http.Handler
		switch p {
		case domain.ProviderBillie:
			h = billie.NewSandbox(billie.SandboxConfig{Config: kit, NotifyURL: notify, WebhookKey: s.webhookSecret(p)})
		case domain.ProviderPaywerk:
			h = paywerk.NewSandbox(paywerk.SandboxConfig{Config: kit})
		case domain.ProviderBillwerk:
			h = billwerk.NewSandbox(billwerk.SandboxConfig{Config: kit, NotifyURL: notify, WebhookSecret: s.webhookSecret(p)})
		case domain.ProviderBetterPayment:
			h = betterpayment.NewSandbox(betterpayment.SandboxConfig{Config: kit, NotifyURL: notify, WebhookSecret: s.webhookSecret(p)})
		}
		s.handlers[p.Slug()] = h
	}
	return s
}

// Handler routes <base path>/<slug>/… to each sandbox. Mount it at BaseURL's path
// without stripping it: each sandbox strips its own base path.
func (s *Sandboxes) Handler() http.Handler {
	base := ""
	if u, err := url.Parse(s.cfg.BaseURL); err == nil {
		base = strings.TrimRight(u.Path, "/")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slug, rest, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, base), "/"), "/")
		h, ok := s.handlers[slug]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(path.Clean("/"+rest)+"/", sandboxkit.ControlPrefix) {
			pspID, ok := s.guard(w, r)
			if !ok {
				return
			}
			own := SandboxAccountID(pspID)
			r = r.WithContext(sandboxkit.WithControlScope(r.Context(), func(id string) bool { return id == own }))
		}
		h.ServeHTTP(w, r)
	})
}

// guard runs GuardControls; without one the controls are closed.
func (s *Sandboxes) guard(w http.ResponseWriter, r *http.Request) (string, bool) {
	if s.cfg.GuardControls == nil {
		sandboxkit.WriteJSON(w, http.StatusForbidden, map[string]string{"error": "the sandbox controls are closed"})
		return "", false
	}
	return s.cfg.GuardControls(w, r)
}

// SandboxAccountID is the id a PSP's sandbox account goes by at every provider:
// what faults name and notifications show. It is the Basic-auth user of Billie and
// Better Payment, and the API key of Paywerk and Billwerk+ without its secret part.
func SandboxAccountID(pspID string) string { return "sbx." + pspID }

// accountID maps an authenticated sandbox credential to its account id (the
// credential minus its secret); it is idempotent, so an id maps to itself.
func accountID(credential string) string {
	rest, ok := strings.CutPrefix(credential, "sbx.")
	if !ok {
		return "unknown"
	}
	pspID, _, _ := strings.Cut(rest, ".")
	return SandboxAccountID(pspID)
}

// Close stops the notifiers.
func (s *Sandboxes) Close() {
	for _, n := range s.Notifiers {
		n.Close()
	}
}

// Account is the sandbox account of one PSP at one provider: what the PSP's
// ProviderAccount holds in sandbox mode.
func (s *Sandboxes) Account(pspID string, p domain.Provider) providers.Account {
	user, pass := s.credentials(pspID, p)
	return providers.Account{
		BaseURL:       s.cfg.BaseURL + "/" + p.Slug(),
		ExternalPSPID: "sandbox-" + pspID,
		Username:      user,
		Password:      pass,
		WebhookSecret: s.webhookSecret(p),
	}
}

// mac is the derivation every sandbox secret comes from.
func (s *Sandboxes) mac(parts ...string) string {
	m := hmac.New(sha256.New, []byte(s.cfg.Secret))
	m.Write([]byte("sandbox/" + strings.Join(parts, "/")))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

func (s *Sandboxes) webhookSecret(p domain.Provider) string { return s.mac("webhook", p.Slug()) }

// tokenOnly providers authenticate with one key (Bearer or Basic with an empty password).
func tokenOnly(p domain.Provider) bool {
	return p == domain.ProviderPaywerk || p == domain.ProviderBillwerk
}

// credentials derive a PSP's user and password; the user carries the PSP id so the
// sandbox can re-derive the rest.
func (s *Sandboxes) credentials(pspID string, p domain.Provider) (user, password string) {
	secret := s.mac("credentials", p.Slug(), pspID)
	if tokenOnly(p) {
		return "sbx." + pspID + "." + secret, ""
	}
	return "sbx." + pspID, secret
}

func (s *Sandboxes) authenticator(p domain.Provider) sandboxkit.Authenticator {
	return func(user, password string) bool {
		rest, ok := strings.CutPrefix(user, "sbx.")
		if !ok {
			return false
		}
		pspID := rest
		if tokenOnly(p) {
			i := strings.LastIndex(rest, ".")
			if i < 0 {
				return false
			}
			pspID = rest[:i]
		}
		wantUser, wantPass := s.credentials(pspID, p)
		return sandboxkit.Equal(user, wantUser) && sandboxkit.Equal(password, wantPass)
	}
}
