package sandboxkit

import (
	"net/http"
	"time"
)

// Config is what every sandbox needs; each provider's SandboxConfig embeds it and
// adds its own fields (notify URL, webhook secret).
type Config struct {
	// BaseURL is the public URL the sandbox is mounted at, e.g.
	// http://127.0.0.1:8080/sandbox/paywerk; payment page URLs are built from it.
	BaseURL string
	// Authenticate checks the credentials of every API call.
	Authenticate Authenticator
	// AccountID names the account of an authenticated credential (Basic user or API
	// key) without revealing it: what the sandbox keeps in its state, aims faults at
	// and shows in notifications. nil is the credential itself, for a sandbox served
	// alone in tests; the server derives "sbx.<psp id>" (catalog).
	AccountID func(credential string) string
	// Store keeps the state; nil is a fresh MemoryStore.
	Store Store
	// Faults are the injected faults; nil is an empty set.
	Faults *Faults
	// Notifier delivers notifications; nil builds one from Client and Retry. Pass your
	// own to Wait for it or read its attempts in tests.
	Notifier *Notifier
	// Client sends notifications when Notifier is nil; nil is a 10 s client.
	Client *http.Client
	// Retry is the notification retry schedule when Notifier is nil.
	Retry Retry
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// WithDefaults fills what was left empty.
func (c Config) WithDefaults() Config {
	if c.Store == nil {
		c.Store = NewMemoryStore()
	}
	if c.Faults == nil {
		c.Faults = NewFaults()
	}
	if c.Notifier == nil {
		c.Notifier = NewNotifier(NotifierConfig{Client: c.Client, Faults: c.Faults, Retry: c.Retry})
	}
	if c.Authenticate == nil {
		c.Authenticate = func(string, string) bool { return false }
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.AccountID == nil {
		c.AccountID = func(credential string) string { return credential }
	}
	return c
}
