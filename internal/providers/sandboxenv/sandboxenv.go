// Package sandboxenv starts the four provider sandboxes on a test HTTP server and
// hands out real clients for them, for tests of the domain against the providers
// over real HTTP (no database needed for the accounts: they are derived).
package sandboxenv

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/catalog"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"net/http"
	"time"
)

// Env is the running sandboxes.
type Env struct {
	*catalog.Sandboxes
	URL string // the sandboxes' base URL (…/sandbox)
}

// Options tune the environment.
type Options struct {
	// WebhookBaseURL is where notifications go (our /webhooks); "" sends them nowhere useful.
	WebhookBaseURL string
	// Retry of notifications; zero is a fast schedule for tests.
	Retry sandboxkit.Retry
	// GuardControls opens the _sandbox/* controls over HTTP (catalog.SandboxConfig);
	// nil keeps them closed.
	GuardControls func(w http.ResponseWriter, r *http.Request) (pspID string, ok bool)
}

// Start runs the sandboxes until the test ends.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	if opts.Retry == (sandboxkit.Retry{}) {
		opts.Retry = sandboxkit.Retry{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond, MaxAttempts: 20}
	}
	webhooks := opts.WebhookBaseURL
	if webhooks == "" {
		webhooks = srv.URL + "/nowhere"
	}
	sb := catalog.NewSandboxes(catalog.SandboxConfig{
		BaseURL:        srv.URL + "/sandbox",
		WebhookBaseURL: webhooks,
		Secret:         "sandboxenv-test-secret-0123456789abcdef",
		Retry:          opts.Retry,
		GuardControls:  opts.GuardControls,
	})
	mux.Handle("/sandbox/", sb.Handler())
	t.Cleanup(func() { sb.Close(); srv.Close() })
	return &Env{Sandboxes: sb, URL: srv.URL + "/sandbox"}
}

// For implements providers.Registry: the client of a PSP's sandbox account.
func (e *Env) For(_ context.Context, pspID string, p domain.Provider) (providers.Provider, error) {
	return catalog.Client(p, e.Account(pspID, p), nil)
}

var _ providers.Registry = (*Env)(nil)
