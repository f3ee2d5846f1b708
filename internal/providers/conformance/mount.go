package conformance

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// Mounted is one provider's sandbox mounted where the server mounts it
// (/sandbox/<provider>/) behind a real HTTP server, with faults and a notifier whose
// notifications a Receiver takes: what each provider's own tests start from.
type Mounted struct {
	Server   *httptest.Server
	Base     string // the sandbox's base URL: <server>/sandbox/<provider>
	Faults   *sandboxkit.Faults
	Notifier *sandboxkit.Notifier
	Receiver *Receiver
}

// Mount starts a sandbox; both stop when the test ends. nc configures the notifier
// (its Faults are the mount's). sandbox builds the provider's handler from the part
// of its configuration every sandbox shares (BaseURL, Faults, Notifier), to which it
// adds its own (credentials, store, clock, where the receiver listens).
func Mount(t *testing.T, name providers.Name, nc sandboxkit.NotifierConfig,
	sandbox func(cfg sandboxkit.Config, recv *Receiver) http.Handler) *Mounted {
	t.Helper()
	m := &Mounted{Faults: sandboxkit.NewFaults(), Receiver: NewReceiver(t)}
	nc.Faults = m.Faults
	m.Notifier = sandboxkit.NewNotifier(nc)
	mux := http.NewServeMux()
	m.Server = httptest.NewServer(mux)
	t.Cleanup(func() {
		m.Notifier.Close()
		m.Server.Close()
	})
	m.Base = m.Server.URL + "/sandbox/" + string(name)
	mux.Handle("/sandbox/"+string(name)+"/", sandbox(sandboxkit.Config{BaseURL: m.Base, Faults: m.Faults, Notifier: m.Notifier}, m.Receiver))
	return m
}

// Harness answers h with the mount's parts (SandboxURL, Faults, Notifier, Receiver)
// filled in, so a provider's test names only what is its own.
func (m *Mounted) Harness(h Harness) Harness {
	h.SandboxURL, h.Faults, h.Notifier, h.Receiver = m.Base, m.Faults, m.Notifier, m.Receiver
	return h
}
