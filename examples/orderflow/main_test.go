package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/internal/app/apptest"
	"github.com/pspbackoffice/backoffice/internal/providers/sandboxkit"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
)

// TestOrderFlow runs the example against the product in sandbox mode: the typed
// client creates an order with an API key, the shopper approves it on the sandbox
// payment page, the example sees it CONFIRMED and fulfils all of it.
func TestOrderFlow(t *testing.T) {
	s := apptest.Start(t, testdb.SQLite(t), "orderflow-example-secret-0123456789abcdef")
	// The world's provider accounts are made up: the sandboxes take real payments.
	if err := s.App.EnsureSandboxAccounts(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.App.Jobs.Start(context.Background()); err != nil { // applies the provider's notifications
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.App.Jobs.Stop(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	pay := func(url string) { psptest.Shopper(t, url, sandboxkit.ActionApprove, "") }
	if err := run(ctx, NewClient(s.URL, s.World.Actors["keyA1"].Key), "example-1", ptr(ProviderPaywerk), pay, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"CONFIRMED", "fulfilled MUG-1 × 2", "fulfilment "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the example's output lacks %q:\n%s", want, out.String())
		}
	}
}
