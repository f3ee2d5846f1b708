package paywerk

import (
	"net/http"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/conformance"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

const testKey = "pw_test_key_company1_shop1"

// env is a sandbox mounted under /sandbox/paywerk on a real HTTP server, as the
// server mounts it, with a client pointed at it.
type env struct {
	*conformance.Mounted
	acct    providers.Account
	client  *Client
	timeout time.Duration
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{timeout: 600 * time.Millisecond}
	e.Mounted = conformance.Mount(t, providers.Paywerk, sandboxkit.NotifierConfig{Retry: sandboxkit.TestRetry, HoldFor: time.Second},
		func(cfg sandboxkit.Config, _ *conformance.Receiver) http.Handler {
			cfg.Authenticate = sandboxkit.AcceptOnly(sandboxkit.Credential{User: testKey}, sandboxkit.Credential{User: "pw_test_key_other_shop"})
			return NewSandbox(SandboxConfig{Config: cfg, MerchantName: "Conformance OÜ"})
		})
	e.acct = providers.Account{BaseURL: e.Base, Username: testKey}
	e.client = New(e.acct, WithTimeout(e.timeout))
	e.Receiver.SetParser(e.client.ParseWebhook)
	return e
}

func TestConformance(t *testing.T) {
	e := newEnv(t)
	conformance.Run(t, e.Harness(conformance.Harness{
		Client:             e.client,
		Account:            e.acct,
		NewClient:          func(a providers.Account) providers.Provider { return New(a, WithTimeout(e.timeout)) },
		Timeout:            e.timeout,
		FaultAccount:       testKey,
		Merchant:           providers.Merchant{CompanyID: "cmp_1", LegalName: "Conformance OÜ", Country: "EE"},
		RejectedMerchant:   providers.Merchant{CompanyID: "cmp_2", LegalName: "Outside GmbH", Country: "DE"},
		ApproveProductType: domain.ProductInvoice,
		Forge: func(d conformance.Delivery) []conformance.Delivery {
			// No signature exists; forgeries are anything but the exact callback shape.
			return []conformance.Delivery{
				{Header: d.Header, Body: []byte(`{"paywerkId":"x","orderReference":"y","status":"CONFIRMED"}`)},
				{Header: d.Header, Body: []byte(`{"orderReference":"y"}`)},
				{Header: d.Header, Body: []byte(`{"paywerkId":7,"orderReference":"y"}`)},
				{Header: d.Header, Body: append(append([]byte(nil), d.Body...), []byte(`{}`)...)},
				{Header: d.Header, Body: []byte(`[]`)},
				{Header: d.Header, Body: nil},
			}
		},
	}))
}
