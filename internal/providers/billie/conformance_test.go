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
	base     string
	faults   *sandboxkit.Faults
	notifier *sandboxkit.Notifier
	rcv      *conformance.Receiver
	acct     providers.Account
	client   *Client
	timeout  time.Duration
}

// newEnv mounts the sandbox under /sandbox/billie on a real HTTP server, with
// webhooks going to a conformance receiver.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{timeout: 600 * time.Millisecond}
	m := conformance.Mount(t, providers.Billie, sandboxkit.NotifierConfig{Retry: sandboxkit.TestRetry, HoldFor: time.Second},
		func(cfg sandboxkit.Config, recv *conformance.Receiver) http.Handler {
			cfg.Authenticate = sandboxkit.AcceptOnly(sandboxkit.Credential{User: testUser, Password: testPass},
				sandboxkit.Credential{User: "psp_7_other", Password: "other"})
			return NewSandbox(SandboxConfig{Config: cfg, NotifyURL: recv.NotifyURL(providers.Billie), WebhookKey: testHookKey})
		})
	e.base, e.faults, e.notifier, e.rcv = m.Base, m.Faults, m.Notifier, m.Receiver
	e.acct = providers.Account{BaseURL: e.base, ExternalPSPID: "psp_42", Username: testUser, Password: testPass, WebhookSecret: testHookKey}
	e.client = New(e.acct, WithTimeout(e.timeout))
	e.rcv.SetParser(e.client.ParseWebhook)
	return e
}

func TestConformance(t *testing.T) {
	e := newEnv(t)
	conformance.Run(t, conformance.Harness{
		Client:           e.client,
		Account:          e.acct,
		NewClient:        func(a providers.Account) providers.Provider { return New(a, WithTimeout(e.timeout)) },
		Timeout:          e.timeout,
		SandboxURL:       e.base,
		Faults:           e.faults,
		FaultAccount:     testUser,
		Notifier:         e.notifier,
		Receiver:         e.rcv,
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
	})
}
