// Package registry hands out provider clients from the PSPs' stored ProviderAccounts,
// decrypting their credentials for the call. In sandbox mode every PSP gets one
// account per provider (EnsureSandbox), reached at the configured sandbox base URL
// (UseSandboxes), whatever an instance once stored.
package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/provideraccount"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/outbound"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
	"github.com/pspbackoffice/backoffice/internal/providers/httpjson"
	"github.com/pspbackoffice/backoffice/internal/secrets"
)

// Registry implements providers.Registry on the provider_accounts table.
type Registry struct {
	client *ent.Client
	box    *secrets.Box
	hc     *http.Client
	env    provideraccount.Environment
	// sandboxes, in sandbox mode: where sandbox accounts are reached (UseSandboxes).
	sandboxes *catalog.Sandboxes
}

// UseSandboxes makes sandbox accounts reach the sandboxes at sb's base URL, the one
// configured for every instance (BACKOFFICE_PUBLIC_URL or SANDBOX_URL), instead of
// the base_url stored with the account. Several instances share one database: the
// stored URL is whatever instance wrote the row, which may have stopped since.
func (r *Registry) UseSandboxes(sb *catalog.Sandboxes) { r.sandboxes = sb }

// New makes a registry; env is SANDBOX or LIVE, by PROVIDERS_MODE.
//
// The registry decides where the clients' bytes may go. Live accounts' base URLs are
// given by a PSP_ADMIN (ConfigureLive), so live clients send through
// internal/outbound's client, which refuses every internal address (loopback,
// private, link-local: the server's own network and cloud metadata). The sandboxes
// are served on this server's own address, usually loopback, so sandbox mode uses a
// plain client.
func New(client *ent.Client, box *secrets.Box, live bool) *Registry {
	env := provideraccount.EnvironmentSANDBOX
	hc := &http.Client{Timeout: providerCallTimeout}
	if live {
		env = provideraccount.EnvironmentLIVE
		hc = outbound.NewClient(outbound.Options{Timeout: providerCallTimeout, MaxResponseBytes: 2 * httpjson.DefaultMaxAnswerBytes})
	}
	return &Registry{client: client, box: box, hc: hc, env: env}
}

// providerCallTimeout bounds one HTTP request to a provider, whatever the client's
// own per-call timeout.
const providerCallTimeout = 30 * time.Second

// credentials is what is sealed in credentials_enc.
type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Account loads and decrypts a PSP's account at a provider.
func (r *Registry) Account(ctx context.Context, pspID string, p domain.Provider) (providers.Account, error) {
	a, err := r.client.ProviderAccount.Query().Where(
		provideraccount.PspID(pspID), provideraccount.ProviderEQ(p), provideraccount.EnvironmentEQ(r.env),
	).Only(auth.System(ctx))
	if err != nil {
		return providers.Account{}, fmt.Errorf("no %s account for this PSP: %w", p, err)
	}
	return r.open(a)
}

func (r *Registry) open(a *ent.ProviderAccount) (providers.Account, error) {
	acct := providers.Account{BaseURL: a.BaseURL, ExternalPSPID: a.ExternalPspID}
	if r.sandboxes != nil && a.Environment == provideraccount.EnvironmentSANDBOX {
		acct.BaseURL = r.sandboxes.Account(a.PspID, a.Provider).BaseURL
	}
	if len(a.CredentialsEnc) > 0 {
		raw, err := r.box.Open(a.CredentialsEnc)
		if err != nil {
			return acct, err
		}
		var c credentials
		if err := json.Unmarshal(raw, &c); err != nil {
			return acct, err
		}
		acct.Username, acct.Password = c.Username, c.Password
	}
	if len(a.WebhookSecretEnc) > 0 {
		raw, err := r.box.Open(a.WebhookSecretEnc)
		if err != nil {
			return acct, err
		}
		acct.WebhookSecret = string(raw)
	}
	return acct, nil
}

// For implements providers.Registry.
func (r *Registry) For(ctx context.Context, pspID string, p domain.Provider) (providers.Provider, error) {
	acct, err := r.Account(ctx, pspID, p)
	if err != nil {
		return nil, err
	}
	return catalog.Client(p, acct, r.hc)
}

// Verifiers answers a client for every account of a provider, to verify an inbound
// webhook before we know which PSP it belongs to (each tries its own secret).
func (r *Registry) Verifiers(ctx context.Context, p domain.Provider) ([]providers.Provider, error) {
	accts, err := r.client.ProviderAccount.Query().Where(
		provideraccount.ProviderEQ(p), provideraccount.EnvironmentEQ(r.env),
	).All(auth.System(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]providers.Provider, 0, len(accts))
	for _, a := range accts {
		acct, err := r.open(a)
		if err != nil {
			return nil, err
		}
		c, err := catalog.Client(p, acct, r.hc)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Store saves (creates or replaces) a PSP's account at a provider, sealing its secrets.
func (r *Registry) Store(ctx context.Context, pspID string, p domain.Provider, acct providers.Account) error {
	raw, err := json.Marshal(credentials{Username: acct.Username, Password: acct.Password})
	if err != nil {
		return err
	}
	creds, err := r.box.Seal(raw)
	if err != nil {
		return err
	}
	hook, err := r.box.Seal([]byte(acct.WebhookSecret))
	if err != nil {
		return err
	}
	ctx = auth.System(ctx)
	existing, err := r.client.ProviderAccount.Query().Where(
		provideraccount.PspID(pspID), provideraccount.ProviderEQ(p), provideraccount.EnvironmentEQ(r.env),
	).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return r.client.ProviderAccount.Create().SetPspID(pspID).SetProvider(p).SetEnvironment(r.env).
			SetBaseURL(acct.BaseURL).SetExternalPspID(acct.ExternalPSPID).
			SetCredentialsEnc(creds).SetWebhookSecretEnc(hook).Exec(ctx)
	case err != nil:
		return err
	}
	return existing.Update().SetBaseURL(acct.BaseURL).SetExternalPspID(acct.ExternalPSPID).
		SetCredentialsEnc(creds).SetWebhookSecretEnc(hook).Exec(ctx)
}

// EnsureSandbox gives a PSP its sandbox account at every provider (sandbox mode). An
// account that already holds the derived credentials is left alone: every instance
// runs this on start, and none may rewrite what the others use (UseSandboxes). Only
// a changed BACKOFFICE_SECRET (other credentials) rewrites it.
func (r *Registry) EnsureSandbox(ctx context.Context, pspID string, sb *catalog.Sandboxes) error {
	for _, p := range catalog.All {
		want := sb.Account(pspID, p)
		if have, err := r.Account(ctx, pspID, p); err == nil && have.ExternalPSPID == want.ExternalPSPID &&
			have.Username == want.Username && have.Password == want.Password && have.WebhookSecret == want.WebhookSecret {
			continue
		}
		if err := r.Store(ctx, pspID, p, want); err != nil {
			return fmt.Errorf("sandbox account %s: %w", p, err)
		}
	}
	return nil
}

var _ providers.Registry = (*Registry)(nil)

// LiveAccountInput is what PSP_ADMIN enters to connect a live provider account.
type LiveAccountInput struct {
	Provider      domain.Provider
	BaseURL       string
	ExternalPSPID string
	Username      string
	Password      string
	WebhookSecret string
}

// ConfigureLive validates and stores a PSP's live account at a provider. Credentials
// are sealed at rest and never returned by the API.
func (r *Registry) ConfigureLive(ctx context.Context, pspID string, in LiveAccountInput) (*ent.ProviderAccount, error) {
	var refusal domain.Refusal
	u, err := url.Parse(in.BaseURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		refusal.Add(domain.CodeValidation, domain.Field("baseUrl"), "baseUrl must be an https:// URL of the provider's API")
	}
	if strings.TrimSpace(in.Username) == "" {
		refusal.Add(domain.CodeValidation, domain.Field("username"), "username (or API key) is required")
	}
	// Bounds (internal/domain/text_limits.go): credentials are long random strings at
	// most, never documents.
	for _, f := range []struct {
		field, value string
		max          int
	}{{"baseUrl", in.BaseURL, domain.MaxURLLen}, {"externalPspId", in.ExternalPSPID, domain.MaxRegistryIDLen},
		{"username", in.Username, domain.MaxCredentialLen}, {"password", in.Password, domain.MaxCredentialLen},
		{"webhookSecret", in.WebhookSecret, domain.MaxCredentialLen}} {
		if domain.TooLong(f.value, f.max) {
			refusal.Add(domain.CodeValidation, domain.Field(f.field), fmt.Sprintf("%s is longer than %d characters", f.field, f.max))
		}
	}
	if in.WebhookSecret != "" && len(in.WebhookSecret) < 16 {
		refusal.Add(domain.CodeValidation, domain.Field("webhookSecret"), "webhookSecret must have at least 16 characters")
	}
	if err := refusal.Err(); err != nil {
		return nil, err
	}
	live := &Registry{client: r.client, box: r.box, hc: r.hc, env: provideraccount.EnvironmentLIVE}
	acct := providers.Account{BaseURL: strings.TrimRight(in.BaseURL, "/"), ExternalPSPID: in.ExternalPSPID,
		Username: in.Username, Password: in.Password, WebhookSecret: in.WebhookSecret}
	if err := live.Store(ctx, pspID, in.Provider, acct); err != nil {
		return nil, err
	}
	return r.client.ProviderAccount.Query().Where(provideraccount.PspID(pspID), provideraccount.ProviderEQ(in.Provider),
		provideraccount.EnvironmentEQ(provideraccount.EnvironmentLIVE)).Only(auth.System(ctx))
}
