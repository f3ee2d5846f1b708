// Package conformance is the one test suite every provider client runs against its
// sandbox over real HTTP: activation, sessions, the hosted page, notifications,
// captures, refunds and cancels, error classes, and every injectable fault.
//
// A provider's test builds a Receiver, its sandbox (with the Receiver's URL as the
// notify URL and sandboxkit.TestRetry), an httptest.Server around the sandbox and a
// client pointed at it, and calls Run. The suite adapts to the provider's
// Capabilities exactly as the domain does (lines or amounts, fractional quantities,
// instant settlement) and skips, with the reason, what a provider cannot do.
//
// The decision a reader would otherwise rediscover: over-capture, over-refund and
// over-cancel may surface as ErrConflict or ErrValidation, whichever the provider's
// API answers; both mean "refused, nothing changed", which the suite checks with a
// status fetch.
package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/domain"
	"github.com/pspbackoffice/backoffice/internal/providers"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
)

// Harness is what a provider's test hands the suite.
type Harness struct {
	// Client is the provider client bound to a valid sandbox account, talking to the
	// sandbox over real HTTP (an httptest.Server).
	Client providers.Provider
	// Account is the Client's account; the suite derives bad credentials from it.
	Account providers.Account
	// NewClient builds a client for another account against the same sandbox, with
	// the same Timeout.
	NewClient func(acct providers.Account) providers.Provider
	// Timeout is the Client's per-call timeout. Keep it short (0.5–1 s) so the
	// timeout case runs fast; it must be at least 300 ms.
	Timeout time.Duration

	// SandboxURL is the sandbox's base URL; the suite also drives
	// <SandboxURL>/_sandbox/faults over HTTP.
	SandboxURL string
	// Faults are the sandbox's faults.
	Faults *sandboxkit.Faults
	// FaultAccount is the account id the sandbox matches faults with: its
	// Config.AccountID of Account's Basic-auth user or API key (the credential itself
	// when the sandbox has no AccountID).
	FaultAccount string
	// Notifier is the sandbox's notifier (built with sandboxkit.TestRetry), for
	// counting delivery attempts.
	Notifier *sandboxkit.Notifier
	// Receiver collects the notifications; the sandbox must send them to it
	// (Receiver.NotifyURL). Approving a page must send exactly one notification for
	// that payment (the out-of-order case depends on it).
	Receiver *Receiver

	// Merchant is one the provider activates; its ExternalMerchantID is sent on
	// every later call.
	Merchant providers.Merchant
	// RejectedMerchant is one the sandbox rejects by its documented trigger; zero
	// skips the rejection case.
	RejectedMerchant providers.Merchant
	// Session adjusts the suite's standard session request (debtor company, product
	// types); nil keeps it.
	Session func(*providers.SessionRequest)
	// ApproveProductType is what the shopper picks on the page (Paywerk); "" picks nothing.
	ApproveProductType domain.ProductType
	// Complete overrides how a shopper completes the page; nil is CompletePage.
	Complete func(ctx context.Context, redirectURL string, form sandboxkit.PageForm) (location string, err error)
	// Forge turns a genuine delivery into forged ones (tampered body, wrong key or
	// signature, wrong shape) that ParseWebhook must refuse with ErrUnauthenticated.
	Forge func(genuine Delivery) []Delivery
}

var errHarness = errors.New("conformance: incomplete harness")

func (h Harness) check() error {
	switch {
	case h.Client == nil, h.NewClient == nil:
		return errors.Join(errHarness, errors.New("the Client and NewClient fields are required"))
	case h.Faults == nil, h.Notifier == nil, h.Receiver == nil:
		return errors.Join(errHarness, errors.New("the Faults, Notifier and Receiver fields are required"))
	case h.SandboxURL == "", h.FaultAccount == "":
		return errors.Join(errHarness, errors.New("the SandboxURL and FaultAccount fields are required"))
	case h.Timeout < 300*time.Millisecond:
		return errors.Join(errHarness, errors.New("the Timeout field must be at least 300ms"))
	case h.Forge == nil:
		return errors.Join(errHarness, errors.New("the Forge field is required: every provider has a forgery to refuse"))
	}
	return nil
}

// Run runs the suite as subtests of t. Subtests run one after another: faults are
// account-wide, so parallel cases would trip over each other's faults.
func Run(t *testing.T, h Harness) {
	if err := h.check(); err != nil {
		t.Fatal(err)
	}
	h.Receiver.mu.Lock()
	if h.Receiver.parse == nil {
		h.Receiver.parse = h.Client.ParseWebhook
	}
	h.Receiver.mu.Unlock()
	if h.Complete == nil {
		h.Complete = func(ctx context.Context, u string, f sandboxkit.PageForm) (string, error) {
			loc, _, err := CompletePage(ctx, u, f)
			return loc, err
		}
	}
	t.Cleanup(h.Faults.Clear)
	s := &suite{h: h, caps: h.Client.Capabilities()}
	s.run(t)
}
