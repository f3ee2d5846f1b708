package seed_test

import (
	"context"
	"testing"
	"time"

	"github.com/pspbackoffice/backoffice/ent/order"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/psp/psptest"
	"github.com/pspbackoffice/backoffice/internal/testdb"
	"github.com/pspbackoffice/backoffice/seed"
)

// TestLiveOrders: the demo's live orders exist at the sandboxes — confirmed,
// failed and pending ones, each with a provider reference the sandbox answers for —
// and a second run adds nothing.
func TestLiveOrders(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := auth.System(context.Background())
		if _, err := seed.LoadDemo(ctx, d.Ent, time.Now()); err != nil { // first: it acts for the only PSP
			t.Fatal(err)
		}
		e := psptest.Start(t, d, psptest.Options{})
		n, err := seed.LiveOrders(ctx, d.Ent, e.Orders, e.Sandboxes)
		if err != nil || n == 0 || n%7 != 0 {
			t.Fatalf("created %d live orders, want 7 per activated provider: %v", n, err)
		}
		k := n / 7 // per provider: 4 approved, 1 declined, 2 left open
		deadline := time.Now().Add(15 * time.Second)
		for {
			pending := d.Ent.Order.Query().Where(order.ReferenceHasPrefix(seed.LivePrefix), order.StatusEQ(order.StatusPENDING)).CountX(ctx)
			if pending == 2*k || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		live := d.Ent.Order.Query().Where(order.ReferenceHasPrefix(seed.LivePrefix)).AllX(ctx)
		count := map[order.Status]int{}
		for _, o := range live {
			count[o.Status]++
			client, err := e.Sandboxes.For(ctx, o.PspID, o.Provider)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.FetchStatus(ctx, o.ProviderReference); err != nil {
				t.Errorf("%s: the %s sandbox does not know %s: %v", o.Reference, o.Provider, o.ProviderReference, err)
			}
			if o.PaymentURL == "" {
				t.Errorf("%s has no payment URL", o.Reference)
			}
		}
		if count[order.StatusCONFIRMED] != 4*k || count[order.StatusFAILED] != k || count[order.StatusPENDING] != 2*k {
			t.Errorf("live orders by status: %v", count)
		}
		if again, err := seed.LiveOrders(ctx, d.Ent, e.Orders, e.Sandboxes); again != 0 || err != nil {
			t.Errorf("a second run created %d: %v", again, err)
		}
	})
}
