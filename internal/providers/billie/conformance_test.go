package billie

import (
	"net/http"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/conformance"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

const (
	testUser    = "psp_42_f3a9c1"
	testPass    = "s3cret-password"
	testHookKey = "whk_billie_test_key"
)

type env struct {
	*conformance.Mounted
	acct    providers.Account
	client  *Client
	timeout time.Duration
}

// newEnv mounts the sandbox under /sandbox/billie on a real HTTP server, with
// webhooks going to a conformance receiver.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{timeout: 600 * time.Millisecond}
	e.Mounted = conformance.Mount(t, providers.Billie, sandboxkit.NotifierConfig{Retry: sandboxkit.TestRetry, HoldFor: time.Second},
		func(cfg sandboxkit.Config, recv *conformance.Receiver) http.Handler {
			cfg.Authenticate = sandboxkit.AcceptOnly(sandboxkit.Credential{User: testUser, Password: testPass},
				sandboxkit.Credential{User: "psp_7_other", Password: "other"})
			return NewSandbox(SandboxConfig{Config: cfg, NotifyURL: recv.NotifyURL(providers.Billie), WebhookKey: testHookKey})
		})
	e.acct = providers.Account{BaseURL: e.Base, ExternalPSPID: "psp_42", Username: testUser, Password: testPass, WebhookSecret: testHookKey}
	e.client = New(e.acct, WithTimeout(e.timeout))
	e.Receiver.SetParser(e.client.ParseWebhook)
	return e
}

func TestConformance(t *testing.T) {
	e := newEnv(t)
	conformance.Run(t, e.Harness(conformance.Harness{
		Client:           e.client,
		Account:          e.acct,
		NewClient:        func(a providers.Account) providers.Provider { return New(a, WithTimeout(e.timeout)) },
		Timeout:          e.timeout,
		FaultAccount:     testUser,
		Merchant:         providers.Merchant{CompanyID: "cmp_1", LegalName: "Werkzeug Handel GmbH", Country: "DE", IBAN: "DE89370400440532013000"},
		RejectedMerchant: providers.Merchant{CompanyID: "cmp_2", LegalName: "REJECT Me GmbH", Country: "DE"},
		Session: func(r *providers.SessionRequest) {
			r.Billing = providers.Address{Street: "Charlottenstr. 4", City: "Berlin", PostalCode: "10969", Country: "DE"}
		},
		Forge: func(d conformance.Delivery) []conformance.Delivery {
			wrong := d.Header.Clone()
			wrong.Set(WebhookKeyHeader, testHookKey+"x")
			short := d.Header.Clone()
			short.Set(WebhookKeyHeader, testHookKey[:len(testHookKey)-1])
			none := d.Header.Clone()
			none.Del(WebhookKeyHeader)
			return []conformance.Delivery{
				{Header: wrong, Body: d.Body},
				{Header: short, Body: d.Body},
				{Header: none, Body: d.Body},
				{Header: none, Body: []byte(`{"order_id":"` + "x" + `","success":"true"}`)},
			}
		},
	}))
}
